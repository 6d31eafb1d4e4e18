//! Running the controller in production: metrics (`metrics`, `snapshot`), the endpoints that
//! serve them (`endpoints`), the ClusterRole and start-up check (`rbac`), CRD installation
//! (`crd`) and the status summary (`summary`). It uses the primary's trait, the caches and the
//! kinds.

pub mod crd;
pub(crate) mod elector;
#[cfg(feature = "endpoints")]
pub(crate) mod endpoints;
pub mod leader;
pub mod metrics;
pub mod rbac;
pub(crate) mod snapshot;
#[cfg(feature = "status-summary")]
pub mod summary;
pub(crate) mod watch_health;
