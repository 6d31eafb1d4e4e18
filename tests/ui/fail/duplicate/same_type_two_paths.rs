//! One type written two ways is still one kind: its cache is found by its type.

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
#[secondary(Deployment, predicate = generation)]
#[secondary(k8s_openapi::api::apps::v1::Deployment, field = workers)]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {}
