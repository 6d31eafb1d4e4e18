//! What the answer shows of a tree: the children the caller may list, the kinds it may not
//! named whatever exists of them, and kinds whose caches are not current.

use super::*;
use crate::freshness::Problem;
use crate::tree::{ListScope, Unavailable, assemble, scopes};

#[test]
fn kinds_the_caller_may_not_list_are_named_neither_shown_nor_counted() {
    let fixture = orders();
    let found = collect(&fixture, DATABASE, &fixture.primary("orders"), 2);
    let no_secrets = |scope: &ListScope| scope.kind != SECRET;
    let (secondaries, hidden) = assemble(
        &fixture.kinds,
        found,
        &vec![],
        Some("prod"),
        no_secrets,
        |_| Some("42".into()),
    );

    let kinds: Vec<&str> = secondaries.iter().map(|k| k.kind.as_str()).collect();
    assert_eq!(kinds, ["ConfigMap", "Pod", "StatefulSet"]);
    assert_eq!(hidden, ["secrets"]);
    let pods = &secondaries[1];
    assert_eq!(
        (pods.api_version.as_str(), pods.resource.as_str()),
        ("v1", "pods")
    );
    assert_eq!(pods.resource_version.as_deref(), Some("42"));
    let pod_names: Vec<&str> = pods
        .items
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(pod_names, ["orders-0", "orders-backup"]);
    assert_eq!(secondaries[2].api_version, "apps/v1");
}

#[test]
fn what_is_hidden_does_not_depend_on_what_exists() {
    let mut fixture = Fixture::new();
    fixture.add(DATABASE, "prod", "orders", None, None);
    let found = collect(&fixture, DATABASE, &fixture.primary("orders"), 1);
    assert!(found.is_empty());
    let no_secrets = |scope: &ListScope| scope.kind != SECRET;
    let (secondaries, hidden) = assemble(
        &fixture.kinds,
        found,
        &vec![],
        Some("prod"),
        no_secrets,
        |_| None,
    );
    assert!(secondaries.is_empty());
    assert_eq!(hidden, ["secrets"], "named with no Secret to hide");
}

#[test]
fn permissions_are_asked_for_every_child_kind_where_the_children_would_be() {
    let fixture = orders();
    let found = collect(&fixture, DATABASE, &fixture.primary("orders"), 1);
    let asked: Vec<(usize, Option<String>)> = scopes(&fixture.kinds, &found, Some("prod"))
        .into_iter()
        .map(|scope| (scope.kind, scope.namespace))
        .collect();
    let prod = Some("prod".to_string());
    let expected = [
        (DATABASE, prod.clone()),
        (CONFIG_MAP, prod.clone()),
        (STATEFUL_SET, prod.clone()),
        (POD, prod.clone()),
        (SECRET, prod),
    ];
    assert_eq!(asked, expected);
    let cluster_scoped: Vec<Option<String>> = scopes(&fixture.kinds, &Found::new(), None)
        .into_iter()
        .map(|scope| scope.namespace)
        .collect();
    assert!(
        cluster_scoped.iter().all(Option::is_none),
        "a cluster-scoped primary's children would be anywhere"
    );
}

#[test]
fn an_unavailable_kind_is_reported_with_its_error_when_the_caller_may_list_it() {
    let fixture = orders();
    let found = collect(&fixture, DATABASE, &fixture.primary("orders"), 1);
    let forbidden = Problem::Unsynced("secrets is forbidden".into());
    let unavailable: Unavailable = vec![(SECRET, forbidden)];
    let (secondaries, hidden) = assemble(
        &fixture.kinds,
        found.clone(),
        &unavailable,
        Some("prod"),
        |_| true,
        |_| None,
    );
    let secrets = secondaries.iter().find(|k| k.kind == "Secret").unwrap();
    assert_eq!(secrets.error.as_deref(), Some("secrets is forbidden"));
    assert!(secrets.items.is_empty() && secrets.resource_version.is_none());
    assert!(hidden.is_empty());

    let no_secrets = |scope: &ListScope| scope.kind != SECRET;
    let (secondaries, hidden) = assemble(
        &fixture.kinds,
        found,
        &unavailable,
        Some("prod"),
        no_secrets,
        |_| None,
    );
    assert!(secondaries.iter().all(|k| k.kind != "Secret"));
    assert_eq!(hidden, ["secrets"]);
}

#[test]
fn a_stale_kind_keeps_its_children_and_says_it_is_stale() {
    let fixture = orders();
    let found = collect(&fixture, DATABASE, &fixture.primary("orders"), 1);
    let stale = Problem::Stale("stale: the watch of this kind has failed for 31s".into());
    let unavailable: Unavailable = vec![(SECRET, stale)];
    let (secondaries, _) = assemble(
        &fixture.kinds,
        found,
        &unavailable,
        Some("prod"),
        |_| true,
        |_| Some("7".into()),
    );
    let secrets = secondaries.iter().find(|k| k.kind == "Secret").unwrap();
    assert_eq!(secrets.items.len(), 1);
    assert_eq!(secrets.resource_version.as_deref(), Some("7"));
    assert!(secrets.error.as_deref().unwrap().starts_with("stale: "));
}
