//! The smallest declaration: one owned kind, default predicate, owner mapping, default resync.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
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
#[secondary(Deployment)]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {
    let children = DatabaseSecondaries::default();
    let deployments: &Vec<Arc<Deployment>> = &children.deployments;
    assert!(deployments.is_empty());

    assert_eq!(
        DatabaseSecondaryKind::ALL,
        &[DatabaseSecondaryKind::Deployment]
    );
    match DatabaseSecondaryKind::Deployment {
        DatabaseSecondaryKind::Deployment => {}
    }
    assert_eq!(DatabaseSecondaryKind::Deployment.name(), "Deployment");
    assert_eq!(DatabaseSecondaryKind::Deployment.to_string(), "Deployment");

    let options = <Database as SecondaryAware>::options();
    assert_eq!(options.resync, Duration::from_secs(30 * 60));
    assert_eq!(options.periodic, None);

    // Runs `declare`: the primary's rules (itself, its status, its finalizers), one per
    // declared kind, then Events.
    let rules = kube_secondary::rbac::policy_rules::<Database>();
    assert_eq!(rules.len(), 5);
    assert_eq!(
        rules[3].resources.as_deref(),
        Some(&["deployments".to_string()][..])
    );
}
