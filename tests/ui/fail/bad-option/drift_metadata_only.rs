//! A drift rule compares whole objects; a `metadata_only` kind is created, never applied.

use k8s_openapi::api::core::v1::Secret;
use kube::CustomResource;
use kube_secondary::SecondaryAware;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod rules {
    use k8s_openapi::api::core::v1::Secret;

    pub fn secret_drifted(desired: &Secret, cached: &Secret) -> bool {
        desired.data != cached.data
    }
}

#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "demo.example.com",
    version = "v1",
    kind = "Database",
    namespaced
)]
#[secondary(Secret, metadata_only, drift = rules::secret_drifted)]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {}
