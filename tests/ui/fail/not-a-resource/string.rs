//! A plain Rust type is not a resource.

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
#[secondary(String)]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {}
