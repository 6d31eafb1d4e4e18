//! The `replset` example: Pods found by label, no ownerReference, no timer.

use std::time::Duration;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Pod, Secret, Service};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
use kube::{Api, Client, ResourceExt};
use kube_secondary::Trigger;
use kube_secondary_examples::replset::{ReplSet, ReplSetOperator, ReplSetSpec};

use crate::support::{Running, count, exists, setup, wait_for};

const RS: &str = "app.kubernetes.io/instance=rs";

/// Creates the ReplSet `rs` of three members and waits until its status counts them.
async fn create_and_converge(client: &Client, namespace: &str) -> ReplSet {
    let sets: Api<ReplSet> = Api::namespaced(client.clone(), namespace);
    let rs = sets
        .create(
            &PostParams::default(),
            &ReplSet::new(
                "rs",
                ReplSetSpec {
                    image: "mongo:8".into(),
                    size: 3,
                },
            ),
        )
        .await
        .expect("create ReplSet");
    // The StatefulSet controller creates the Pods; they name the ReplSet only by label.
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    wait_for("three member Pods", || async {
        count(&pods, RS).await == 3
    })
    .await;
    wait_for(
        "status.members = 3, counted from the label-mapped Pods",
        || async {
            sets.get("rs")
                .await
                .expect("get")
                .status
                .is_some_and(|s| s.members == 3)
        },
    )
    .await;
    rs
}

#[tokio::test]
async fn members_found_by_label_update_the_status_and_drift_is_repaired() {
    let (client, ns) = setup::<ReplSet>("replset").await;
    let operator = Running::start::<ReplSet, _>(&client, ns.name(), ReplSetOperator);
    let rs = create_and_converge(&client, ns.name()).await;

    let pods: Api<Pod> = Api::namespaced(client.clone(), ns.name());
    let member = pods.get("rs-0").await.expect("get Pod");
    assert!(
        member
            .owner_references()
            .iter()
            .all(|o| o.kind != "ReplSet"),
        "Pods are not owned by the ReplSet"
    );
    assert!(
        operator
            .snapshot()
            .secondary_kinds
            .get("Members")
            .copied()
            .unwrap_or(0)
            >= 1,
        "{:?}",
        operator.snapshot()
    );

    let statefulsets: Api<StatefulSet> = Api::namespaced(client.clone(), ns.name());
    let owner = statefulsets
        .get("rs")
        .await
        .expect("StatefulSet")
        .owner_references()[0]
        .clone();
    assert_eq!(
        (owner.uid.as_str(), owner.controller),
        (rs.uid().unwrap().as_str(), Some(true))
    );
    let pdbs: Api<PodDisruptionBudget> = Api::namespaced(client.clone(), ns.name());
    assert!(pdbs.get_opt("rs").await.expect("get").is_some());

    // Each owned kind drifts while the operator runs: repaired without a full reconcile.
    let before = operator.settled().await;
    let services: Api<Service> = Api::namespaced(client.clone(), ns.name());
    services
        .delete("rs-headless", &DeleteParams::default())
        .await
        .expect("delete the headless Service");
    pdbs.delete("rs", &DeleteParams::default())
        .await
        .expect("delete the PDB");
    let scale_down = serde_json::json!({ "spec": { "replicas": 1 } });
    statefulsets
        .patch("rs", &PatchParams::default(), &Patch::Merge(&scale_down))
        .await
        .expect("scale the StatefulSet down");
    wait_for(
        "the headless Service and the PDB to be recreated",
        || async { exists(&services, "rs-headless").await && exists(&pdbs, "rs").await },
    )
    .await;
    wait_for("the StatefulSet to be scaled back to 3", || async {
        statefulsets.get("rs").await.expect("get").spec.replicas == Some(3)
    })
    .await;
    let after = operator.settled().await;
    for kind in ["Service", "PodDisruptionBudget", "StatefulSet"] {
        let runs = |snapshot: &kube_secondary::MetricsSnapshot| {
            snapshot.secondary_kinds.get(kind).copied().unwrap_or(0)
        };
        assert!(
            runs(&after) > runs(&before),
            "reconcile_secondaries ran for the {kind} drift: {after:?}"
        );
    }
    assert_eq!(
        after.wakeups(Trigger::Primary),
        before.wakeups(Trigger::Primary),
        "drift did not need a full reconcile"
    );

    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn status_only_updates_and_idle_time_wake_nothing() {
    let (client, ns) = setup::<ReplSet>("replset-idle").await;
    let operator = Running::start::<ReplSet, _>(&client, ns.name(), ReplSetOperator);
    create_and_converge(&client, ns.name()).await;
    let before = operator.settled().await;

    // StatefulSets and Pods both carry a generation: their status updates are noise.
    let statefulsets: Api<StatefulSet> = Api::namespaced(client.clone(), ns.name());
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns.name());
    for step in 1..=3 {
        let status =
            serde_json::json!({ "status": { "availableReplicas": 0, "currentReplicas": step } });
        statefulsets
            .patch_status("rs", &PatchParams::default(), &Patch::Merge(&status))
            .await
            .expect("patch StatefulSet status");
        let condition = serde_json::json!({ "status": { "conditions": [
            { "type": "demo.kube-secondary.dev/Probed", "status": "True", "reason": format!("Probe{step}") }
        ] } });
        pods.patch_status("rs-0", &PatchParams::default(), &Patch::Merge(&condition))
            .await
            .expect("patch Pod status");
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after = operator.snapshot();
    assert_eq!(
        after.wakeups, before.wakeups,
        "status-only updates and idle time woke the operator: {after:?}"
    );
    let filtered = |snapshot: &kube_secondary::MetricsSnapshot, kind| {
        snapshot.filtered.get(kind).copied().unwrap_or(0)
    };
    assert!(
        filtered(&after, "Members") >= filtered(&before, "Members") + 3,
        "the Pod status updates were seen and filtered: {after:?}"
    );
    assert!(
        filtered(&after, "StatefulSet") > filtered(&before, "StatefulSet"),
        "the StatefulSet status updates were seen and filtered: {after:?}"
    );
    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn deleting_the_primary_lets_the_garbage_collector_remove_children() {
    let (client, ns) = setup::<ReplSet>("replset-gc").await;
    let operator = Running::start::<ReplSet, _>(&client, ns.name(), ReplSetOperator);
    create_and_converge(&client, ns.name()).await;
    let sets: Api<ReplSet> = Api::namespaced(client.clone(), ns.name());
    sets.delete("rs", &DeleteParams::default())
        .await
        .expect("delete ReplSet");
    let statefulsets: Api<StatefulSet> = Api::namespaced(client.clone(), ns.name());
    let services: Api<Service> = Api::namespaced(client.clone(), ns.name());
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns.name());
    let pdbs: Api<PodDisruptionBudget> = Api::namespaced(client.clone(), ns.name());
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns.name());
    wait_for(
        "the garbage collector to remove the owned children and, through the StatefulSet, the Pods",
        || async {
            count(&statefulsets, RS).await
                + count(&services, RS).await
                + count(&secrets, RS).await
                + count(&pdbs, RS).await
                + count(&pods, RS).await
                == 0
        },
    )
    .await;
    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn a_restarted_operator_converges_without_duplicates() {
    let (client, ns) = setup::<ReplSet>("replset-restart").await;
    let operator = Running::start::<ReplSet, _>(&client, ns.name(), ReplSetOperator);
    create_and_converge(&client, ns.name()).await;
    operator.stop().await;

    // Drift while nobody watches: a Service and the PDB deleted, the StatefulSet scaled down.
    let services: Api<Service> = Api::namespaced(client.clone(), ns.name());
    services
        .delete("rs", &DeleteParams::default())
        .await
        .expect("delete the client Service");
    let pdbs: Api<PodDisruptionBudget> = Api::namespaced(client.clone(), ns.name());
    pdbs.delete("rs", &DeleteParams::default())
        .await
        .expect("delete the PDB");
    let statefulsets: Api<StatefulSet> = Api::namespaced(client.clone(), ns.name());
    statefulsets
        .patch(
            "rs",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({ "spec": { "replicas": 1 } })),
        )
        .await
        .expect("scale the StatefulSet down");

    let operator = Running::start::<ReplSet, _>(&client, ns.name(), ReplSetOperator);
    wait_for("the deleted children to be recreated", || async {
        exists(&services, "rs").await && exists(&pdbs, "rs").await
    })
    .await;
    wait_for("the StatefulSet to be scaled back to 3", || async {
        statefulsets.get("rs").await.expect("get").spec.replicas == Some(3)
    })
    .await;
    operator.settled().await;

    assert_eq!(count(&statefulsets, RS).await, 1);
    assert_eq!(count(&services, RS).await, 2, "headless and client Service");
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns.name());
    assert_eq!(count(&secrets, RS).await, 1);
    assert_eq!(count(&pdbs, RS).await, 1);
    operator.stop().await;
    ns.delete().await;
}
