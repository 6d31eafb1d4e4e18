//! The desired children of a `Database`: the same job for every operator the benchmark compares.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    ConfigMap, Container, ContainerPort, PodSpec, PodTemplateSpec, Secret, Service, ServicePort,
    ServiceSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, LabelSelector, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::api::ObjectMeta;
use kube::{Resource, ResourceExt};

use super::{Database, DatabaseStatus};

/// The label that names a child's `Database`.
pub const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";
/// The label that names the operator that wrote a child.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";

/// Metadata of a child named `name`: same namespace, the instance labels, and a controller
/// ownerReference to `db`.
pub fn child_meta(db: &Database, name: String, manager: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name),
        namespace: db.namespace(),
        labels: Some(BTreeMap::from([
            (INSTANCE_LABEL.to_string(), db.name_any()),
            (MANAGED_BY_LABEL.to_string(), manager.to_string()),
        ])),
        owner_references: db.controller_owner_ref(&()).map(|owner| vec![owner]),
        ..ObjectMeta::default()
    }
}

fn selector(db: &Database) -> BTreeMap<String, String> {
    BTreeMap::from([(INSTANCE_LABEL.to_string(), db.name_any())])
}

/// The Deployment running the database.
pub fn deployment(db: &Database, manager: &str) -> Deployment {
    Deployment {
        metadata: child_meta(db, db.name_any(), manager),
        spec: DeploymentSpec {
            replicas: Some(db.spec.replicas),
            selector: LabelSelector {
                match_labels: Some(selector(db)),
                ..LabelSelector::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(selector(db)),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![Container {
                        name: "db".into(),
                        image: Some(db.spec.image.clone()),
                        ports: Some(vec![ContainerPort {
                            container_port: db.spec.port,
                            ..ContainerPort::default()
                        }]),
                        ..Container::default()
                    }],
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        },
        ..Deployment::default()
    }
}

/// The Service in front of the database.
pub fn service(db: &Database, manager: &str) -> Service {
    Service {
        metadata: child_meta(db, db.name_any(), manager),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: Some(selector(db)),
            ports: Some(vec![ServicePort {
                name: Some("db".into()),
                port: db.spec.port,
                target_port: Some(IntOrString::Int(db.spec.port)),
                ..ServicePort::default()
            }]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

/// The name of the credentials Secret.
pub fn secret_name(db: &Database) -> String {
    format!("{}-credentials", db.name_any())
}

/// The credentials Secret; created once, never overwritten.
pub fn secret(db: &Database, manager: &str) -> Secret {
    let password: String = db
        .uid()
        .unwrap_or_default()
        .replace('-', "")
        .chars()
        .take(16)
        .collect();
    Secret {
        metadata: child_meta(db, secret_name(db), manager),
        data: Some(BTreeMap::from([
            ("username".to_string(), ByteString(b"db".to_vec())),
            ("password".to_string(), ByteString(password.into_bytes())),
        ])),
        ..Secret::default()
    }
}

/// The name of the settings ConfigMap.
pub fn config_map_name(db: &Database) -> String {
    format!("{}-config", db.name_any())
}

/// The settings ConfigMap.
pub fn config_map(db: &Database, manager: &str) -> ConfigMap {
    ConfigMap {
        metadata: child_meta(db, config_map_name(db), manager),
        data: Some(db.spec.config.clone()),
        ..ConfigMap::default()
    }
}

fn ready_condition(db: &Database, status: &str, reason: &str, message: String) -> Condition {
    Condition {
        type_: "Ready".into(),
        status: status.into(),
        reason: reason.into(),
        message,
        observed_generation: db.metadata.generation,
        last_transition_time: Time(k8s_openapi::jiff::Timestamp::now()),
    }
}

/// The status the operator reports: `Ready=False/InvalidSpec` for a spec that cannot be
/// applied, else `Ready=True` with the observed generation. Other conditions are kept, and
/// `Ready` keeps its transition time while its status holds, so an unchanged status is equal.
pub fn status(db: &Database) -> DatabaseStatus {
    let mut status = db.status.clone().unwrap_or_default();
    let ready = match db.spec.invalid() {
        Some(problem) => ready_condition(db, "False", "InvalidSpec", problem),
        None => {
            status.observed_generation = db.metadata.generation;
            ready_condition(db, "True", "Applied", "all children applied".into())
        }
    };
    kube_secondary::condition::set(&mut status.conditions, ready);
    status
}

/// The status to write, if it differs from the current one: `Ready=False/InvalidSpec` for a spec
/// that cannot be applied, else `Ready=True` with the observed generation.
pub fn status_update(db: &Database) -> Option<serde_json::Value> {
    let current = db.status.clone().unwrap_or_default();
    let has = |reason: &str, message: &str| {
        current
            .conditions
            .iter()
            .any(|c| c.reason == reason && c.message == message)
    };
    match db.spec.invalid() {
        Some(problem) if has("InvalidSpec", &problem) => None,
        Some(problem) => Some(
            serde_json::json!({ "conditions": [ready_condition(db, "False", "InvalidSpec", problem)] }),
        ),
        None if current.observed_generation == db.metadata.generation
            && has("Applied", "all children applied") =>
        {
            None
        }
        None => Some(serde_json::json!({
            "observedGeneration": db.metadata.generation,
            "conditions": [ready_condition(db, "True", "Applied", "all children applied".into())],
        })),
    }
}
