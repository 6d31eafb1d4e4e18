//! Predicates decide which child changes wake the primary.
//!
//! A predicate maps an object to a value; the primary wakes when the value differs from the one
//! last seen for that object (a new object always wakes it, and so does a deletion). These are
//! kube-runtime's predicates, plus the default this crate applies when a kind declares none: a
//! child wakes its primary when what its controller owns in it changes ([`owned_fields`]), when it
//! turns ready or not ([`readiness`]), starts terminating, appears or goes.

use std::any::Any;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use kube::Resource;
pub use kube::runtime::predicates::{
    annotations, finalizers, generation, labels, resource_version,
};

/// What wakes a primary for a child its controller never wrote (no `managedFields` entry of its
/// field manager: adopted, label-mapped, or written with another manager); the
/// [`default_predicate`] of children it wrote is [`owned_fields`].
///
/// Objects whose spec is versioned by `metadata.generation` (Deployments, StatefulSets, Jobs,
/// Pods on Kubernetes 1.33 and later, custom resources with a status subresource…) wake on
/// generation, label or annotation changes and on the [`readiness`] transitions of their status,
/// so status heartbeats are ignored. Objects without a generation (ConfigMaps, Secrets,
/// Services…) wake on every new `resourceVersion`, because any write to them is a change of
/// content. A Deployment's generation also moves when its annotations change.
///
/// ```
/// use k8s_openapi::api::apps::v1::{Deployment, DeploymentStatus};
/// use kube_secondary::predicates::unowned;
///
/// let mut deployment = Deployment::default();
/// deployment.metadata.generation = Some(1);
/// let seen = unowned(&deployment);
///
/// // A status heartbeat: same value, nobody wakes.
/// deployment.status = Some(DeploymentStatus { observed_generation: Some(1), ..Default::default() });
/// deployment.metadata.resource_version = Some("42".into());
/// assert_eq!(unowned(&deployment), seen);
///
/// // A replica became ready: a readiness transition wakes the primary.
/// deployment.status = Some(DeploymentStatus { ready_replicas: Some(1), ..Default::default() });
/// assert_ne!(unowned(&deployment), seen);
///
/// // Someone scaled it: the API server bumps the generation, the primary wakes.
/// deployment.metadata.generation = Some(2);
/// assert_ne!(unowned(&deployment), seen);
/// ```
pub fn unowned<K: Resource + 'static>(obj: &K) -> Option<u64> {
    match generation(obj) {
        Some(generation) => {
            let metadata = combine(combine(Some(generation), labels(obj)), annotations(obj));
            combine(metadata, readiness(obj))
        }
        None => resource_version(obj),
    }
}

/// The part of a built-in workload's status that says whether it is ready, so the default
/// predicate passes readiness and phase transitions and filters heartbeats:
///
/// | kind | what counts |
/// |---|---|
/// | Pod | `status.phase`; the status of the built-in conditions (`Ready`, `ContainersReady`, `Initialized`, `PodScheduled`, `PodReadyToStartContainers`) |
/// | Deployment | ready and available replicas; each condition's type and status |
/// | StatefulSet | ready and available replicas; whether the update revision is current |
/// | ReplicaSet | ready and available replicas |
/// | DaemonSet | ready and available numbers |
/// | Job | each condition's type and status (`Complete`, `Failed`, `Suspended`…) |
///
/// A rollout's progress (updated replicas) is not readiness and does not count; a count that is
/// absent counts as zero. Condition timestamps, reasons and messages, and every
/// other kind's status, do not count; `None` for other kinds and for metadata-only objects.
///
/// ```
/// use k8s_openapi::api::core::v1::{Pod, PodCondition, PodStatus};
/// use kube_secondary::predicates::readiness;
///
/// let condition = |status: &str, probed: &str| PodCondition {
///     type_: "Ready".into(),
///     status: status.into(),
///     message: Some(probed.into()),
///     ..Default::default()
/// };
/// let pod = |ready| Pod {
///     status: Some(PodStatus { phase: Some("Running".into()), conditions: Some(vec![ready]), ..Default::default() }),
///     ..Default::default()
/// };
/// assert_eq!(readiness(&pod(condition("False", "a"))), readiness(&pod(condition("False", "b"))));
/// assert_ne!(readiness(&pod(condition("False", "a"))), readiness(&pod(condition("True", "a"))));
/// ```
pub fn readiness<K: 'static>(obj: &K) -> Option<u64> {
    /// The Pod conditions Kubernetes itself sets; readiness gates and other custom conditions
    /// are left to a user predicate.
    const POD_CONDITIONS: [&str; 5] = [
        "Ready",
        "ContainersReady",
        "Initialized",
        "PodScheduled",
        "PodReadyToStartContainers",
    ];

    use k8s_openapi::api::apps::v1::{
        DaemonSet, DaemonSetStatus, Deployment, DeploymentStatus, ReplicaSet, ReplicaSetStatus,
        StatefulSet, StatefulSetStatus,
    };
    use k8s_openapi::api::batch::v1::Job;
    use k8s_openapi::api::core::v1::Pod;

    fn types_and_statuses<T: Ord>(conditions: impl IntoIterator<Item = T>) -> Vec<T> {
        let mut pairs: Vec<_> = conditions.into_iter().collect();
        pairs.sort();
        pairs
    }

    let obj = obj as &dyn Any;
    let mut hasher = DefaultHasher::new();
    // An absent status and an empty one say the same: nothing is ready yet.
    let counts = |counts: &[Option<i32>]| counts.iter().map(|c| c.unwrap_or(0)).collect::<Vec<_>>();
    if let Some(pod) = obj.downcast_ref::<Pod>() {
        let status = pod.status.as_ref();
        status.and_then(|s| s.phase.as_ref()).hash(&mut hasher);
        let conditions = status
            .and_then(|s| s.conditions.as_ref())
            .into_iter()
            .flatten();
        let built_in = conditions.filter(|c| POD_CONDITIONS.contains(&c.type_.as_str()));
        types_and_statuses(built_in.map(|c| (&c.type_, &c.status))).hash(&mut hasher);
    } else if let Some(deployment) = obj.downcast_ref::<Deployment>() {
        let status = deployment.status.as_ref();
        let replicas = |f: fn(&DeploymentStatus) -> Option<i32>| status.and_then(f);
        counts(&[
            replicas(|s| s.ready_replicas),
            replicas(|s| s.available_replicas),
        ])
        .hash(&mut hasher);
        let conditions = status
            .and_then(|s| s.conditions.as_ref())
            .into_iter()
            .flatten();
        types_and_statuses(conditions.map(|c| (&c.type_, &c.status))).hash(&mut hasher);
    } else if let Some(set) = obj.downcast_ref::<StatefulSet>() {
        let status = set.status.as_ref();
        let replicas = |f: fn(&StatefulSetStatus) -> Option<i32>| status.and_then(f);
        counts(&[
            replicas(|s| s.ready_replicas),
            replicas(|s| s.available_replicas),
        ])
        .hash(&mut hasher);
        status
            .is_none_or(|s| s.current_revision == s.update_revision)
            .hash(&mut hasher);
    } else if let Some(set) = obj.downcast_ref::<ReplicaSet>() {
        let status = set.status.as_ref();
        let replicas = |f: fn(&ReplicaSetStatus) -> Option<i32>| status.and_then(f);
        counts(&[
            replicas(|s| s.ready_replicas),
            replicas(|s| s.available_replicas),
        ])
        .hash(&mut hasher);
    } else if let Some(set) = obj.downcast_ref::<DaemonSet>() {
        let status = set.status.as_ref();
        let number = |f: fn(&DaemonSetStatus) -> Option<i32>| status.and_then(f);
        counts(&[
            number(|s| Some(s.number_ready)),
            number(|s| s.number_available),
        ])
        .hash(&mut hasher);
    } else if let Some(job) = obj.downcast_ref::<Job>() {
        let status = job.status.as_ref();
        let conditions = status
            .and_then(|s| s.conditions.as_ref())
            .into_iter()
            .flatten();
        types_and_statuses(conditions.map(|c| (&c.type_, &c.status))).hash(&mut hasher);
    } else {
        return None;
    }
    Some(hasher.finish())
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

#[path = "predicates_ready.rs"]
mod ready;
pub use ready::is_ready;

#[path = "predicates_owned.rs"]
mod owned;
pub use owned::{default_predicate, owned_fields};

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
    fn unowned_ignores_status_only_updates_of_generation_objects() {
        assert_eq!(unowned(&deployment(1, "10")), unowned(&deployment(1, "11")));
        assert_ne!(unowned(&deployment(1, "10")), unowned(&deployment(2, "11")));
    }

    #[test]
    fn unowned_follows_labels_of_generation_objects() {
        let plain = deployment(1, "10");
        let mut labelled = deployment(1, "11");
        labelled.metadata.labels = Some([("tier".to_string(), "db".to_string())].into());
        assert_ne!(unowned(&plain), unowned(&labelled));
    }

    #[test]
    fn unowned_uses_resource_version_without_generation() {
        let mut a = ConfigMap::default();
        a.metadata.resource_version = Some("1".into());
        let mut b = a.clone();
        b.metadata.resource_version = Some("2".into());
        assert_ne!(unowned(&a), unowned(&b));
        assert_eq!(unowned(&a), unowned(&a.clone()));
    }

    #[test]
    fn unowned_passes_a_pod_turning_ready_and_a_job_finishing_but_not_heartbeats() {
        use k8s_openapi::api::batch::v1::{Job, JobCondition, JobStatus};
        use k8s_openapi::api::core::v1::{Pod, PodCondition, PodStatus};
        let pod = |ready: &str, probe_time: &str| Pod {
            metadata: kube::api::ObjectMeta {
                generation: Some(1),
                ..Default::default()
            },
            status: Some(PodStatus {
                phase: Some("Running".into()),
                conditions: Some(vec![PodCondition {
                    type_: "Ready".into(),
                    status: ready.into(),
                    message: Some(probe_time.into()),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_ne!(unowned(&pod("False", "t1")), unowned(&pod("True", "t1")));
        assert_eq!(unowned(&pod("True", "t1")), unowned(&pod("True", "t2")));
        let job = |conditions: Vec<JobCondition>, active: i32| Job {
            metadata: kube::api::ObjectMeta {
                generation: Some(1),
                ..Default::default()
            },
            status: Some(JobStatus {
                active: Some(active),
                conditions: Some(conditions),
                ..Default::default()
            }),
            ..Default::default()
        };
        let complete = JobCondition {
            type_: "Complete".into(),
            status: "True".into(),
            ..Default::default()
        };
        assert_eq!(
            unowned(&job(vec![], 1)),
            unowned(&job(vec![], 2)),
            "a running Job's progress"
        );
        assert_ne!(unowned(&job(vec![], 1)), unowned(&job(vec![complete], 0)));
    }

    #[test]
    fn combine_changes_when_either_side_changes() {
        assert_eq!(combine(None, None), None);
        assert_ne!(combine(Some(1), Some(2)), combine(Some(1), Some(3)));
        assert_ne!(combine(Some(1), None), combine(Some(2), None));
    }
}
