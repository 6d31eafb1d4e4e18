//! Runnable operators built with kube-secondary, and the baselines the benchmark compares them to.
//!
//! Every operator here does the same job for the `Database` custom resource; only how it learns
//! about drift differs.

pub mod baseline;
pub mod cronjob;
pub mod database;
pub mod memcached;
pub mod replset;
pub mod support;
