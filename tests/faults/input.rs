//! Bad input and bulk: objects that claim a primary they do not belong to, a huge annotation,
//! and 300 primaries created at once and deleted at once.

use std::collections::BTreeMap;
use std::time::Instant;

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::{DeleteParams, ListParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube::{Api, ResourceExt};
use kube_secondary_examples::database::Database;

use crate::replica::{Replica, metric};
use crate::state::{converged, create, memory_mib, name, report, until_exactly_their_children};
use crate::support::{PATIENCE, setup, wait_for};

fn config_owned_by(name: &str, owners: Vec<OwnerReference>) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            owner_references: Some(owners),
            ..ObjectMeta::default()
        },
        data: Some(BTreeMap::from([("forged".to_string(), "yes".to_string())])),
        ..ConfigMap::default()
    }
}

fn database_owner(db: &Database, uid: &str, controller: bool) -> OwnerReference {
    OwnerReference {
        api_version: "demo.kube-secondary.dev/v1".into(),
        kind: "Database".into(),
        name: db.name_any(),
        uid: uid.into(),
        controller: Some(controller),
        ..OwnerReference::default()
    }
}

#[tokio::test]
async fn a_forged_owner_reference_wakes_nobody_and_two_controllers_are_refused() {
    let (client, ns) = setup::<Database>("forged").await;
    let (operator, port) = Replica::start_serving("operator", ns.name(), None);
    converged(&client, ns.name(), 1).await;
    let db = Api::<Database>::namespaced(client.clone(), ns.name())
        .get(&name(0))
        .await
        .expect("the Database");
    let no_owner = || {
        metric(
            port,
            "kube_secondary_child_event_outcomes_total{kind=\"ConfigMap\",outcome=\"no_owner\"}",
        )
    };
    // Runs that include a ConfigMap change: what the forged ConfigMap could cause.
    let runs = || {
        metric(
            port,
            "kube_secondary_secondary_kind_wakeups_total{kind=\"ConfigMap\"}",
        )
    };
    let (before, runs_before) = (no_owner(), runs());
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    // Right kind and name, another uid: not the Database's child.
    let forged = config_owned_by("forged", vec![database_owner(&db, "0000-forged", true)]);
    configs
        .create(&PostParams::default(), &forged)
        .await
        .expect("create the forged child");
    wait_for("the forged child to be counted as nobody's", || async {
        no_owner() > before
    })
    .await;
    // Two controllers: the API server refuses the object itself.
    let uid = db.uid().unwrap();
    let two = config_owned_by(
        "two-controllers",
        vec![
            database_owner(&db, &uid, true),
            database_owner(&db, "0000-other", true),
        ],
    );
    let refused = configs.create(&PostParams::default(), &two).await;
    assert!(
        matches!(&refused, Err(kube::Error::Api(status)) if status.code == 422),
        "{refused:?}"
    );
    // The garbage collector removes the forged child (its owner does not exist); the
    // Database keeps exactly its own children, untouched.
    wait_for(
        "the garbage collector to remove the forged child",
        || async { configs.get_opt("forged").await.is_ok_and(|c| c.is_none()) },
    )
    .await;
    until_exactly_their_children(&client, ns.name(), 1).await;
    assert_eq!(runs(), runs_before, "the forged child woke the Database");
    drop(operator);
    ns.delete().await;
}

#[tokio::test]
async fn a_primary_with_a_200_kib_annotation_is_served_like_any_other() {
    let (client, ns) = setup::<Database>("huge-annotation").await;
    let (operator, _) = Replica::start_serving("operator", ns.name(), None);
    converged(&client, ns.name(), 1).await;
    let dbs: Api<Database> = Api::namespaced(client.clone(), ns.name());
    let huge = "x".repeat(200 * 1024);
    let patch = serde_json::json!({ "metadata": { "annotations": { "example.com/huge": huge } } });
    dbs.patch(&name(0), &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .expect("annotate");
    // Drift repaired after it, as before it.
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    configs
        .delete(&format!("{}-config", name(0)), &DeleteParams::default())
        .await
        .expect("delete the ConfigMap");
    until_exactly_their_children(&client, ns.name(), 1).await;
    drop(operator);
    ns.delete().await;
}

#[tokio::test]
async fn three_hundred_primaries_created_at_once_converge_and_deleted_at_once_leave_nothing() {
    const N: usize = 300;
    let (client, ns) = setup::<Database>("bulk").await;
    let (operator, port) = Replica::start_serving("operator", ns.name(), None);
    let started = Instant::now();
    create(&client, ns.name(), 0..N).await;
    until_exactly_their_children(&client, ns.name(), N).await;
    let converged_in = started.elapsed();
    let dbs: Api<Database> = Api::namespaced(client.clone(), ns.name());
    dbs.delete_collection(&DeleteParams::background(), &ListParams::default())
        .await
        .expect("delete every Database");
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    // The garbage collector removes 1,200 children and their ReplicaSets and Pods at its own
    // pace: minutes on two cores, longer than the other waits allow.
    let deleting = Instant::now();
    loop {
        let left = configs.list_metadata(&ListParams::default()).await;
        if left.is_ok_and(|list| list.items.iter().all(|c| c.owner_references().is_empty())) {
            break;
        }
        assert!(
            deleting.elapsed() < 5 * PATIENCE,
            "the garbage collector left children of deleted Databases:\n{}",
            operator.log()
        );
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
    let errors = metric(port, "kube_secondary_errors_total");
    assert_eq!(errors, 0.0, "no handler failed:\n{}", operator.log());
    report(format!(
        "{N} Databases created at once: converged in {:.1} s, operator peak RSS {:.1} MiB",
        converged_in.as_secs_f64(),
        memory_mib(operator.child.id(), "VmHWM")
    ));
    drop(operator);
    ns.delete().await;
}
