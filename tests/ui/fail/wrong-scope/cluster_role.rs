//! A namespaced primary cannot own a cluster-scoped kind.

use k8s_openapi::api::core::v1::Service;
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
#[secondary(Service)]
#[secondary(k8s_openapi::api::rbac::v1::ClusterRole)]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {}
