//! What every request handler of the primary-all API reads: the caches, authentication and
//! authorisation.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::authn::Authenticator;
use crate::authz::Authorizer;
use crate::cache::Caches;
use crate::metrics::ServerMetrics;

/// What every handler reads.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The watch caches and their index.
    pub caches: Arc<Caches>,
    /// Request-header authentication.
    pub authn: Arc<Authenticator>,
    /// Access reviews as the caller.
    pub authz: Arc<Authorizer>,
    /// Set when the server starts stopping: `/readyz` fails from then on.
    pub stopping: Arc<AtomicBool>,
    /// Requests, access reviews and staleness, counted.
    pub metrics: Arc<ServerMetrics>,
}
