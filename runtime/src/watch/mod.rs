//! The watches: the set of a primary's declared kinds (`set`), one kind's watch (`declared`) and the
//! task that drives each kube-runtime watcher into its reflector and the dispatch (`driver`). It
//! starts the flow; it uses the caches, the dispatch and the kinds, and only the controller and
//! the client use it.

pub(crate) mod backoff;
pub(crate) mod declared;
pub(crate) mod driver;
pub(crate) mod set;
