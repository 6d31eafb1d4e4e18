//! Objects captured from a real API server (`kubectl get -o json --show-managed-fields`) after
//! `kubectl apply --server-side --field-manager=database-controller` of the `desired-*.json`
//! files; the other files hold the same objects after the change each is named for.

use serde_json::Value;

use super::{Drift, DriftKind};

/// The field manager that applied the `desired-*.json` files.
pub(super) const MANAGER: &str = "database-controller";

pub(super) fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("fixtures are JSON")
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
