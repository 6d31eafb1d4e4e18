//! The readiness rules and the summary's list and patch, without a cluster.

use super::*;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::{ApiResource, DynamicObject};
use kube::core::PartialObjectMeta;

fn with_conditions(conditions: &[(&str, &str)]) -> Value {
    let conditions: Vec<_> = conditions
        .iter()
        .map(|(kind, status)| json!({ "type": kind, "status": status }))
        .collect();
    json!({ "status": { "conditions": conditions } })
}

#[test]
fn ready_or_available_conditions_decide() {
    assert_eq!(
        readiness(&with_conditions(&[("Ready", "True")])),
        Some(true)
    );
    assert_eq!(
        readiness(&with_conditions(&[("Available", "False")])),
        Some(false)
    );
    assert_eq!(readiness(&with_conditions(&[("Ready", "Unknown")])), None);
    assert_eq!(
        readiness(&with_conditions(&[
            ("Available", "True"),
            ("Ready", "False")
        ])),
        Some(false),
        "Ready wins over Available"
    );
}

#[test]
fn finished_jobs_are_ready_when_complete_and_not_when_failed() {
    assert_eq!(
        readiness(&with_conditions(&[
            ("SuccessCriteriaMet", "True"),
            ("Complete", "True")
        ])),
        Some(true)
    );
    assert_eq!(
        readiness(&with_conditions(&[("Failed", "True")])),
        Some(false)
    );
    assert_eq!(
        readiness(&with_conditions(&[("Suspended", "True")])),
        None,
        "a running or suspended Job"
    );
}

#[test]
fn replicas_decide_without_conditions() {
    let object = |ready: Option<i64>| json!({ "spec": { "replicas": 2 }, "status": { "readyReplicas": ready } });
    assert_eq!(readiness(&object(Some(2))), Some(true));
    assert_eq!(readiness(&object(Some(1))), Some(false));
    assert_eq!(
        readiness(&object(None)),
        Some(false),
        "no ready replica reported yet"
    );
    assert_eq!(
        readiness(&json!({ "spec": { "replicas": 0 } })),
        Some(true),
        "scaled to zero"
    );
}

#[test]
fn objects_that_only_exist_have_no_readiness() {
    let config_map = serde_json::to_value(ConfigMap::default()).unwrap();
    assert_eq!(readiness(&config_map), None);
    let mut secret = PartialObjectMeta::<Secret>::default();
    secret.metadata.name = Some("key".into());
    assert_eq!(Observed::of(&secret).unwrap().summary.ready, None);
}

fn deployment(name: &str, namespace: &str, rv: &str, replicas: i32) -> Deployment {
    let mut deployment = Deployment {
        spec: DeploymentSpec {
            replicas: Some(replicas),
            ..DeploymentSpec::default()
        },
        ..Deployment::default()
    };
    deployment.metadata.name = Some(name.into());
    deployment.metadata.namespace = Some(namespace.into());
    deployment.metadata.resource_version = Some(rv.into());
    deployment
}

fn config_map(name: &str, rv: &str) -> ConfigMap {
    let mut config_map = ConfigMap::default();
    config_map.metadata.name = Some(name.into());
    config_map.metadata.namespace = Some("ns".into());
    config_map.metadata.resource_version = Some(rv.into());
    config_map
}

/// A primary whose status lists `stored`.
fn primary(namespace: Option<&str>, stored: Value) -> DynamicObject {
    let mut primary = DynamicObject::new("db", &ApiResource::erase::<Deployment>(&()))
        .data(json!({ "status": { "secondaries": stored } }));
    primary.metadata.namespace = namespace.map(Into::into);
    primary
}

#[test]
fn lists_children_sorted_by_kind_and_name_without_the_primarys_namespace() {
    let mut summary = Summary::of(&primary(Some("ns"), Value::Null));
    summary.add(&[
        Arc::new(deployment("web", "ns", "7", 0)),
        Arc::new(deployment("api", "ns", "5", 1)),
    ]);
    summary.add(&[Arc::new(config_map("cfg", "3"))]);
    let listed: Vec<_> = summary
        .list()
        .into_iter()
        .map(|s| (s.kind, s.namespace, s.name, s.resource_version, s.ready))
        .collect();
    assert_eq!(
        listed,
        vec![
            (
                "ConfigMap".into(),
                None,
                "cfg".into(),
                Some("3".into()),
                None
            ),
            (
                "Deployment".into(),
                None,
                "api".into(),
                Some("5".into()),
                Some(false)
            ),
            (
                "Deployment".into(),
                None,
                "web".into(),
                Some("7".into()),
                Some(true)
            ),
        ]
    );
}

#[test]
fn children_of_a_cluster_scoped_primary_keep_their_namespace() {
    let mut summary = Summary::of(&primary(None, Value::Null));
    summary.add(&[Arc::new(config_map("cfg", "3"))]);
    assert_eq!(summary.list()[0].namespace.as_deref(), Some("ns"));
}

#[test]
fn written_objects_replace_cached_ones_and_undeclared_kinds_are_left_out() {
    let mut summary = Summary::of(&primary(Some("ns"), Value::Null));
    summary.add(&[Arc::new(config_map("cfg", "3"))]);
    summary.add::<Deployment>(&[]);
    summary.merge_written(
        [
            Observed::of(&config_map("cfg", "9")),
            Observed::of(&deployment("web", "ns", "10", 1)),
            Observed::of(&Secret::default()),
            Observed::of(&{
                let mut secret = Secret::default();
                secret.metadata.name = Some("undeclared".into());
                secret
            }),
        ]
        .into_iter()
        .flatten()
        .collect(),
    );
    let listed: Vec<_> = summary
        .list()
        .into_iter()
        .map(|s| (s.kind, s.name, s.resource_version))
        .collect();
    assert_eq!(
        listed,
        vec![
            ("ConfigMap".into(), "cfg".into(), Some("9".into())),
            ("Deployment".into(), "web".into(), Some("10".into())),
        ]
    );
}

#[test]
fn patches_only_when_the_list_changed() {
    let stored = json!([{ "kind": "ConfigMap", "name": "cfg", "resourceVersion": "3" }]);
    let mut summary = Summary::of(&primary(Some("ns"), stored));
    summary.add(&[Arc::new(config_map("cfg", "3"))]);
    assert_eq!(summary.patch(), None);

    let mut summary = Summary::of(&primary(Some("ns"), Value::Null));
    summary.add::<ConfigMap>(&[]);
    assert_eq!(summary.patch(), None, "nothing listed, nothing stored");
    summary.add(&[Arc::new(config_map("cfg", "4"))]);
    assert_eq!(
        summary.patch(),
        Some(json!({ "status": { "secondaries": [
            { "kind": "ConfigMap", "name": "cfg", "resourceVersion": "4" }
        ] } }))
    );
}

#[test]
fn an_emptied_list_removes_the_field() {
    let stored = json!([{ "kind": "ConfigMap", "name": "cfg", "resourceVersion": "3" }]);
    let mut summary = Summary::of(&primary(Some("ns"), stored));
    summary.add::<ConfigMap>(&[]);
    assert_eq!(
        summary.patch(),
        Some(json!({ "status": { "secondaries": null } }))
    );
}
