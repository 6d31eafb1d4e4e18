//! Typing a `primary-all` response, and when the client falls back to a GET and LISTs.
//!
//! The primary is written by hand, as the derive would generate it for
//! ```text
//! #[secondary(ConfigMap)]
//! #[secondary(Secret, metadata_only)]
//! #[secondary(Pod, map = label("app.kubernetes.io/instance"), selector = "app=db")]
//! ```
//! on a StatefulSet standing in for a custom resource.

use std::fmt;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Secret};
use kube::Resource;
use kube::core::response::StatusDetails;
use kube::core::{PartialObjectMeta, Status, TypeMeta};
use serde_json::json;

use super::*;
use crate::aware::{Declare, Options, SecondaryKind};
use crate::kinds::declaration::{watch_full, watch_metadata};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    ConfigMap,
    Secret,
    Pod,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl SecondaryKind for Kind {
    const ALL: &'static [Self] = &[Kind::ConfigMap, Kind::Secret, Kind::Pod];

    fn name(self) -> &'static str {
        match self {
            Kind::ConfigMap => "ConfigMap",
            Kind::Secret => "Secret",
            Kind::Pod => "Pod",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Children {
    config_maps: Vec<Arc<ConfigMap>>,
    secrets: Vec<Arc<PartialObjectMeta<Secret>>>,
    pods: Vec<Arc<Pod>>,
}

impl SecondaryAware for StatefulSet {
    type Secondaries = Children;
    type Kind = Kind;

    fn options() -> Options {
        Options::default()
    }

    fn declare<D: Declare<Self>>(set: &mut D) {
        set.add(Kind::ConfigMap, watch_full::<ConfigMap>());
        set.add(Kind::Secret, watch_metadata::<Secret>());
        set.add(
            Kind::Pod,
            watch_full::<Pod>()
                .map_label("app.kubernetes.io/instance")
                .selector("app=db"),
        );
    }

    fn secondaries<C: crate::aware::Children>(caches: &C, primary: &Self) -> Children {
        Children {
            config_maps: caches.of::<Self, ConfigMap>(primary),
            secrets: caches.of::<Self, PartialObjectMeta<Secret>>(primary),
            pods: caches.of::<Self, Pod>(primary),
        }
    }
}

/// An ownerReference from a child to the StatefulSet `db` with `uid`.
fn owned_by(uid: &str, controller: bool) -> Value {
    json!([{
        "apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "uid": uid,
        "controller": controller,
    }])
}

/// What the API answers for the StatefulSet `prod/db` (uid `u-db`).
fn response() -> Value {
    json!({
        "apiVersion": "primary-all.apps/v1",
        "kind": "StatefulSet",
        "primary": {
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": { "name": "db", "namespace": "prod", "uid": "u-db" },
            "spec": { "replicas": 2, "serviceName": "db", "selector": {}, "template": {} },
        },
        "secondaries": [
            {
                "apiVersion": "v1", "kind": "ConfigMap", "resource": "configmaps",
                "resourceVersion": "90",
                "items": [
                    {
                        "apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {
                            "name": "db-config", "namespace": "prod",
                            "ownerReferences": owned_by("u-db", true),
                            "managedFields": [{ "manager": "db-operator", "operation": "Apply" }],
                        },
                        "data": { "max_connections": "100" },
                    },
                    {
                        "apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {
                            "name": "db-earlier", "namespace": "prod",
                            "ownerReferences": owned_by("u-earlier-db", true),
                        },
                    },
                    {
                        "apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {
                            "name": "db-referenced", "namespace": "prod",
                            "ownerReferences": owned_by("u-db", false),
                        },
                    },
                ],
            },
            {
                "apiVersion": "v1", "kind": "Secret", "resource": "secrets",
                "items": [{
                    "apiVersion": "v1", "kind": "Secret",
                    "metadata": {
                        "name": "db-password", "namespace": "prod",
                        "ownerReferences": owned_by("u-db", true),
                    },
                    "data": { "password": "aHVudGVyMg==" },
                }],
            },
            {
                "apiVersion": "v1", "kind": "Pod", "resource": "pods",
                "items": [
                    {
                        "metadata": { "name": "db-0", "namespace": "prod",
                            "labels": { "app.kubernetes.io/instance": "db", "app": "db" } },
                    },
                    {
                        "metadata": { "name": "db-debug", "namespace": "prod",
                            "labels": { "app.kubernetes.io/instance": "db" } },
                    },
                    {
                        "metadata": { "name": "web-0", "namespace": "prod",
                            "labels": { "app.kubernetes.io/instance": "web", "app": "db" } },
                    },
                ],
            },
            {
                "apiVersion": "other.example.com/v1", "kind": "ConfigMap",
                "resource": "configmaps.other.example.com",
                "items": [{
                    "apiVersion": "other.example.com/v1", "kind": "ConfigMap",
                    "metadata": { "name": "db-lookalike", "namespace": "prod",
                        "ownerReferences": owned_by("u-db", true) },
                }],
            },
            {
                "apiVersion": "v1", "kind": "Service", "resource": "services",
                "items": [{
                    "apiVersion": "v1", "kind": "Service",
                    "metadata": { "name": "db", "namespace": "prod",
                        "ownerReferences": owned_by("u-db", true) },
                }],
            },
        ],
        "hidden": ["persistentvolumeclaims"],
    })
}

fn names<K: Resource>(children: &[Arc<K>]) -> Vec<&str> {
    children
        .iter()
        .map(|child| child.meta().name.as_deref().unwrap_or_default())
        .collect()
}

fn typed_response(response: Value) -> Latest<StatefulSet> {
    let response: PrimaryAll = serde_json::from_value(response).expect("a PrimaryAll");
    Latest::from_response(response).expect("a typed response")
}

#[test]
fn a_response_is_typed_as_a_handler_gets_its_children() {
    let latest = typed_response(response());
    assert_eq!(latest.source, Source::Aggregated);
    assert_eq!(latest.primary.metadata.uid.as_deref(), Some("u-db"));
    let children = latest.readable_secondaries();
    assert_eq!(
        names(&children.config_maps),
        ["db-config"],
        "the child of this uid only: not an earlier db's, not one db does not control"
    );
    assert_eq!(
        children.config_maps[0].data.as_ref().unwrap()["max_connections"],
        "100"
    );
    assert_eq!(
        children.config_maps[0].metadata.managed_fields, None,
        "caches keep no other manager's fields"
    );
    assert_eq!(names(&children.secrets), ["db-password"]);
    assert_eq!(
        children.secrets[0].types,
        Some(TypeMeta::resource::<Secret>()),
        "metadata only: the kind, never the data"
    );
    assert_eq!(
        names(&children.pods),
        ["db-0"],
        "label-mapped to db, and selected by app=db"
    );
    assert_eq!(
        latest.hidden,
        BTreeSet::from(["persistentvolumeclaims".into()])
    );
    assert!(latest.errors.is_empty());
    assert!(
        latest.secondaries().is_ok(),
        "persistentvolumeclaims are not declared: what is declared is whole"
    );
}

#[test]
fn a_declared_kind_hidden_from_the_caller_makes_the_children_unknown_not_empty() {
    let mut response = response();
    response["hidden"] = json!(["configmaps"]);
    let kinds = response["secondaries"].as_array_mut().unwrap();
    kinds.retain(|kind| kind["kind"] != "ConfigMap");
    let latest = typed_response(response);
    let error = latest.secondaries().expect_err("ConfigMaps are hidden");
    assert_eq!(
        error.to_string(),
        "the children of StatefulSet prod/db are incomplete: configmaps (hidden: you may not list them)"
    );
    let readable = latest.readable_secondaries();
    assert!(readable.config_maps.is_empty());
    assert_eq!(names(&readable.secrets), ["db-password"]);
}

#[test]
fn kinds_the_api_does_not_serve_are_empty_and_a_failed_kind_says_why() {
    let mut response = response();
    response["secondaries"] = json!([{
        "apiVersion": "v1", "kind": "Secret", "resource": "secrets",
        "error": "the secrets watch has not synced yet",
    }]);
    let latest = typed_response(response);
    let readable = latest.readable_secondaries();
    assert!(readable.config_maps.is_empty());
    assert!(readable.secrets.is_empty());
    assert!(readable.pods.is_empty());
    assert!(
        latest.secondaries().is_err_and(|error| error
            .to_string()
            .ends_with("secrets (not served: the secrets watch has not synced yet)")),
        "a failed kind is not an empty one"
    );
    assert_eq!(
        latest.errors,
        BTreeMap::from([(
            "secrets".into(),
            "the secrets watch has not synced yet".into()
        )])
    );
}

#[test]
fn a_child_that_is_not_its_declared_type_is_an_error_naming_it() {
    let mut response = response();
    response["secondaries"][0]["items"][0]["data"] = json!(["not", "a", "map"]);
    let response: PrimaryAll = serde_json::from_value(response).unwrap();
    let error = Latest::<StatefulSet>::from_response(response).unwrap_err();
    assert_eq!(
        error.to_string(),
        "could not decode a ConfigMap of StatefulSet prod/db as its declared type"
    );
}

fn details(details: Value) -> StatusDetails {
    serde_json::from_value(details).expect("status details")
}

fn api_error(code: u16, reason: &str, details: Option<StatusDetails>) -> kube::Error {
    let mut status = Status::failure("the server says no", reason).with_code(code);
    status.details = details;
    kube::Error::Api(status.boxed())
}

#[test]
fn the_fallback_reads_when_the_api_is_absent_or_unavailable() {
    let unregistered = api_error(404, "NotFound", None);
    assert_eq!(
        unavailable(&unregistered, "db").as_deref(),
        Some("primary-all API unavailable (404 NotFound: the server says no)")
    );
    let kind_not_served = details(json!({ "group": "primary-all.apps", "kind": "statefulsets" }));
    assert!(unavailable(&api_error(404, "NotFound", Some(kind_not_served)), "db").is_some());
    assert!(unavailable(&api_error(503, "ServiceUnavailable", None), "db").is_some());
    let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
    assert_eq!(
        unavailable(&kube::Error::Service(Box::new(refused)), "db").as_deref(),
        Some("primary-all API unavailable (ServiceError: connection refused)")
    );
    // No grant on primary-all (the built-in roles have none of their own): the fallback's requests
    // are authorised as the caller, and refuse what the caller may not read.
    let no_grant = unavailable(&api_error(403, "Forbidden", None), "db");
    assert!(
        no_grant.as_deref().is_some_and(
            |reason| reason.starts_with("no grant to read through the primary-all API (403")
        ),
        "{no_grant:?}"
    );
}

#[test]
fn the_api_s_refusals_and_failures_are_not_hidden_by_the_fallback() {
    let no_such_primary = details(json!({
        "name": "db", "group": "primary-all.apps", "kind": "statefulsets",
    }));
    for (code, reason, details) in [
        (401, "Unauthorized", None),
        (404, "NotFound", Some(no_such_primary)),
        (400, "BadRequest", None),
        (500, "InternalError", None),
    ] {
        assert_eq!(
            unavailable(&api_error(code, reason, details), "db"),
            None,
            "{code}"
        );
    }
}
