//! The spec struct is not a resource: the kind must be the resource, not its spec.

use k8s_openapi::api::apps::v1::DeploymentSpec;
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
#[secondary(DeploymentSpec)]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {}
