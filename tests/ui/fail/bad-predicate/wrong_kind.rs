//! A predicate of another kind does not fit.

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::CustomResource;
use kube_secondary::SecondaryAware;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

fn secret_hash(secret: &Secret) -> Option<u64> {
    Some(secret.data.as_ref()?.len() as u64)
}

#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "demo.example.com",
    version = "v1",
    kind = "Database",
    namespaced
)]
#[secondary(ConfigMap, predicate = secret_hash)]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {}
