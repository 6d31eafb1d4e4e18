//! The real kubectl against the primary-all API through the kube-apiserver: a Database is
//! served as `databases` in the group `primary-all.demo.kube-secondary.dev`, so kubectl names
//! it, prints its Table, its object as YAML, explains it from the aggregated OpenAPI, and RBAC
//! grants it per namespace. The plugin reads the same API.

use k8s_openapi::jiff::Timestamp;
use kube::ResourceExt;
use kube_secondary::primary_all::PrimaryAll;
use kube_secondary_examples::database::Database;

use super::fixtures::{config_map, create, database, service};
use super::requests::{get, names, names_by_kind};
use super::shared::Registered;
use crate::support::{TestNamespace, kubectl, setup, try_kubectl, wait_for};

/// How kubectl names the primary-all view of Databases.
const RESOURCE: &str = "databases.primary-all.demo.kube-secondary.dev";

/// The route of Database `name`'s view in `namespace`.
fn view_path(namespace: &str, name: &str) -> String {
    format!("/apis/primary-all.demo.kube-secondary.dev/v1/namespaces/{namespace}/databases/{name}")
}

/// A kubectl cache directory for one test, so no discovery or OpenAPI cached by another run
/// is read.
fn cache_dir(namespace: &str) -> String {
    let dir = std::env::temp_dir().join(format!("kubectl-cache-{namespace}"));
    format!("--cache-dir={}", dir.display())
}

/// Whether `kubectl explain` printed `field` in its list of fields.
fn lists(explained: &str, field: &str) -> bool {
    explained
        .lines()
        .any(|line| line.split_whitespace().next() == Some(field))
}

#[tokio::test]
async fn kubectl_get_prints_a_table_and_the_object_as_yaml() {
    let (client, ns) = setup::<Database>("pa-kubectl-get").await;
    let registered = Registered::acquire().await;
    let db = create(&client, ns.name(), database("db")).await;
    create(&client, ns.name(), service("db", &db)).await;
    create(&client, ns.name(), config_map("db-config", Some(&db), &[])).await;
    let children = names([("ConfigMap", vec!["db-config"]), ("Service", vec!["db"])]);
    wait_for("the server's caches to hold the children", || async {
        let reply = get(&client, &view_path(ns.name(), "db")).await;
        reply.status == 200 && names_by_kind(&reply.primary_all()) == children
    })
    .await;
    let cache = cache_dir(ns.name());
    let args = |more: &[&'static str]| -> Vec<String> {
        let base = [RESOURCE, "db", "-n", ns.name(), &cache];
        let base = std::iter::once("get")
            .chain(base)
            .chain(more.iter().copied());
        base.map(String::from).collect()
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        try_kubectl(&args)
    };
    // The aggregator's discovery takes the new group up in its own time.
    wait_for("kubectl to know the resource", || async {
        run(args(&[])).is_ok()
    })
    .await;

    let table = run(args(&[])).expect("kubectl get");
    let lines: Vec<Vec<&str>> = table
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(lines.len(), 2, "a header and one row: {table}");
    assert_eq!(lines[0], ["NAME", "CHILDREN", "READY", "AGE"], "{table}");
    // One replica asked for and none ready: no operator runs here.
    assert_eq!(
        lines[1][..3],
        ["db", "ConfigMap=1,Service=1", "False"],
        "{table}"
    );

    let yaml = run(args(&["-o", "yaml"])).expect("kubectl get -o yaml");
    let view: PrimaryAll = serde_yaml::from_str(&yaml).expect("a PrimaryAll as YAML");
    assert_eq!(view.api_version, "primary-all.demo.kube-secondary.dev/v1");
    assert_eq!(view.kind, "Database");
    assert_eq!(view.metadata.name.as_deref(), Some("db"));
    assert_eq!(view.metadata.namespace.as_deref(), Some(ns.name()));
    assert_eq!(view.metadata.uid, db.uid());
    assert!(view.metadata.managed_fields.is_none());
    assert_eq!(view.primary["kind"], "Database");
    assert_eq!(names_by_kind(&view), children);

    let name = run(args(&["-o", "name"])).expect("kubectl get -o name");
    assert_eq!(
        name.trim(),
        "database.primary-all.demo.kube-secondary.dev/db"
    );
    registered.release().await;
    ns.delete().await;
}

#[tokio::test]
async fn kubectl_explain_reads_the_aggregated_openapi() {
    let registered = Registered::acquire().await;
    let cache = cache_dir(&format!("explain-{}", std::process::id()));
    // The aggregator downloads each APIService's OpenAPI in its own time.
    // Each new refusal is printed, so a run that gives up shows why.
    let last = std::sync::Mutex::new(String::new());
    wait_for("kubectl explain to find the resource", || async {
        let refused = try_kubectl(&["explain", RESOURCE, &cache]).err();
        let mut last = last.lock().expect("not poisoned");
        if let Some(error) = refused.as_ref().filter(|error| **error != *last) {
            eprintln!("kubectl explain: {error}");
        }
        *last = refused.unwrap_or_default();
        last.is_empty()
    })
    .await;
    let explained = kubectl(&["explain", RESOURCE, &cache]);
    assert!(
        explained.contains("GROUP:      primary-all.demo.kube-secondary.dev"),
        "{explained}"
    );
    assert!(explained.contains("KIND:       Database"), "{explained}");
    for field in ["metadata", "primary", "secondaries", "hidden"] {
        assert!(lists(&explained, field), "{field}: {explained}");
    }
    let field = format!("{RESOURCE}.secondaries");
    let explained = kubectl(&["explain", &field, &cache]);
    assert!(explained.contains("FIELD: secondaries"), "{explained}");
    for field in ["kind", "resource", "items", "error"] {
        assert!(lists(&explained, field), "{field}: {explained}");
    }
    registered.release().await;
}

#[tokio::test]
async fn a_namespaced_role_made_with_kubectl_grants_the_view_in_its_namespace_only() {
    let (client, ns) = setup::<Database>("pa-kubectl-rbac").await;
    let other = TestNamespace::new(&client, "pa-kubectl-rbac-other").await;
    let registered = Registered::acquire().await;
    for namespace in [ns.name(), other.name()] {
        let db = create(&client, namespace, database("db")).await;
        create(&client, namespace, config_map("db-config", Some(&db), &[])).await;
    }
    let cache = cache_dir(ns.name());
    wait_for("kubectl to know the resource", || async {
        try_kubectl(&["get", RESOURCE, "db", "-n", ns.name(), &cache]).is_ok()
    })
    .await;

    let user = format!("kubectl-reader@{}", ns.name());
    let role = [
        "create",
        "role",
        "reader",
        "-n",
        ns.name(),
        "--verb=get",
        "--resource=databases.demo.kube-secondary.dev",
        "--resource",
        RESOURCE,
        &cache,
    ];
    kubectl(&role);
    let binding = [
        "create",
        "rolebinding",
        "reader",
        "-n",
        ns.name(),
        "--role=reader",
    ];
    kubectl(&[&binding[..], &["--user", &user, &cache]].concat());

    let can_i = |namespace: &str| {
        let object = format!("{RESOURCE}/db");
        try_kubectl(&[
            "auth", "can-i", "get", &object, "-n", namespace, "--as", &user, &cache,
        ])
    };
    wait_for("the Role to apply", || async { can_i(ns.name()).is_ok() }).await;
    assert_eq!(
        can_i(ns.name()).map(|out| out.trim().to_string()),
        Ok("yes".into())
    );
    assert!(can_i(other.name()).is_err(), "no grant in {}", other.name());

    let as_user = |namespace: &str| {
        try_kubectl(&[
            "get", RESOURCE, "db", "-n", namespace, "--as", &user, "-o", "yaml", &cache,
        ])
    };
    let yaml = as_user(ns.name()).expect("the user reads the view in their namespace");
    let view: PrimaryAll = serde_yaml::from_str(&yaml).expect("a PrimaryAll as YAML");
    assert_eq!(view.metadata.name.as_deref(), Some("db"));
    let refused = as_user(other.name()).expect_err("no grant in the other namespace");
    let rbac =
        "cannot get resource \"databases\" in API group \"primary-all.demo.kube-secondary.dev\"";
    assert!(refused.contains(rbac), "{refused}");
    registered.release().await;
    other.delete().await;
    ns.delete().await;
}

#[tokio::test]
async fn the_plugin_reads_the_tree_through_the_new_route() {
    let (client, ns) = setup::<Database>("pa-plugin").await;
    let registered = Registered::acquire().await;
    let db = create(&client, ns.name(), database("db")).await;
    create(&client, ns.name(), config_map("db-config", Some(&db), &[])).await;
    wait_for("the server's caches to hold the child", || async {
        let reply = get(&client, &view_path(ns.name(), "db")).await;
        reply.status == 200 && !reply.primary_all().secondaries.is_empty()
    })
    .await;
    wait_for("discovery to list the group", || async {
        let discovered = kubectl_secondaries::discover(&client)
            .await
            .expect("discovery");
        let primary = kubectl_secondaries::resolve(&discovered, "database");
        primary.is_some_and(|primary| discovered.primary_all_serves(primary))
    })
    .await;
    let discovered = kubectl_secondaries::discover(&client)
        .await
        .expect("discovery");
    let primary = kubectl_secondaries::resolve(&discovered, "db").expect("Database by short name");
    assert_eq!(
        primary.group, "demo.kube-secondary.dev",
        "never the primary-all resource"
    );
    let namespace = Some(ns.name());
    let response = kubectl_secondaries::fetch(&client, primary, namespace, "db", None)
        .await
        .expect("the plugin's request");
    let response: PrimaryAll = serde_json::from_value(response).expect("a PrimaryAll");
    let tree = kubectl_secondaries::render(&response, Timestamp::now());
    let rows: Vec<&str> = tree
        .lines()
        .map(|line| line.split("   ").next().unwrap_or_default().trim_end())
        .collect();
    assert_eq!(
        rows,
        ["NAME", "Database/db", "└─ ConfigMap/db-config"],
        "{tree}"
    );
    registered.release().await;
    ns.delete().await;
}
