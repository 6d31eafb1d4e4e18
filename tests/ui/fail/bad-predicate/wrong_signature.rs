//! A predicate is `fn(&Kind) -> Option<u64>`.

use k8s_openapi::api::core::v1::ConfigMap;
use kube::CustomResource;
use kube_secondary::SecondaryAware;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod checks {
    use k8s_openapi::api::core::v1::ConfigMap;

    pub fn is_ready(config_map: &ConfigMap) -> bool {
        config_map.data.is_some()
    }
}

#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "demo.example.com",
    version = "v1",
    kind = "Database",
    namespaced
)]
#[secondary(ConfigMap, predicate = checks::is_ready)]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {}
