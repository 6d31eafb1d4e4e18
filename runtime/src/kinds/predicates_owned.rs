//! The default predicate: what the controller owns in a child, by its `managedFields` entries.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use kube::Resource;
use serde_json::Value;

use super::{combine, readiness, unowned};

/// The predicate used when a `#[secondary(...)]` declares none, for the controller whose field
/// manager is `field_manager`.
///
/// A child this controller wrote (it has a `managedFields` entry of `field_manager`) wakes its
/// primary when:
/// - what the controller owns in it changes ([`owned_fields`]): another manager changed or
///   removed a field, label or annotation the controller set (the API server moves the field to
///   the manager that changed it), or the controller applied something else;
/// - it turns ready or not ([`readiness`]), or starts terminating;
/// - it is created or deleted (every predicate passes those).
///
/// Labels, annotations and fields other managers add, status heartbeats and the API server's own
/// bookkeeping (a Deployment's revision annotation, its generation) wake nothing: the handler's
/// [`apply`](crate::Context::apply) would find nothing of its own changed. A child the
/// controller never wrote falls back to [`unowned`].
///
/// A handler that reads a child's status beyond readiness (a Service's load-balancer address, a
/// Job's active count) declares it: `predicate = resource_version`, or a function of its own.
///
/// ```
/// use k8s_openapi::api::core::v1::ConfigMap;
/// use k8s_openapi::apimachinery::pkg::apis::meta::v1::{FieldsV1, ManagedFieldsEntry, ObjectMeta};
/// use kube_secondary::predicates::default_predicate;
///
/// let entry = |manager: &str, fields: serde_json::Value| ManagedFieldsEntry {
///     manager: Some(manager.into()),
///     operation: Some("Apply".into()),
///     fields_v1: Some(FieldsV1(fields)),
///     ..Default::default()
/// };
/// let ours = serde_json::json!({ "f:data": { "f:mode": {} } });
/// let config = |entries: Vec<ManagedFieldsEntry>, version: &str| ConfigMap {
///     metadata: ObjectMeta {
///         managed_fields: Some(entries),
///         resource_version: Some(version.into()),
///         ..Default::default()
///     },
///     ..Default::default()
/// };
/// let wakes = default_predicate::<ConfigMap>("database-controller");
/// let seen = wakes(&config(vec![entry("database-controller", ours.clone())], "1"));
///
/// // Another manager added a label: nothing of ours changed.
/// let labelled = vec![
///     entry("database-controller", ours.clone()),
///     entry("kubectl", serde_json::json!({ "f:metadata": { "f:labels": { "f:team": {} } } })),
/// ];
/// assert_eq!(wakes(&config(labelled, "2")), seen);
///
/// // Another manager changed `data.mode`: the field is no longer ours, the primary wakes.
/// let taken = vec![
///     entry("database-controller", serde_json::json!({ "f:data": {} })),
///     entry("kubectl", ours.clone()),
/// ];
/// assert_ne!(wakes(&config(taken, "3")), seen);
/// ```
pub fn default_predicate<K: Resource + 'static>(
    field_manager: &str,
) -> impl Fn(&K) -> Option<u64> + Send + Sync + 'static {
    let manager: Arc<str> = field_manager.into();
    move |obj: &K| match owned_fields(obj, &manager) {
        Some(owned) => {
            let terminating = obj.meta().deletion_timestamp.is_some();
            let state = combine(readiness(obj), Some(u64::from(terminating)));
            combine(Some(owned), state)
        }
        None => unowned(obj),
    }
}

/// What `field_manager` owns in `obj`: a hash of its `managedFields` entries (operation,
/// subresource and field set; not their timestamps), `None` without any.
///
/// The API server moves a field to the manager that changes it, so another manager's change of a
/// field `field_manager` set changes this value, and nothing else does but `field_manager`'s own
/// writes.
pub fn owned_fields<K: Resource>(obj: &K, field_manager: &str) -> Option<u64> {
    let entries = obj.meta().managed_fields.as_ref()?;
    let mut hasher = DefaultHasher::new();
    let mut found = false;
    for entry in entries
        .iter()
        .filter(|entry| entry.manager.as_deref() == Some(field_manager))
    {
        found = true;
        entry.operation.hash(&mut hasher);
        entry.subresource.hash(&mut hasher);
        match &entry.fields_v1 {
            Some(fields) => hash_value(&fields.0, &mut hasher),
            None => 0u8.hash(&mut hasher),
        }
    }
    found.then(|| hasher.finish())
}

/// Hashes a JSON value in place, without serialising it.
fn hash_value(value: &Value, hasher: &mut impl Hasher) {
    match value {
        Value::Null => 0u8.hash(hasher),
        Value::Bool(b) => (1u8, b).hash(hasher),
        Value::Number(n) => (2u8, n.to_string()).hash(hasher),
        Value::String(s) => (3u8, s).hash(hasher),
        Value::Array(items) => {
            (4u8, items.len()).hash(hasher);
            items.iter().for_each(|item| hash_value(item, hasher));
        }
        Value::Object(fields) => {
            (5u8, fields.len()).hash(hasher);
            for (key, value) in fields {
                key.hash(hasher);
                hash_value(value, hasher);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::{Deployment, DeploymentStatus};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{FieldsV1, ManagedFieldsEntry, Time};
    use serde_json::json;

    const MANAGER: &str = "database-controller";

    fn entry(manager: &str, operation: &str, fields: Value) -> ManagedFieldsEntry {
        ManagedFieldsEntry {
            manager: Some(manager.into()),
            operation: Some(operation.into()),
            fields_v1: Some(FieldsV1(fields)),
            ..Default::default()
        }
    }

    fn deployment(entries: Vec<ManagedFieldsEntry>) -> Deployment {
        let mut deployment = Deployment::default();
        deployment.metadata.generation = Some(1);
        deployment.metadata.managed_fields = Some(entries);
        deployment
    }

    fn ours() -> Value {
        json!({ "f:spec": { "f:replicas": {} }, "f:metadata": { "f:labels": { "f:app": {} } } })
    }

    #[test]
    fn foreign_labels_annotations_generation_and_heartbeats_wake_nothing() {
        let wakes = default_predicate::<Deployment>(MANAGER);
        let seen = wakes(&deployment(vec![entry(MANAGER, "Apply", ours())]));
        let mut noisy = deployment(vec![
            entry(MANAGER, "Apply", ours()),
            entry(
                "kubectl-label",
                "Update",
                json!({ "f:metadata": { "f:labels": { "f:team": {} }, "f:annotations": { "f:note": {} } } }),
            ),
        ]);
        noisy.metadata.generation = Some(2);
        noisy.metadata.labels = Some([("team".to_string(), "a".to_string())].into());
        noisy.metadata.resource_version = Some("99".into());
        noisy.status = Some(DeploymentStatus {
            observed_generation: Some(2),
            unavailable_replicas: Some(3),
            ..Default::default()
        });
        assert_eq!(wakes(&noisy), seen);
        // The timestamp of our own entry is not what we own.
        let mut later = deployment(vec![entry(MANAGER, "Apply", ours())]);
        later.metadata.managed_fields.as_mut().unwrap()[0].time = Some(Time(Default::default()));
        assert_eq!(wakes(&later), seen);
    }

    #[test]
    fn a_field_taken_or_removed_readiness_and_termination_wake() {
        let wakes = default_predicate::<Deployment>(MANAGER);
        let seen = wakes(&deployment(vec![entry(MANAGER, "Apply", ours())]));
        let taken = deployment(vec![
            entry(
                MANAGER,
                "Apply",
                json!({ "f:metadata": { "f:labels": { "f:app": {} } } }),
            ),
            entry(
                "kubectl-scale",
                "Update",
                json!({ "f:spec": { "f:replicas": {} } }),
            ),
        ]);
        assert_ne!(wakes(&taken), seen, "a field another manager changed");
        let mut ready = deployment(vec![entry(MANAGER, "Apply", ours())]);
        ready.status = Some(DeploymentStatus {
            ready_replicas: Some(1),
            ..Default::default()
        });
        assert_ne!(wakes(&ready), seen, "a readiness transition");
        let mut terminating = deployment(vec![entry(MANAGER, "Apply", ours())]);
        terminating.metadata.deletion_timestamp = Some(Time(Default::default()));
        assert_ne!(wakes(&terminating), seen, "terminating");
        let created = deployment(vec![
            entry(MANAGER, "Apply", ours()),
            entry(MANAGER, "Update", json!({ "f:metadata": {} })),
        ]);
        assert_ne!(wakes(&created), seen, "another entry of ours");
    }

    #[test]
    fn a_child_the_controller_never_wrote_falls_back_to_unowned() {
        let wakes = default_predicate::<Deployment>(MANAGER);
        let theirs = |generation| {
            let mut deployment = deployment(vec![entry("helm", "Apply", ours())]);
            deployment.metadata.generation = Some(generation);
            deployment
        };
        assert_eq!(wakes(&theirs(1)), unowned(&theirs(1)));
        assert_ne!(wakes(&theirs(1)), wakes(&theirs(2)));
        assert_eq!(owned_fields(&theirs(1), MANAGER), None);
    }

    #[test]
    fn a_compact_field_set_hashes_as_its_text() {
        let tree = deployment(vec![entry(MANAGER, "Apply", ours())]);
        let text = deployment(vec![entry(MANAGER, "Apply", json!(ours().to_string()))]);
        assert_ne!(owned_fields(&tree, MANAGER), None);
        assert_ne!(owned_fields(&text, MANAGER), None);
        let other = deployment(vec![entry(MANAGER, "Apply", json!("{}"))]);
        assert_ne!(owned_fields(&text, MANAGER), owned_fields(&other, MANAGER));
    }
}
