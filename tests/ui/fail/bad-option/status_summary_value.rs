//! `status_summary` is a flag of `#[secondaries(...)]`: it takes no value.

use k8s_openapi::api::core::v1::ConfigMap;
use kube::CustomResource;
use kube_secondary::SecondaryAware;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "demo.example.com",
    version = "v1",
    kind = "Database",
    namespaced
)]
#[secondaries(status_summary = true)]
#[secondary(ConfigMap)]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {}
