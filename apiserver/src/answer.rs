//! What a GET of a primary answers, in the form its `Accept` asked for: the object of the
//! primary's kind in `primary-all.<group>/v1`, its Table, its PartialObjectMetadata, or on the
//! alias routes the first version's `PrimaryAll` shape.

use axum::Json;
use axum::response::{IntoResponse, Response};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::DynamicObject;
use kube_secondary::primary_all::{GROUP, KIND, PrimaryAll, VERSION};
use serde_json::{Value, json};

use crate::accept::Form;
use crate::table::{self, partial_metadata};

/// How the route named the primary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// `/apis/primary-all.<group>/v1/...`, or `/apis/primary-all/v1/...` for a core-group
    /// primary: answered as an object of the primary's kind.
    Resource,
    /// The first version's `plural.group` resources and the research prototype's route in
    /// `primary-all/v1`: answered in that version's shape.
    Alias,
}

/// The primary's metadata as the answer's own: name, namespace, uid, resourceVersion,
/// creationTimestamp, labels and annotations.
pub fn metadata(primary: &DynamicObject) -> ObjectMeta {
    let meta = &primary.metadata;
    ObjectMeta {
        name: meta.name.clone(),
        namespace: meta.namespace.clone(),
        uid: meta.uid.clone(),
        resource_version: meta.resource_version.clone(),
        creation_timestamp: meta.creation_timestamp.clone(),
        labels: meta.labels.clone(),
        annotations: meta.annotations.clone(),
        ..ObjectMeta::default()
    }
}

/// The answer in `form`.
pub fn respond(answer: PrimaryAll, route: Route, form: Form) -> Response {
    match (form, route) {
        (Form::Object, Route::Resource) => Json(answer).into_response(),
        (Form::Object, Route::Alias) => Json(alias(answer)).into_response(),
        (Form::Table, _) => {
            Json(table::table(&answer, k8s_openapi::jiff::Timestamp::now())).into_response()
        }
        (Form::Metadata, _) => Json(partial_metadata(answer.metadata)).into_response(),
    }
}

/// The first version's shape: `primary-all/v1` `PrimaryAll` with `prim_res` and `sec_res`.
fn alias(answer: PrimaryAll) -> Value {
    let mut object = json!({
        "apiVersion": format!("{GROUP}/{VERSION}"),
        "kind": KIND,
        "prim_res": answer.primary,
        "sec_res": answer.secondaries,
    });
    if !answer.hidden.is_empty() {
        object["hidden"] = json!(answer.hidden);
    }
    object
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube_secondary::primary_all::KindChildren;

    fn answer() -> PrimaryAll {
        PrimaryAll {
            api_version: "primary-all.demo.example.com/v1".into(),
            kind: "Database".into(),
            metadata: ObjectMeta {
                name: Some("orders".into()),
                ..ObjectMeta::default()
            },
            primary: json!({ "kind": "Database", "metadata": { "name": "orders" } }),
            secondaries: vec![KindChildren {
                api_version: "v1".into(),
                kind: "ConfigMap".into(),
                resource: "configmaps".into(),
                ..KindChildren::default()
            }],
            hidden: vec!["secrets".into()],
        }
    }

    #[test]
    fn the_alias_answers_the_first_version_s_shape() {
        assert_eq!(
            alias(answer()),
            json!({
                "apiVersion": "primary-all/v1",
                "kind": "PrimaryAll",
                "prim_res": { "kind": "Database", "metadata": { "name": "orders" } },
                "sec_res": [{ "apiVersion": "v1", "kind": "ConfigMap", "resource": "configmaps", "items": [] }],
                "hidden": ["secrets"],
            })
        );
    }

    #[test]
    fn the_metadata_is_the_primary_s_without_managed_fields() {
        let primary: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "demo.example.com/v1", "kind": "Database",
            "metadata": {
                "name": "orders", "namespace": "prod", "uid": "u1", "resourceVersion": "7",
                "generation": 3, "labels": { "tier": "db" },
                "managedFields": [{ "manager": "kubectl", "operation": "Apply" }],
            },
        }))
        .unwrap();
        let meta = serde_json::to_value(metadata(&primary)).unwrap();
        assert_eq!(
            meta,
            json!({
                "name": "orders", "namespace": "prod", "uid": "u1", "resourceVersion": "7",
                "labels": { "tier": "db" },
            })
        );
    }
}
