//! A namespaced primary cannot own a Namespace, even by label.

use k8s_openapi::api::core::v1::Namespace;
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
#[secondary(Namespace, map = label("demo.example.com/database"))]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {}
