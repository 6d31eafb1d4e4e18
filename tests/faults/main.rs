//! The fault suite: the `database` operator, run as a process of its own, on a control plane the
//! suite breaks on purpose (kube-apiserver killed and restarted, etcd compacted under the
//! watches, the operator killed mid-burst or stopped while the API server hangs).
//!
//! Run it with `cargo xtask test --faults` (part of `cargo xtask test`): it starts a control
//! plane of its own (`KUBE_SECONDARY_CLUSTER=faults`) and drives it through the xtask binary in
//! `KUBE_SECONDARY_XTASK`. One test at a time: each breaks the control plane they share.
//!
//! Each case checks the final state (every Database has exactly its four children, owned by it,
//! as its spec says) and reports what the fault cost; times are printed, not asserted.

#[allow(dead_code)]
#[path = "../e2e/replica.rs"]
mod replica;
#[allow(dead_code)]
#[path = "../e2e/support.rs"]
mod support;

mod cases;
mod input;
mod load;
mod revoked;
mod state;
