//! End-to-end tests against a real Kubernetes control plane.
//!
//! Run them with `cargo xtask test`, or against a running cluster:
//! `cargo xtask cluster up`, `eval "$(cargo xtask cluster env)"` (KUBECONFIG, KUBE_SECONDARY_PKI),
//! `cargo test -p kube-secondary-tests --features e2e --test e2e`.
//! Each test works in a namespace of its own and deletes it at the end.

mod children;
mod cluster;
mod cronjob;
mod database;
mod deleted;
mod echoes;
mod failures;
mod faults;
mod latest;
mod leader;
mod lifecycle;
mod memcached;
mod ownership;
mod primary_all;
mod probe;
mod reader;
// Shared with the fault suite, which reads replicas' metrics too.
#[allow(dead_code)]
mod replica;
mod replset;
mod shipping;
mod summary;
mod support;
mod trust;
