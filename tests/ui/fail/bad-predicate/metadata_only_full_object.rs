//! With `metadata_only` a predicate receives metadata, not the whole object.

use k8s_openapi::api::core::v1::Secret;
use kube::CustomResource;
use kube_secondary::SecondaryAware;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Reads the data of the secret, which a metadata-only watch never has.
fn has_tls_data(secret: &Secret) -> Option<u64> {
    Some(u64::from(secret.data.as_ref()?.contains_key("tls.crt")))
}

#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "demo.example.com",
    version = "v1",
    kind = "Database",
    namespaced
)]
#[secondary(Secret, metadata_only, predicate = has_tls_data)]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {}
