//! Two types with the same name need `field = ...`.

use k8s_openapi::api::apps::v1::Deployment;
use kube::CustomResource;
use kube_secondary::SecondaryAware;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod legacy {
    pub use k8s_openapi::api::apps::v1::Deployment;
}

#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "demo.example.com",
    version = "v1",
    kind = "Database",
    namespaced
)]
#[secondary(Deployment)]
#[secondary(legacy::Deployment)]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {}
