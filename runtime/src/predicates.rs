//! Predicates decide which child changes wake the primary.
//!
//! A predicate maps an object to a value; the primary wakes when the value differs from the one
//! last seen for that object (a new object always wakes it, and so does a deletion). These are
//! kube-runtime's predicates, plus the default this crate applies when a kind declares none.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use kube::Resource;
pub use kube::runtime::predicates::{
    annotations, finalizers, generation, labels, resource_version,
};

/// The predicate used when a `#[secondary(...)]` declares none.
///
/// Objects whose spec is versioned by `metadata.generation` (Deployments, StatefulSets, Jobs,
/// custom resources with a status subresource…) wake on generation, label or annotation changes,
/// so status heartbeats are ignored. Objects without a generation (ConfigMaps, Secrets, Services…)
/// wake on every new `resourceVersion`, because any write to them is a change of content.
///
/// ```
/// use k8s_openapi::api::apps::v1::{Deployment, DeploymentStatus};
/// use kube_secondary::predicates::default_predicate;
///
/// let mut deployment = Deployment::default();
/// deployment.metadata.generation = Some(1);
/// let seen = default_predicate(&deployment);
///
/// // A status heartbeat: same value, nobody wakes.
/// deployment.status = Some(DeploymentStatus { ready_replicas: Some(1), ..Default::default() });
/// deployment.metadata.resource_version = Some("42".into());
/// assert_eq!(default_predicate(&deployment), seen);
///
/// // Someone scaled it: the API server bumps the generation, the primary wakes.
/// deployment.metadata.generation = Some(2);
/// assert_ne!(default_predicate(&deployment), seen);
/// ```
pub fn default_predicate<K: Resource>(obj: &K) -> Option<u64> {
    match generation(obj) {
        Some(generation) => combine(combine(Some(generation), labels(obj)), annotations(obj)),
        None => resource_version(obj),
    }
}

/// Combines two predicate values so that a change in either changes the result.
///
/// ```
/// use k8s_openapi::api::core::v1::ConfigMap;
/// use kube_secondary::predicates::{annotations, combine, labels};
///
/// let labels_or_annotations = |cm: &ConfigMap| combine(labels(cm), annotations(cm));
/// let mut cm = ConfigMap::default();
/// let seen = labels_or_annotations(&cm);
/// cm.metadata.labels = Some([("tier".to_string(), "db".to_string())].into());
/// assert_ne!(labels_or_annotations(&cm), seen);
/// ```
pub fn combine(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (None, None) => None,
        (a, b) => {
            let mut hasher = DefaultHasher::new();
            a.hash(&mut hasher);
            b.hash(&mut hasher);
            Some(hasher.finish())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::Deployment;
    use k8s_openapi::api::core::v1::ConfigMap;

    fn deployment(generation: i64, rv: &str) -> Deployment {
        let mut d = Deployment::default();
        d.metadata.generation = Some(generation);
        d.metadata.resource_version = Some(rv.into());
        d
    }

    #[test]
    fn default_ignores_status_only_updates_of_generation_objects() {
        assert_eq!(
            default_predicate(&deployment(1, "10")),
            default_predicate(&deployment(1, "11"))
        );
        assert_ne!(
            default_predicate(&deployment(1, "10")),
            default_predicate(&deployment(2, "11"))
        );
    }

    #[test]
    fn default_follows_labels_of_generation_objects() {
        let plain = deployment(1, "10");
        let mut labelled = deployment(1, "11");
        labelled.metadata.labels = Some([("tier".to_string(), "db".to_string())].into());
        assert_ne!(default_predicate(&plain), default_predicate(&labelled));
    }

    #[test]
    fn default_uses_resource_version_without_generation() {
        let mut a = ConfigMap::default();
        a.metadata.resource_version = Some("1".into());
        let mut b = a.clone();
        b.metadata.resource_version = Some("2".into());
        assert_ne!(default_predicate(&a), default_predicate(&b));
        assert_eq!(default_predicate(&a), default_predicate(&a.clone()));
    }

    #[test]
    fn combine_changes_when_either_side_changes() {
        assert_eq!(combine(None, None), None);
        assert_ne!(combine(Some(1), Some(2)), combine(Some(1), Some(3)));
        assert_ne!(combine(Some(1), None), combine(Some(2), None));
    }
}
