//! From a watch event to a handler run: which primary a child's change wakes (`pipeline`), what is
//! due for each primary and when (`ledger`, `plan`, `backoff`, `budget`), and one run of one primary
//! (`run`), on kube-runtime's scheduler, in leadership terms (`terms`), a failing watch shown on
//! the primaries (`stale`), and what a running controller shares with its watches and runs
//! (`shared`). It uses the handler's side (context, reconciler, conditions), the caches and
//! the kinds, never the watches.

pub(crate) mod backoff;
pub(crate) mod budget;
pub(crate) mod ledger;
pub(crate) mod pipeline;
pub(crate) mod plan;
pub(crate) mod run;
pub(crate) mod shared;
pub(crate) mod stale;
pub(crate) mod terms;
