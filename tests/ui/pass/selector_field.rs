//! `selector` narrows the watch; `field` names the cache field and the kind's variant.

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
    kind = "Database",
    namespaced
)]
#[secondary(Pod, map = label("app.kubernetes.io/instance"), selector = "app=db", field = members)]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {
    let members: Vec<Arc<Pod>> = DatabaseSecondaries::default().members;
    assert!(members.is_empty());
    match DatabaseSecondaryKind::Members {
        DatabaseSecondaryKind::Members => {}
    }
    assert_eq!(DatabaseSecondaryKind::Members.name(), "Members");
    // The primary, its status and its finalizers, one rule per kind, then Events.
    assert_eq!(kube_secondary::rbac::policy_rules::<Database>().len(), 5);
    let _ = <Database as SecondaryAware>::options();
}
