//! Authorisation as the caller: the server reviews each caller's access, through the real
//! kube-apiserver and RBAC, and never lends out its own.

use kube_secondary_examples::database::Database;

use super::fixtures::{
    allowed, config_map, create, database, deployment, grant, rule, secret, service,
};
use super::requests::{as_user, database_path, get, names, names_by_kind};
use super::shared::{INSTANCE_LABEL, Registered};
use crate::support::{setup, wait_for};

/// The Secret's password as its `data` holds it.
const PASSWORD_BASE64: &str = "aHVudGVyMg==";

/// The group RBAC names for the primary-all view of Databases, as `databases`.
const PRIMARY_ALL_DATABASES: &str = "primary-all.demo.kube-secondary.dev";

#[tokio::test]
async fn a_user_who_may_list_only_configmaps_sees_those_and_the_names_of_the_other_kinds() {
    let (client, ns) = setup::<Database>("pa-reader").await;
    let registered = Registered::acquire().await;
    let db = create(&client, ns.name(), database("db")).await;
    create(&client, ns.name(), deployment("db", &db)).await;
    create(&client, ns.name(), service("db", &db)).await;
    create(&client, ns.name(), secret("db-credentials", &db)).await;
    create(&client, ns.name(), config_map("db-config", Some(&db), &[])).await;
    let labelled = config_map("db-settings", None, &[(INSTANCE_LABEL, "db")]);
    create(&client, ns.name(), labelled).await;
    let path = database_path(ns.name(), "db", 1);
    wait_for("admin to see the four kinds", || async {
        let reply = get(&client, &path).await;
        reply.status == 200 && names_by_kind(&reply.primary_all()).len() == 4
    })
    .await;

    let user = format!("reader@{}", ns.name());
    let rules = vec![
        rule("demo.kube-secondary.dev", "databases", "get"),
        rule("", "configmaps", "list"),
        rule(PRIMARY_ALL_DATABASES, "databases", "get"),
    ];
    grant(&client, ns.name(), &user, rules).await;
    let reply = get(&as_user(&user).await, &path).await;
    let view = reply.primary_all();
    let config_maps = names([("ConfigMap", vec!["db-config", "db-settings"])]);
    assert_eq!(names_by_kind(&view), config_maps);
    // Every child kind the user may not list is named, those the Database has none of
    // (Pods, ReplicaSets) too, and nothing is counted: the answer says nothing about what exists.
    assert_eq!(
        view.hidden,
        ["deployments", "pods", "replicasets", "secrets", "services"],
        "the kinds the user may not list"
    );
    assert!(
        !reply.body.contains("db-credentials") && !reply.body.contains(PASSWORD_BASE64),
        "nothing of the Secret is shown: {}",
        reply.body
    );
    registered.release().await;
    ns.delete().await;
}

#[tokio::test]
async fn a_user_who_may_not_get_the_database_is_forbidden() {
    let (client, ns) = setup::<Database>("pa-stranger").await;
    let registered = Registered::acquire().await;
    let db = create(&client, ns.name(), database("db")).await;
    create(&client, ns.name(), config_map("db-config", Some(&db), &[])).await;
    let path = database_path(ns.name(), "db", 1);
    wait_for("admin to be served", || async {
        get(&client, &path).await.status == 200
    })
    .await;

    // The kube-apiserver lets the request through to the server, and it lists ConfigMaps;
    // only the Database itself is out of reach.
    let user = format!("stranger@{}", ns.name());
    let rules = vec![
        rule("", "configmaps", "list"),
        rule(PRIMARY_ALL_DATABASES, "databases", "get"),
    ];
    grant(&client, ns.name(), &user, rules).await;
    let stranger = as_user(&user).await;
    let may_get = allowed(
        &stranger,
        ns.name(),
        "demo.kube-secondary.dev",
        "databases",
        "get",
    );
    assert!(!may_get.await);
    let reply = get(&stranger, &path).await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    let status = reply.error_status();
    assert_eq!(status.reason.as_deref(), Some("Forbidden"));
    assert!(!reply.body.contains("db-config"), "{}", reply.body);
    registered.release().await;
    ns.delete().await;
}
