//! The `meta.k8s.io/v1` Table of a primary, what `kubectl get` prints: its name, its children
//! counted by kind, whether it is ready, and its age.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::jiff::Timestamp;
use kube_secondary::client::age::age;
use kube_secondary::primary_all::PrimaryAll;
use kube_secondary::summary::readiness;
use serde_json::{Value, json};

/// The Table of `answer` at `now`, one row, its object the primary's PartialObjectMetadata.
pub fn table(answer: &PrimaryAll, now: Timestamp) -> Value {
    let meta = &answer.metadata;
    let ready = match readiness(&answer.primary) {
        Some(true) => "True",
        Some(false) => "False",
        None => "-",
    };
    let created = meta.creation_timestamp.as_ref().map(|time| time.0);
    let cells = json!([
        meta.name.as_deref().unwrap_or_default(),
        children(answer),
        ready,
        created.map_or_else(|| "<unknown>".to_string(), |created| age(created, now)),
    ]);
    json!({
        "apiVersion": "meta.k8s.io/v1",
        "kind": "Table",
        "metadata": { "resourceVersion": meta.resource_version.as_deref().unwrap_or_default() },
        "columnDefinitions": [
            column("Name", "name", "The primary's name."),
            column("Children", "", "Its children by kind, children of children included; kinds the caller may not list are named as hidden."),
            column("Ready", "", "Whether the primary reports itself ready (Ready condition, or ready replicas)."),
            column("Age", "", "How long ago the primary was created."),
        ],
        "rows": [{ "cells": cells, "object": partial_metadata(meta.clone()) }],
    })
}

/// A `meta.k8s.io/v1` PartialObjectMetadata of `metadata`, also a Table row's object.
pub fn partial_metadata(metadata: ObjectMeta) -> Value {
    json!({
        "apiVersion": "meta.k8s.io/v1",
        "kind": "PartialObjectMetadata",
        "metadata": metadata,
    })
}

fn column(name: &str, format: &str, description: &str) -> Value {
    json!({
        "name": name, "type": "string", "format": format, "description": description,
        "priority": 0,
    })
}

/// `ConfigMap=2,Deployment=1,StatefulSet=error,hidden=secrets`, or `<none>`.
fn children(answer: &PrimaryAll) -> String {
    let kinds = answer.secondaries.iter().map(|kind| match &kind.error {
        Some(_) => format!("{}=error", kind.kind),
        None => format!("{}={}", kind.kind, kind.items.len()),
    });
    let hidden = answer
        .hidden
        .iter()
        .map(|resource| format!("hidden={resource}"));
    let text: Vec<String> = kinds.chain(hidden).collect();
    if text.is_empty() {
        "<none>".to_string()
    } else {
        text.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube_secondary::primary_all::KindChildren;

    fn kind(kind: &str, items: usize, error: Option<&str>) -> KindChildren {
        KindChildren {
            kind: kind.into(),
            items: vec![json!({}); items],
            error: error.map(Into::into),
            ..KindChildren::default()
        }
    }

    #[test]
    fn one_row_with_name_children_readiness_and_age() {
        let answer: PrimaryAll = serde_json::from_value(json!({
            "apiVersion": "primary-all.demo.example.com/v1", "kind": "Database",
            "metadata": { "name": "orders", "resourceVersion": "41",
                "creationTimestamp": "2026-05-01T11:56:40Z" },
            "primary": { "status": { "conditions": [{ "type": "Ready", "status": "True" }] } },
            "secondaries": [],
            "hidden": ["secrets"],
        }))
        .unwrap();
        let answer = PrimaryAll {
            secondaries: vec![
                kind("ConfigMap", 2, None),
                kind("StatefulSet", 0, Some("not served")),
            ],
            ..answer
        };
        let table = table(&answer, "2026-05-01T12:00:00Z".parse().unwrap());
        assert_eq!(table["kind"], "Table");
        assert_eq!(table["metadata"]["resourceVersion"], "41");
        let names: Vec<&str> = table["columnDefinitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|column| column["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Name", "Children", "Ready", "Age"]);
        let row = &table["rows"][0];
        assert_eq!(
            row["cells"],
            json!([
                "orders",
                "ConfigMap=2,StatefulSet=error,hidden=secrets",
                "True",
                "3m20s"
            ])
        );
        assert_eq!(row["object"]["kind"], "PartialObjectMetadata");
        assert_eq!(row["object"]["metadata"]["name"], "orders");
    }

    #[test]
    fn no_children_and_no_readiness_convention() {
        let answer = PrimaryAll::default();
        let table = table(&answer, Timestamp::UNIX_EPOCH);
        assert_eq!(
            table["rows"][0]["cells"],
            json!(["", "<none>", "-", "<unknown>"])
        );
    }
}
