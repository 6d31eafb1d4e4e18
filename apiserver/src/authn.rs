//! Request-header authentication, as `k8s.io/apiserver` does it: `X-Remote-*` headers are
//! believed only from a connection whose client certificate chains to the request-header CA
//! and carries an allowed common name. The chain is verified at every request against the
//! trust of the moment, which is swapped whole when the ConfigMap changes.

use std::sync::{Arc, PoisonError, RwLock};

use http::HeaderMap;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::ClientCertVerifier;

use crate::error::TrustError;
use crate::requestheader::{RequestHeaderConfig, UserInfo};
use crate::status::ApiError;
use crate::tls;

/// The certificate chain a connection's client presented, put into each request's extensions.
#[derive(Clone, Debug)]
pub struct PeerChain(pub Arc<[CertificateDer<'static>]>);

/// Who may vouch for callers now.
#[derive(Default)]
struct Trust {
    headers: RequestHeaderConfig,
    verifier: Option<Arc<dyn ClientCertVerifier>>,
    loaded: bool,
}

/// Authenticates requests with the current request-header trust.
#[derive(Default)]
pub struct Authenticator {
    trust: RwLock<Arc<Trust>>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("loaded", &self.loaded())
            .finish()
    }
}

impl Authenticator {
    /// Whether the request-header settings have been read.
    pub fn loaded(&self) -> bool {
        self.current().loaded
    }

    /// Whether a request-header CA is loaded: without one, every caller gets 401.
    pub fn trusts_a_ca(&self) -> bool {
        self.current().verifier.is_some()
    }

    /// Trusts `headers` from the next request on.
    pub fn update(&self, headers: RequestHeaderConfig) -> Result<(), TrustError> {
        let verifier = tls::client_verifier(&headers.client_ca)?;
        self.swap(Trust {
            headers,
            verifier,
            loaded: true,
        });
        Ok(())
    }

    /// Trusts nobody: the ConfigMap is gone or unusable.
    pub fn forget(&self) {
        self.swap(Trust::default());
    }

    /// The caller of a request that came over a connection presenting `chain` with `headers`;
    /// 401 unless the chain verifies now against the request-header CA, its common name is
    /// allowed, and the headers name a user.
    pub fn authenticate(
        &self,
        chain: Option<&PeerChain>,
        headers: &HeaderMap,
    ) -> Result<UserInfo, ApiError> {
        let trust = self.current();
        let verifier = trust.verifier.as_ref().ok_or_else(ApiError::unauthorized)?;
        let chain = chain.ok_or_else(ApiError::unauthorized)?;
        let (end, intermediates) = chain.0.split_first().ok_or_else(ApiError::unauthorized)?;
        if let Err(error) = verifier.verify_client_cert(end, intermediates, UnixTime::now()) {
            tracing::debug!(%error, "client certificate not from the request-header CA");
            return Err(ApiError::unauthorized());
        }
        if !trust.headers.allows_name(common_name(end).as_deref()) {
            tracing::debug!("client certificate name not in requestheader-allowed-names");
            return Err(ApiError::unauthorized());
        }
        trust
            .headers
            .user(headers)
            .ok_or_else(ApiError::unauthorized)
    }

    fn current(&self) -> Arc<Trust> {
        Arc::clone(&self.trust.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn swap(&self, trust: Trust) {
        *self.trust.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(trust);
    }
}

/// The subject common name of `cert`.
fn common_name(cert: &CertificateDer<'_>) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(cert.as_ref()).ok()?;
    let cn = cert.subject().iter_common_name().next()?;
    cn.as_str().ok().map(str::to_string)
}

#[cfg(test)]
#[path = "authn_tests.rs"]
mod tests;
