//! Every predicate form: each built-in name, a user function by name and by path, and `|`.

use std::hash::{DefaultHasher, Hash, Hasher};

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Service};
use kube::CustomResource;
use kube_secondary::SecondaryAware;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Wakes the primary when the data of a ConfigMap changes.
fn data_hash(config_map: &ConfigMap) -> Option<u64> {
    let mut hasher = DefaultHasher::new();
    config_map.data.hash(&mut hasher);
    Some(hasher.finish())
}

mod checks {
    use k8s_openapi::api::core::v1::PersistentVolumeClaim;

    /// Wakes the primary when a claim's phase changes.
    pub fn phase(claim: &PersistentVolumeClaim) -> Option<u64> {
        let phase = claim.status.as_ref()?.phase.as_ref()?;
        Some(phase.len() as u64)
    }
}

#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "demo.example.com",
    version = "v1",
    kind = "Database",
    namespaced
)]
#[secondary(Deployment, predicate = generation)]
#[secondary(StatefulSet, predicate = resource_version)]
#[secondary(Service, predicate = labels | annotations)]
#[secondary(ConfigMap, predicate = data_hash | labels)]
#[secondary(PersistentVolumeClaim, predicate = checks::phase | (generation | annotations))]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {
    let children = DatabaseSecondaries::default();
    let _: (&Vec<_>, &Vec<_>, &Vec<_>, &Vec<_>, &Vec<_>) = (
        &children.deployments,
        &children.stateful_sets,
        &children.services,
        &children.config_maps,
        &children.persistent_volume_claims,
    );
    assert_eq!(DatabaseSecondaryKind::ALL.len(), 5);
    assert_eq!(DatabaseSecondaryKind::StatefulSet.name(), "StatefulSet");
    assert!(DatabaseSecondaryKind::Deployment < DatabaseSecondaryKind::PersistentVolumeClaim);

    assert_eq!(
        kube_secondary::rbac::policy_rules::<Database>().len(),
        3 + 5 + 1
    );
}
