//! `get_latest_with_secondaries()` reads a Database and its typed children in one request to the
//! API, and gives what the API lists; a caller without the `primary-all` grant reads them with
//! a GET and LISTs instead, and a kind hidden from the caller makes the children unknown, not
//! empty.

use kube::ResourceExt;
use kube_secondary::client::{Source, counting_client, get_latest_with_secondaries};
use kube_secondary_examples::database::Database;

use super::fixtures::{config_map, create, database, deployment, grant, rule, secret, service};
use super::requests::{database_path, get, names_by_kind};
use super::shared::Registered;
use crate::support::{setup, wait_for};

#[tokio::test]
async fn the_client_reads_a_database_with_its_typed_children_in_one_request() {
    let (client, ns) = setup::<Database>("pa-client").await;
    let registered = Registered::acquire().await;
    let db = create(&client, ns.name(), database("db")).await;
    create(&client, ns.name(), deployment("db", &db)).await;
    create(&client, ns.name(), service("db", &db)).await;
    create(&client, ns.name(), secret("db-credentials", &db)).await;
    create(&client, ns.name(), config_map("db-config", Some(&db), &[])).await;
    wait_for("the server's caches to hold the four children", || async {
        let reply = get(&client, &database_path(ns.name(), "db", 1)).await;
        reply.status == 200 && names_by_kind(&reply.primary_all()).len() == 4
    })
    .await;
    let listed = names_by_kind(
        &get(&client, &database_path(ns.name(), "db", 1))
            .await
            .primary_all(),
    );

    let config = kube::Config::infer().await.expect("a kubeconfig");
    let (counted, requests) = counting_client(config).expect("a counting client");
    let latest = get_latest_with_secondaries::<Database>(&counted, Some(ns.name()), "db")
        .await
        .expect("read the Database");
    assert_eq!(latest.source, Source::Aggregated);
    assert_eq!(
        requests.total(),
        1,
        "one request: {:?}",
        requests.snapshot()
    );
    assert_eq!(latest.primary.uid(), db.uid());
    let children = latest.secondaries().expect("every declared kind read");
    let typed = [
        (
            "ConfigMap",
            children
                .config_maps
                .iter()
                .map(|c| c.name_any())
                .collect::<Vec<_>>(),
        ),
        (
            "Deployment",
            children.deployments.iter().map(|c| c.name_any()).collect(),
        ),
        (
            "Secret",
            children.secrets.iter().map(|c| c.name_any()).collect(),
        ),
        (
            "Service",
            children.services.iter().map(|c| c.name_any()).collect(),
        ),
    ];
    let typed = typed
        .into_iter()
        .map(|(kind, names)| (kind.to_string(), names))
        .collect();
    assert_eq!(listed, typed, "the typed children are what the API lists");
    assert!(latest.hidden.is_empty() && latest.errors.is_empty());
    registered.release().await;
    ns.delete().await;
}

/// Creates a Database with one child of each declared kind and waits until the server shows
/// them; grants `user` `rules`; returns a client acting as `user` that counts its requests.
async fn database_for(
    client: &kube::Client,
    namespace: &str,
    user: &str,
    rules: Vec<k8s_openapi::api::rbac::v1::PolicyRule>,
) -> (
    kube::Client,
    std::sync::Arc<kube_secondary::client::RequestCounts>,
) {
    let db = create(client, namespace, database("db")).await;
    create(client, namespace, deployment("db", &db)).await;
    create(client, namespace, service("db", &db)).await;
    create(client, namespace, secret("db-credentials", &db)).await;
    create(client, namespace, config_map("db-config", Some(&db), &[])).await;
    wait_for("the server's caches to hold the four children", || async {
        let reply = get(client, &database_path(namespace, "db", 1)).await;
        reply.status == 200 && names_by_kind(&reply.primary_all()).len() == 4
    })
    .await;
    grant(client, namespace, user, rules).await;
    let mut config = kube::Config::infer().await.expect("a kubeconfig");
    config.auth_info.impersonate = Some(user.into());
    counting_client(config).expect("a counting client")
}

/// What a user who may read the Database and its four kinds is granted, `primary-all` aside.
fn reader_rules() -> Vec<k8s_openapi::api::rbac::v1::PolicyRule> {
    vec![
        rule("demo.kube-secondary.dev", "databases", "get"),
        rule("apps", "deployments", "list"),
        rule("", "services", "list"),
        rule("", "secrets", "list"),
        rule("", "configmaps", "list"),
    ]
}

#[tokio::test]
async fn a_caller_without_the_primary_all_grant_reads_with_a_get_and_lists() {
    let (client, ns) = setup::<Database>("pa-no-grant").await;
    let registered = Registered::acquire().await;
    let user = format!("viewer@{}", ns.name());
    let (counted, requests) = database_for(&client, ns.name(), &user, reader_rules()).await;
    let latest = get_latest_with_secondaries::<Database>(&counted, Some(ns.name()), "db")
        .await
        .expect("read the Database without the primary-all grant");
    assert_eq!(latest.source, Source::Fallback);
    assert_eq!(
        requests.total(),
        6,
        "the refused request, the GET and four LISTs: {:?}",
        requests.snapshot()
    );
    let children = latest.secondaries().expect("every declared kind listed");
    assert_eq!(
        (
            children.deployments.len(),
            children.services.len(),
            children.secrets.len(),
            children.config_maps.len()
        ),
        (1, 1, 1, 1)
    );
    registered.release().await;
    ns.delete().await;
}

#[tokio::test]
async fn a_kind_hidden_from_the_caller_leaves_the_children_unknown_not_empty() {
    let (client, ns) = setup::<Database>("pa-hidden-kind").await;
    let registered = Registered::acquire().await;
    let user = format!("no-secrets@{}", ns.name());
    let mut rules = reader_rules();
    rules.retain(|rule| rule.resources.as_deref() != Some(&["secrets".to_string()]));
    rules.push(rule(
        "primary-all.demo.kube-secondary.dev",
        "databases",
        "get",
    ));
    let (counted, _) = database_for(&client, ns.name(), &user, rules).await;
    let latest = get_latest_with_secondaries::<Database>(&counted, Some(ns.name()), "db")
        .await
        .expect("read the Database");
    assert_eq!(latest.source, Source::Aggregated);
    let error = latest
        .secondaries()
        .expect_err("Secrets are hidden: unknown, not none");
    assert!(
        error
            .to_string()
            .ends_with("secrets (hidden: you may not list them)"),
        "{error}"
    );
    let readable = latest.readable_secondaries();
    assert_eq!((readable.secrets.len(), readable.config_maps.len()), (0, 1));
    registered.release().await;
    ns.delete().await;
}
