//! The `database` example operator against the real control plane.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service};
use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
use kube::{Api, Client, ResourceExt};
use kube_secondary::crd::install_crd;
use kube_secondary::{Controller, MetricsSnapshot, Trigger};
use kube_secondary_examples::database::{Database, DatabaseOperator, DatabaseSpec};

use crate::support::{Running, TestNamespace, client, count, exists, setup, wait_for};

fn database(name: &str) -> Database {
    let mut db = Database::new(
        name,
        DatabaseSpec {
            image: "postgres:16".into(),
            replicas: 2,
            port: 5432,
            config: BTreeMap::from([("max_connections".to_string(), "100".to_string())]),
        },
    );
    db.metadata.labels = Some(BTreeMap::from([("test".to_string(), "e2e".to_string())]));
    db
}

/// Every child of `db`, checked for its controller ownerReference.
async fn assert_children_owned(client: &Client, namespace: &str, db: &Database) {
    let uid = db.uid().expect("created Database has a uid");
    let owned_by_db = |meta: &kube::api::ObjectMeta| {
        let owners = meta
            .owner_references
            .as_ref()
            .expect("child has ownerReferences");
        assert_eq!(owners.len(), 1, "one owner: {owners:?}");
        assert_eq!(owners[0].uid, uid);
        assert_eq!(owners[0].kind, "Database");
        assert_eq!(owners[0].controller, Some(true));
    };
    owned_by_db(
        &Api::<Deployment>::namespaced(client.clone(), namespace)
            .get("db")
            .await
            .expect("Deployment")
            .metadata,
    );
    owned_by_db(
        &Api::<Service>::namespaced(client.clone(), namespace)
            .get("db")
            .await
            .expect("Service")
            .metadata,
    );
    owned_by_db(
        &Api::<Secret>::namespaced(client.clone(), namespace)
            .get("db-credentials")
            .await
            .expect("Secret")
            .metadata,
    );
    owned_by_db(
        &Api::<ConfigMap>::namespaced(client.clone(), namespace)
            .get("db-config")
            .await
            .expect("ConfigMap")
            .metadata,
    );
}

async fn create_and_converge(client: &Client, namespace: &str) -> Database {
    let dbs: Api<Database> = Api::namespaced(client.clone(), namespace);
    let db = dbs
        .create(&PostParams::default(), &database("db"))
        .await
        .expect("create Database");
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
    wait_for("the children of the new Database", || async {
        exists(&configs, "db-config").await
    })
    .await;
    let services: Api<Service> = Api::namespaced(client.clone(), namespace);
    wait_for("the Service", || async { exists(&services, "db").await }).await;
    // The operator writes the Secret last.
    let secrets: Api<Secret> = Api::namespaced(client.clone(), namespace);
    wait_for("the Secret", || async {
        exists(&secrets, "db-credentials").await
    })
    .await;
    db
}

#[tokio::test]
async fn creates_children_owned_by_the_primary() {
    let (client, ns) = setup::<Database>("db-create").await;
    let operator = Running::start::<Database, _>(&client, ns.name(), DatabaseOperator);
    let db = create_and_converge(&client, ns.name()).await;
    assert_children_owned(&client, ns.name(), &db).await;
    let dbs: Api<Database> = Api::namespaced(client.clone(), ns.name());
    wait_for("status.observedGeneration", || async {
        let db = dbs.get("db").await.expect("get Database");
        db.status.and_then(|s| s.observed_generation) == db.metadata.generation
    })
    .await;
    assert!(operator.snapshot().wakeups(Trigger::Primary) >= 1);
    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn repairs_each_kind_of_drift_through_reconcile_secondaries() {
    let (client, ns) = setup::<Database>("db-drift").await;
    let operator = Running::start::<Database, _>(&client, ns.name(), DatabaseOperator);
    create_and_converge(&client, ns.name()).await;
    let before = operator.settled().await;

    // A deleted Service is recreated.
    let services: Api<Service> = Api::namespaced(client.clone(), ns.name());
    services
        .delete("db", &DeleteParams::default())
        .await
        .expect("delete Service");
    wait_for("the Service to be recreated", || async {
        exists(&services, "db").await
    })
    .await;

    // An edited ConfigMap is restored.
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    let edit = serde_json::json!({ "data": { "max_connections": "5" } });
    configs
        .patch("db-config", &PatchParams::default(), &Patch::Merge(&edit))
        .await
        .expect("edit ConfigMap");
    wait_for("the ConfigMap to be restored", || async {
        let data = configs
            .get("db-config")
            .await
            .expect("get ConfigMap")
            .data
            .unwrap_or_default();
        data.get("max_connections").map(String::as_str) == Some("100")
    })
    .await;

    // A scaled Deployment is reset.
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), ns.name());
    let scale = serde_json::json!({ "spec": { "replicas": 7 } });
    deployments
        .patch("db", &PatchParams::default(), &Patch::Merge(&scale))
        .await
        .expect("scale Deployment");
    wait_for("the Deployment to be reset", || async {
        deployments
            .get("db")
            .await
            .expect("get Deployment")
            .spec
            .replicas
            == Some(2)
    })
    .await;

    let after = operator.settled().await;
    for kind in ["Service", "ConfigMap", "Deployment"] {
        let runs = |m: &MetricsSnapshot| m.secondary_kinds.get(kind).copied().unwrap_or(0);
        assert!(
            runs(&after) > runs(&before),
            "reconcile_secondaries ran for {kind}: {after:?}"
        );
    }
    assert_eq!(
        after.wakeups(Trigger::Primary),
        before.wakeups(Trigger::Primary),
        "no full reconcile for drift"
    );
    assert_eq!(after.errors, 0);
    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn status_only_child_updates_and_idle_time_wake_nothing() {
    let (client, ns) = setup::<Database>("db-idle").await;
    let operator = Running::start::<Database, _>(&client, ns.name(), DatabaseOperator);
    create_and_converge(&client, ns.name()).await;
    let before = operator.settled().await;

    // The default predicate passes what the operator owns and readiness: this status is noise.
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), ns.name());
    for observed in 1..=3 {
        let status = serde_json::json!({ "status": { "observedGeneration": observed, "unavailableReplicas": observed } });
        deployments
            .patch_status("db", &PatchParams::default(), &Patch::Merge(&status))
            .await
            .expect("patch status");
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after = operator.snapshot();
    assert_eq!(
        after.wakeups, before.wakeups,
        "status-only updates and idle time woke the operator"
    );
    assert!(
        after.filtered.get("Deployment").copied().unwrap_or(0)
            >= before.filtered.get("Deployment").copied().unwrap_or(0) + 3,
        "the status updates were seen and filtered: {after:?}"
    );
    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn invalid_spec_becomes_a_status_condition() {
    let (client, ns) = setup::<Database>("db-invalid").await;
    let operator = Running::start::<Database, _>(&client, ns.name(), DatabaseOperator);
    let dbs: Api<Database> = Api::namespaced(client.clone(), ns.name());
    let mut bad = database("db");
    bad.spec.port = 70000;
    dbs.create(&PostParams::default(), &bad)
        .await
        .expect("create Database");
    wait_for("the InvalidSpec condition", || async {
        let db = dbs.get("db").await.expect("get Database");
        db.status.is_some_and(|s| {
            s.conditions
                .iter()
                .any(|c| c.reason == "InvalidSpec" && c.message.contains("spec.port"))
        })
    })
    .await;
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    assert!(
        !exists(&configs, "db-config").await,
        "nothing is created from an invalid spec"
    );
    assert_eq!(operator.snapshot().errors, 0);
    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn deleting_the_primary_lets_the_garbage_collector_remove_children() {
    let (client, ns) = setup::<Database>("db-gc").await;
    let operator = Running::start::<Database, _>(&client, ns.name(), DatabaseOperator);
    create_and_converge(&client, ns.name()).await;
    let dbs: Api<Database> = Api::namespaced(client.clone(), ns.name());
    dbs.delete("db", &DeleteParams::default())
        .await
        .expect("delete Database");
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    let services: Api<Service> = Api::namespaced(client.clone(), ns.name());
    wait_for("the garbage collector to remove the children", || async {
        !exists(&configs, "db-config").await && !exists(&services, "db").await
    })
    .await;
    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn a_restarted_operator_converges_without_duplicates() {
    let (client, ns) = setup::<Database>("db-restart").await;
    let operator = Running::start::<Database, _>(&client, ns.name(), DatabaseOperator);
    create_and_converge(&client, ns.name()).await;
    operator.stop().await;

    let services: Api<Service> = Api::namespaced(client.clone(), ns.name());
    services
        .delete("db", &DeleteParams::default())
        .await
        .expect("delete Service while the operator is down");
    let operator = Running::start::<Database, _>(&client, ns.name(), DatabaseOperator);
    wait_for("the Service to be recreated after the restart", || async {
        exists(&services, "db").await
    })
    .await;
    operator.settled().await;

    let by_instance = "app.kubernetes.io/instance=db";
    assert_eq!(count(&services, by_instance).await, 1);
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), ns.name());
    assert_eq!(count(&deployments, by_instance).await, 1);
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns.name());
    assert_eq!(count(&secrets, by_instance).await, 1);
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    assert_eq!(count(&configs, by_instance).await, 1);
    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn a_missing_permission_is_named_at_start_up() {
    let admin = client().await;
    install_crd::<Database>(&admin, "kube-secondary-tests")
        .await
        .expect("install the Database CRD");
    let ns = TestNamespace::new(&admin, "db-rbac").await;
    // A user with no role bindings at all, by impersonation.
    let mut config = kube::Config::infer().await.expect("kubeconfig");
    config.auth_info.impersonate = Some("kube-secondary-e2e-nobody".into());
    let nobody = Client::try_from(config).expect("client");
    let result = Controller::<Database>::new(nobody)
        .namespace(ns.name())
        .run(DatabaseOperator)
        .await;
    let Err(kube_secondary::Error::MissingPermissions(missing)) = result else {
        panic!("expected missing permissions, got {result:?}");
    };
    let message = kube_secondary::Error::MissingPermissions(missing.clone()).to_string();
    for (resource, verb) in [
        ("databases", "list"),
        ("deployments", "watch"),
        ("secrets", "list"),
        ("configmaps", "watch"),
    ] {
        assert!(
            missing
                .iter()
                .any(|m| m.resource == resource && m.verb == verb),
            "{resource}/{verb} is reported: {message}"
        );
    }
    assert!(
        message.contains("cannot watch services (v1 Service)"),
        "{message}"
    );
    ns.delete().await;
}
