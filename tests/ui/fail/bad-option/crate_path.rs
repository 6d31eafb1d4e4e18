//! The crate path must be a path.

use k8s_openapi::api::apps::v1::Deployment;
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
#[secondaries(crate = "not a path")]
#[secondary(Deployment)]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {}
