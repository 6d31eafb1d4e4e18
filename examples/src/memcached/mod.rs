//! The operator-sdk / Kubebuilder tutorial's `memcached` operator in kube-secondary form: a
//! `Memcached` owns a Deployment of `size` replicas, says how it is doing in `Available` and
//! `Degraded` conditions, and cleans up behind a finalizer with a Warning Event, as the tutorial's
//! Go controller does.

mod desired;
mod operator;
mod resource;

pub use desired::deployment;
pub use operator::{FINALIZER, MemcachedOperator};
pub use resource::{Memcached, MemcachedSecondaries, MemcachedSpec, MemcachedStatus};
