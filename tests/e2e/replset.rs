//! The `replset` example: Pods found by label, no ownerReference, no timer.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::api::{DeleteParams, ListParams, PostParams};
use kube::{Api, ResourceExt};
use kube_secondary::Trigger;
use kube_secondary_examples::replset::{ReplSet, ReplSetOperator, ReplSetSpec};
use kube_secondary_examples::support::install_crd;

use crate::support::{Running, TestNamespace, client, wait_for};

#[tokio::test]
async fn members_found_by_label_update_the_status_and_drift_is_repaired() {
    let client = client().await;
    install_crd::<ReplSet>(&client)
        .await
        .expect("install the ReplSet CRD");
    let ns = TestNamespace::new(&client, "replset").await;
    let operator = Running::start::<ReplSet, _>(&client, ns.name(), ReplSetOperator);

    let sets: Api<ReplSet> = Api::namespaced(client.clone(), ns.name());
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
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns.name());
    wait_for("three member Pods", || async {
        pods.list(&ListParams::default().labels("app.kubernetes.io/instance=rs"))
            .await
            .expect("list")
            .items
            .len()
            == 3
    })
    .await;
    let member = pods.get("rs-0").await.expect("get Pod");
    assert!(
        member
            .owner_references()
            .iter()
            .all(|o| o.kind != "ReplSet"),
        "Pods are not owned by the ReplSet"
    );
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

    let primary_runs = operator.snapshot().wakeups(Trigger::Primary);
    let services: Api<Service> = Api::namespaced(client.clone(), ns.name());
    services
        .delete("rs-headless", &DeleteParams::default())
        .await
        .expect("delete the headless Service");
    wait_for("the headless Service to be recreated", || async {
        services
            .get_opt("rs-headless")
            .await
            .expect("get")
            .is_some()
    })
    .await;
    assert_eq!(
        operator.snapshot().wakeups(Trigger::Primary),
        primary_runs,
        "drift did not need a full reconcile"
    );

    operator.stop().await;
    ns.delete().await;
}
