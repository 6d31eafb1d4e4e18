//! Counting by verb: what each request is, and what the counts add up to.

use super::*;
use http::Method;

#[test]
fn reads_and_watches_in_a_namespace() {
    let services = "/api/v1/namespaces/ns/services";
    assert_eq!(verb(&Method::GET, services, None), "list");
    assert_eq!(
        verb(&Method::GET, services, Some("labelSelector=app%3Ddb")),
        "list"
    );
    assert_eq!(
        verb(&Method::GET, services, Some("watch=true&resourceVersion=5")),
        "watch"
    );
    assert_eq!(
        verb(&Method::GET, services, Some("resourceVersion=5&watch=1")),
        "watch"
    );
    assert_eq!(verb(&Method::GET, &format!("{services}/db"), None), "get");
    assert_eq!(
        verb(
            &Method::GET,
            "/apis/apps/v1/namespaces/ns/deployments/db",
            None
        ),
        "get"
    );
    assert_eq!(
        verb(&Method::GET, "/api/v1/namespaces/ns/pods/db-0/log", None),
        "get"
    );
}

#[test]
fn reads_across_namespaces_and_of_cluster_scoped_kinds() {
    assert_eq!(
        verb(&Method::GET, "/apis/apps/v1/deployments", None),
        "list"
    );
    assert_eq!(
        verb(
            &Method::GET,
            "/apis/apps/v1/deployments",
            Some("watch=true")
        ),
        "watch"
    );
    assert_eq!(verb(&Method::GET, "/api/v1/nodes", None), "list");
    assert_eq!(verb(&Method::GET, "/api/v1/nodes/node-1", None), "get");
    assert_eq!(
        verb(
            &Method::GET,
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/databases.demo.example.com",
            None
        ),
        "get"
    );
}

#[test]
fn namespaces_are_a_cluster_scoped_kind() {
    assert_eq!(verb(&Method::GET, "/api/v1/namespaces", None), "list");
    assert_eq!(verb(&Method::GET, "/api/v1/namespaces/ns", None), "get");
    assert_eq!(verb(&Method::POST, "/api/v1/namespaces", None), "create");
    assert_eq!(
        verb(&Method::DELETE, "/api/v1/namespaces/ns", None),
        "delete"
    );
}

#[test]
fn writes() {
    assert_eq!(
        verb(&Method::POST, "/api/v1/namespaces/ns/secrets", None),
        "create"
    );
    assert_eq!(
        verb(
            &Method::POST,
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            None
        ),
        "create"
    );
    assert_eq!(
        verb(
            &Method::PATCH,
            "/apis/apps/v1/namespaces/ns/deployments/db",
            Some("fieldManager=db&force=true")
        ),
        "patch"
    );
    assert_eq!(
        verb(
            &Method::PATCH,
            "/apis/demo.example.com/v1/namespaces/ns/databases/db/status",
            None
        ),
        "patch"
    );
    assert_eq!(
        verb(&Method::PUT, "/api/v1/namespaces/ns/configmaps/db", None),
        "update"
    );
    assert_eq!(
        verb(&Method::DELETE, "/api/v1/namespaces/ns/configmaps/db", None),
        "delete"
    );
    assert_eq!(
        verb(&Method::DELETE, "/api/v1/namespaces/ns/configmaps", None),
        "deletecollection"
    );
}

#[test]
fn discovery_is_a_get() {
    assert_eq!(verb(&Method::GET, "/version", None), "get");
    assert_eq!(verb(&Method::GET, "/api", None), "get");
    assert_eq!(verb(&Method::GET, "/api/v1", None), "get");
    assert_eq!(verb(&Method::GET, "/apis/apps/v1", None), "get");
    assert_eq!(verb(&Method::HEAD, "/api/v1/nodes", None), "other");
}

#[test]
fn counts_by_verb_and_sums_the_writes() {
    let counts = RequestCounts::default();
    for verb in ["watch", "list", "patch", "patch", "create", "delete"] {
        counts.count(verb, "/api/v1/namespaces/ns/configmaps/db");
    }
    assert_eq!(
        counts.snapshot(),
        BTreeMap::from([
            ("create", 1),
            ("delete", 1),
            ("list", 1),
            ("patch", 2),
            ("watch", 1)
        ])
    );
    assert_eq!(counts.total(), 6);
    assert_eq!(counts.writes(), 4);
    let review = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
    counts.count(verb(&Method::POST, review, None), review);
    assert_eq!(
        counts.snapshot()["create"],
        2,
        "a review is a create to the API server"
    );
    assert_eq!(counts.writes(), 4, "but it writes nothing");
}

#[test]
fn events_recorded_are_counted_apart_from_the_writes_of_objects() {
    let counts = RequestCounts::default();
    let events = "/apis/events.k8s.io/v1/namespaces/ns/events";
    counts.count(verb(&Method::POST, events, None), events);
    let series = format!("{events}/db.1869a");
    counts.count(verb(&Method::PATCH, &series, None), &series);
    counts.count(verb(&Method::GET, events, Some("watch=true")), events);
    // A namespace named `events` is not the resource.
    let in_events = "/api/v1/namespaces/events/configmaps";
    counts.count(verb(&Method::POST, in_events, None), in_events);
    assert_eq!(
        counts.snapshot(),
        BTreeMap::from([("create", 1), ("event", 2), ("watch", 1)])
    );
    assert_eq!(counts.writes(), 1);
}
