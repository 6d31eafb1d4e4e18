//! `metadata_only`: the cache holds `PartialObjectMeta<K>`; a user predicate receives it too.

use std::sync::Arc;

use k8s_openapi::api::core::v1::Secret;
use kube::core::PartialObjectMeta;
use kube::{CustomResource, ResourceExt};
use kube_secondary::SecondaryAware;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Wakes the primary when the secret's labels change; it sees metadata only.
fn label_count(secret: &PartialObjectMeta<Secret>) -> Option<u64> {
    Some(secret.labels().len() as u64)
}

#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "demo.example.com",
    version = "v1",
    kind = "Database",
    namespaced
)]
#[secondary(Secret, metadata_only, predicate = label_count | generation)]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {
    let children = DatabaseSecondaries::default();
    let secrets: Vec<Arc<PartialObjectMeta<Secret>>> = children.secrets;
    assert!(secrets.is_empty());
    let _ = DatabaseSecondaryKind::Secret;
    // The primary, its status and its finalizers, one rule per kind, then Events.
    assert_eq!(kube_secondary::rbac::policy_rules::<Database>().len(), 5);
    let _ = <Database as SecondaryAware>::options();
}
