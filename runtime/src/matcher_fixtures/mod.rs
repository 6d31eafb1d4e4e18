//! Objects captured from a real API server (`kubectl get -o json --show-managed-fields`) after
//! `kubectl apply --server-side --field-manager=database-controller` of the `desired-*.json`
//! files; the other files hold the same objects after the change each is named for.

use serde_json::Value;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Service;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::typed::to_marked_value;
use super::{Drift, DriftKind};

/// The field manager that applied the `desired-*.json` files.
pub(super) const MANAGER: &str = "database-controller";

/// A fixture as the matcher sees it: Deployments and Services through their k8s-openapi types,
/// so their quantities are marked as `drift_of` marks them.
pub(super) fn parse(text: &str) -> Value {
    let value: Value = serde_json::from_str(text).expect("fixtures are JSON");
    match value["kind"].as_str() {
        Some("Deployment") => typed::<Deployment>(value),
        Some("Service") => typed::<Service>(value),
        _ => value,
    }
}

fn typed<K: DeserializeOwned + Serialize>(value: Value) -> Value {
    let object: K = serde_json::from_value(value).expect("fixtures decode as their kind");
    to_marked_value(&object).expect("typed objects serialise")
}

pub(super) fn drifted(path: &str, kind: DriftKind) -> Option<Drift> {
    Some(Drift {
        path: path.to_owned(),
        kind,
    })
}

pub(super) fn desired_configmap() -> Value {
    parse(include_str!("desired-configmap.json"))
}

pub(super) fn desired_deployment() -> Value {
    parse(include_str!("desired-deployment.json"))
}

pub(super) fn desired_service() -> Value {
    parse(include_str!("desired-service.json"))
}

/// As applied: ports gained `protocol: TCP`, containers `imagePullPolicy`, `cpu: 1000m` reads
/// `cpu: "1"`, and kube-controller-manager added a revision annotation and the status.
pub(super) fn deployment() -> Value {
    parse(include_str!("deployment.json"))
}

/// As applied: the API server added `clusterIP`, `sessionAffinity`, `type` and the ports' `protocol`.
pub(super) fn service() -> Value {
    parse(include_str!("service.json"))
}

pub(super) fn configmap() -> Value {
    parse(include_str!("configmap.json"))
}
