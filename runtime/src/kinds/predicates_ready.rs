//! Readiness as a boolean, from the same fields [`readiness`](super::readiness) watches.

use std::any::Any;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;

/// Whether a built-in workload is ready, from the fields of the readiness table
/// ([`readiness`](super::readiness)); `None` for other kinds.
///
/// | kind | ready when |
/// |---|---|
/// | Pod | its `Ready` condition is `True` |
/// | Deployment | the controller saw its spec (`observedGeneration`) and `availableReplicas` reached `spec.replicas` (default 1) |
/// | StatefulSet | the controller saw its spec, `readyReplicas` reached `spec.replicas` (default 1) and the update revision is current |
/// | ReplicaSet | the controller saw its spec and `readyReplicas` reached `spec.replicas` (default 1) |
/// | DaemonSet | the controller saw its spec and `numberReady` reached `desiredNumberScheduled` |
/// | Job | its `Complete` condition is `True` (a running or failed Job is not) |
///
/// ```
/// use k8s_openapi::api::core::v1::{Pod, PodCondition, PodStatus};
/// use kube_secondary::predicates::is_ready;
///
/// let pod = |ready: &str| Pod {
///     status: Some(PodStatus {
///         conditions: Some(vec![PodCondition { type_: "Ready".into(), status: ready.into(), ..Default::default() }]),
///         ..Default::default()
///     }),
///     ..Default::default()
/// };
/// assert_eq!(is_ready(&pod("True")), Some(true));
/// assert_eq!(is_ready(&pod("False")), Some(false));
/// assert_eq!(is_ready(&k8s_openapi::api::core::v1::ConfigMap::default()), None);
/// ```
pub fn is_ready<K: 'static>(obj: &K) -> Option<bool> {
    let obj = obj as &dyn Any;
    let reached =
        |count: Option<i32>, wanted: Option<i32>| count.unwrap_or(0) >= wanted.unwrap_or(1);
    let seen = |observed: Option<i64>, generation: Option<i64>| observed >= generation;
    let condition_true = |conditions: Option<Vec<(&str, &str)>>, wanted: &str| {
        conditions
            .into_iter()
            .flatten()
            .any(|(type_, status)| type_ == wanted && status == "True")
    };
    if let Some(pod) = obj.downcast_ref::<Pod>() {
        let conditions = pod.status.as_ref().and_then(|s| s.conditions.as_ref());
        let pairs = conditions.map(|cs| {
            cs.iter()
                .map(|c| (c.type_.as_str(), c.status.as_str()))
                .collect()
        });
        return Some(condition_true(pairs, "Ready"));
    }
    if let Some(deployment) = obj.downcast_ref::<Deployment>() {
        let status = deployment.status.clone().unwrap_or_default();
        return Some(
            seen(status.observed_generation, deployment.metadata.generation)
                && reached(status.available_replicas, deployment.spec.replicas),
        );
    }
    if let Some(set) = obj.downcast_ref::<StatefulSet>() {
        let status = set.status.clone().unwrap_or_default();
        return Some(
            seen(status.observed_generation, set.metadata.generation)
                && reached(status.ready_replicas, set.spec.replicas)
                && status.current_revision == status.update_revision,
        );
    }
    if let Some(set) = obj.downcast_ref::<ReplicaSet>() {
        let status = set.status.clone().unwrap_or_default();
        let wanted = set.spec.replicas;
        return Some(
            seen(status.observed_generation, set.metadata.generation)
                && reached(status.ready_replicas, wanted),
        );
    }
    if let Some(set) = obj.downcast_ref::<DaemonSet>() {
        let status = set.status.clone().unwrap_or_default();
        return Some(
            seen(status.observed_generation, set.metadata.generation)
                && status.number_ready >= status.desired_number_scheduled,
        );
    }
    if let Some(job) = obj.downcast_ref::<Job>() {
        let conditions = job.status.as_ref().and_then(|s| s.conditions.as_ref());
        let pairs = conditions.map(|cs| {
            cs.iter()
                .map(|c| (c.type_.as_str(), c.status.as_str()))
                .collect()
        });
        return Some(condition_true(pairs, "Complete"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn typed<K: serde::de::DeserializeOwned>(value: serde_json::Value) -> K {
        serde_json::from_value(value).expect("a valid object")
    }

    #[test]
    fn a_deployment_is_ready_once_its_controller_saw_its_spec_and_enough_replicas_are_available() {
        let deployment = |observed: i64, available: i32| -> Deployment {
            typed(json!({
                "metadata": { "name": "d", "generation": 2 },
                "spec": { "replicas": 3, "selector": {}, "template": {} },
                "status": { "observedGeneration": observed, "availableReplicas": available },
            }))
        };
        assert_eq!(is_ready(&deployment(2, 3)), Some(true));
        assert_eq!(is_ready(&deployment(2, 2)), Some(false));
        assert_eq!(
            is_ready(&deployment(1, 3)),
            Some(false),
            "an older spec's replicas"
        );
    }

    #[test]
    fn a_stateful_set_is_ready_with_its_replicas_ready_on_the_current_revision() {
        let set = |ready: i32, current: &str| -> StatefulSet {
            typed(json!({
                "metadata": { "name": "s", "generation": 1 },
                "spec": { "replicas": 2, "selector": {}, "template": {}, "serviceName": "s" },
                "status": { "observedGeneration": 1, "replicas": 2, "readyReplicas": ready,
                    "currentRevision": current, "updateRevision": "r2" },
            }))
        };
        assert_eq!(is_ready(&set(2, "r2")), Some(true));
        assert_eq!(is_ready(&set(2, "r1")), Some(false), "rolling");
        assert_eq!(is_ready(&set(1, "r2")), Some(false));
    }

    #[test]
    fn a_job_is_ready_when_complete_and_not_while_running_or_failed() {
        let job = |condition: &str| -> Job {
            typed(
                json!({ "metadata": { "name": "j" }, "spec": { "template": {} },
                "status": { "conditions": [{ "type": condition, "status": "True" }] } }),
            )
        };
        assert_eq!(is_ready(&job("Complete")), Some(true));
        assert_eq!(is_ready(&job("Failed")), Some(false));
        assert_eq!(is_ready(&job("Suspended")), Some(false));
    }
}
