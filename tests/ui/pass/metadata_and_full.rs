//! One type may be cached twice when written two ways, once whole and once as metadata only:
//! the cached types differ, and each names its own cache.

use std::sync::Arc;

use k8s_openapi::api::core::v1::Secret;
use kube::CustomResource;
use kube::core::PartialObjectMeta;
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
#[secondary(Secret, map = label("app.kubernetes.io/instance"))]
#[secondary(k8s_openapi::api::core::v1::Secret, metadata_only, field = owned_secrets)]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {
    let children = DatabaseSecondaries::default();
    let labelled: Vec<Arc<Secret>> = children.secrets;
    let owned: Vec<Arc<PartialObjectMeta<Secret>>> = children.owned_secrets;
    assert!(labelled.is_empty() && owned.is_empty());
}
