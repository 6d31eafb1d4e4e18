//! The aggregated `primary-all` API, served by `kube-secondary-apiserver` in this process and
//! reached through the real kube-apiserver's aggregation layer, or straight for authentication.
//!
//! The server these tests share serves Databases with children of six kinds and the
//! `app.kubernetes.io/instance` label mapping; the control plane's certificates come from
//! `KUBE_SECONDARY_PKI`, which `cargo xtask test` sets.

mod access;
mod authn;
mod client;
mod errors;
mod fixtures;
mod freshness;
mod identity;
mod kubectl;
mod metrics;
mod pki;
mod requests;
mod serving;
mod shared;
mod stale;
mod tree;
