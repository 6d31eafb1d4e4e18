//! `get_latest_with_secondaries()` reads a Database and its typed children in one request to the
//! API, and gives what the API lists.

use kube::ResourceExt;
use kube_secondary::client::{Source, counting_client, get_latest_with_secondaries};
use kube_secondary_examples::database::Database;

use super::fixtures::{config_map, create, database, deployment, secret, service};
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
    let children = &latest.secondaries;
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
