//! `map = label("key")`: children without ownerReferences name their primary in a label.

use std::sync::Arc;

use k8s_openapi::api::core::v1::Pod;
use kube::CustomResource;
use kube_secondary::SecondaryAware;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "demo.example.com",
    version = "v1",
    kind = "ReplSet",
    namespaced
)]
#[secondary(Pod, map = label("app.kubernetes.io/instance"))]
pub struct ReplSetSpec {
    pub members: i32,
}

fn main() {
    let pods: Vec<Arc<Pod>> = ReplSetSecondaries::default().pods;
    assert!(pods.is_empty());
    assert_eq!(ReplSetSecondaryKind::Pod.to_string(), "Pod");
    // The primary, its status and its finalizers, one rule per kind, then Events.
    assert_eq!(kube_secondary::rbac::policy_rules::<ReplSet>().len(), 5);
    let _ = <ReplSet as SecondaryAware>::options();
}
