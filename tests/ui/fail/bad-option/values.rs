//! Flags take no value, fields are names, selectors are non-empty strings.

use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service};
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
#[secondary(Secret, metadata_only = true)]
#[secondary(Service, field = "svc")]
#[secondary(ConfigMap, selector = "")]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {}
