//! The `memcached` example: the operator-sdk tutorial's behaviour, with the runtime managing the
//! finalizer, the conditions' bookkeeping and the Events.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::api::events::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, OwnerReference};
use kube::api::{DeleteParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube::{Api, ResourceExt};
use kube_secondary::Trigger;
use kube_secondary_examples::memcached::{
    FINALIZER, Memcached, MemcachedOperator, MemcachedSpec, deployment,
};

use crate::children::{counted, handler_requests};
use crate::support::{Running, kubectl, setup, wait_for};

/// The reasons of the Events recorded on the object named `name` in `events`.
async fn reasons(events: &Api<Event>, name: &str) -> Vec<String> {
    let list = events.list(&Default::default()).await.expect("list Events");
    list.items
        .into_iter()
        .filter(|e| e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some(name))
        .filter_map(|e| e.reason)
        .collect()
}

/// Deletes the Memcached `cache` and waits until it is gone (its finalizer removed).
async fn delete_and_wait(memcacheds: &Api<Memcached>) {
    memcacheds
        .delete("cache", &DeleteParams::default())
        .await
        .expect("delete the Memcached");
    wait_for("the Memcached to be gone", || async {
        memcacheds.get_opt("cache").await.expect("get").is_none()
    })
    .await;
}

async fn replicas(deployments: &Api<Deployment>) -> Option<i32> {
    let deployment = deployments
        .get_opt("cache")
        .await
        .expect("get the Deployment");
    deployment.and_then(|d| d.spec.replicas)
}

#[tokio::test]
async fn a_memcached_gets_its_deployment_conditions_and_a_cleanup_event_before_it_goes() {
    let (client, ns) = setup::<Memcached>("memcached").await;
    let operator = Running::start_with(&client, ns.name(), MemcachedOperator, |controller| {
        controller.finalizer(FINALIZER)
    });
    let memcacheds: Api<Memcached> = Api::namespaced(client.clone(), ns.name());
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), ns.name());
    memcacheds
        .create(
            &PostParams::default(),
            &Memcached::new("cache", MemcachedSpec { size: 2 }),
        )
        .await
        .expect("create the Memcached");
    wait_for("a Deployment of 2", || async {
        replicas(&deployments).await == Some(2)
    })
    .await;
    let available = || async {
        let memcached = memcacheds.get("cache").await.expect("get");
        let conditions = memcached.status.clone().unwrap_or_default().conditions;
        let available = conditions.into_iter().find(|c| c.type_ == "Available");
        (memcached, available)
    };
    wait_for("Available", || async { available().await.1.is_some() }).await;
    let (memcached, condition) = available().await;
    let condition = condition.expect("Available");
    assert_eq!(
        (condition.status.as_str(), condition.reason.as_str()),
        ("True", "Reconciling")
    );
    assert_eq!(condition.observed_generation, memcached.metadata.generation);
    assert_eq!(memcached.finalizers(), [FINALIZER.to_string()]);
    let status_managers: Vec<_> = memcached
        .managed_fields()
        .iter()
        .filter(|entry| entry.subresource.as_deref() == Some("status"))
        .map(|entry| entry.manager.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        status_managers,
        ["memcached-controller"],
        "status writes carry the field manager"
    );
    // As a user sees it.
    let jsonpath = r#"-o=jsonpath={.status.conditions[?(@.type=="Available")].status}"#;
    assert_eq!(
        kubectl(&[
            "get",
            "memcacheds.cache.demo.kube-secondary.dev",
            "cache",
            "-n",
            ns.name(),
            jsonpath
        ]),
        "True"
    );
    let events: Api<Event> = Api::namespaced(client.clone(), ns.name());
    wait_for("the runtime's Created Event", || async {
        reasons(&events, "cache")
            .await
            .contains(&"Created".to_string())
    })
    .await;
    let described = kubectl(&["describe", "memcached", "cache", "-n", ns.name()]);
    let created = format!("created Deployment {}/cache", ns.name());
    assert!(
        described.contains(FINALIZER)
            && described.contains(
                "Deployment for custom resource (cache) with 2 replicas created successfully"
            )
            && described.contains(&created),
        "kubectl describe shows the finalizer, the condition and the runtime's Event: {described}"
    );
    let created = operator.settled().await;
    assert_eq!(
        (
            created.wakeups(Trigger::Primary),
            created.wakeups(Trigger::Retry),
            created.errors
        ),
        (1, 0, 0),
        "the finalizer, the Deployment and the status in one run: {created:?}"
    );

    let size = serde_json::json!({ "spec": { "size": 3 } });
    memcacheds
        .patch("cache", &PatchParams::default(), &Patch::Merge(&size))
        .await
        .expect("resize");
    wait_for("a Deployment of 3", || async {
        replicas(&deployments).await == Some(3)
    })
    .await;

    delete_and_wait(&memcacheds).await;
    let deleting = events.list(&Default::default()).await.expect("list Events");
    let deleting: Vec<_> = deleting
        .items
        .iter()
        .filter(|e| e.reason.as_deref() == Some("Deleting"))
        .collect();
    assert_eq!(deleting.len(), 1, "one cleanup Event: {deleting:?}");
    assert_eq!(
        operator.snapshot().errors,
        0,
        "no cleanup failed or ran twice"
    );
    assert_eq!(deleting[0].type_.as_deref(), Some("Warning"));
    assert_eq!(
        deleting[0].regarding.as_ref().map(|r| r.name.clone()),
        Some(Some("cache".into()))
    );
    wait_for("the garbage collector to remove the Deployment", || async {
        replicas(&deployments).await.is_none()
    })
    .await;

    operator.stop().await;
    ns.delete().await;
}

/// The `ReconcileFailed` condition of `memcached`, when it says `True`.
fn failing(memcached: &Memcached) -> Option<Condition> {
    let status = memcached.status.clone().unwrap_or_default();
    let mut conditions = status.conditions.into_iter();
    conditions.find(|c| c.type_ == "ReconcileFailed" && c.status == "True")
}

#[tokio::test]
async fn a_refused_deployment_is_told_in_events_and_its_recovery_costs_one_status_write() {
    let (client, ns) = setup::<Memcached>("memcached-refused").await;
    // The operator's requests are counted; the test's own go through `client`.
    let (counted, counts) = counted().await;
    // Another object controls a Deployment of the name the Memcached wants.
    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    let mut owner = ConfigMap::default();
    owner.metadata.name = Some("squatter".into());
    let owner = configmaps
        .create(&PostParams::default(), &owner)
        .await
        .expect("create the squatter");
    let memcached = Memcached::new("cache", MemcachedSpec { size: 1 });
    let squatted = Deployment {
        metadata: ObjectMeta {
            name: Some("cache".into()),
            owner_references: Some(vec![OwnerReference {
                api_version: "v1".into(),
                kind: "ConfigMap".into(),
                name: owner.name_any(),
                uid: owner.uid().expect("a uid"),
                controller: Some(true),
                ..OwnerReference::default()
            }]),
            ..ObjectMeta::default()
        },
        ..deployment(&memcached)
    };
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), ns.name());
    deployments
        .create(&PostParams::default(), &squatted)
        .await
        .expect("create the squatted Deployment");

    let operator = Running::start_with(&counted, ns.name(), MemcachedOperator, |controller| {
        controller.finalizer(FINALIZER)
    });
    let memcacheds: Api<Memcached> = Api::namespaced(client.clone(), ns.name());
    memcacheds
        .create(&PostParams::default(), &memcached)
        .await
        .expect("create the Memcached");
    wait_for("ReconcileFailed", || async {
        failing(&memcacheds.get("cache").await.expect("get")).is_some()
    })
    .await;
    let condition = failing(&memcacheds.get("cache").await.expect("get")).expect("failing");
    let refusal = format!(
        "Deployment {}/cache is controlled by ConfigMap squatter",
        ns.name()
    );
    assert!(
        condition.message.starts_with(&refusal),
        "{}",
        condition.message
    );
    let events: Api<Event> = Api::namespaced(client.clone(), ns.name());
    wait_for("the Refused and ReconcileFailed Events", || async {
        let reasons = reasons(&events, "cache").await;
        reasons.contains(&"Refused".into()) && reasons.contains(&"ReconcileFailed".into())
    })
    .await;
    let described = kubectl(&["describe", "memcached", "cache", "-n", ns.name()]);
    assert!(
        described.contains("Refused") && described.contains("refusing to take it over"),
        "kubectl describe shows the refusal: {described}"
    );

    let before = handler_requests(&counts);
    assert_eq!(
        before.get("get"),
        None,
        "the failure condition, set once and left as it is by the retries, needed no refetch: {before:?}"
    );
    deployments
        .delete("cache", &DeleteParams::background())
        .await
        .expect("free the name");
    wait_for(
        "the Memcached's own Deployment and the failure cleared",
        || async {
            let ours = deployments.get_opt("cache").await.expect("get");
            let ours =
                ours.is_some_and(|d| d.owner_references().iter().any(|o| o.kind == "Memcached"));
            ours && failing(&memcacheds.get("cache").await.expect("get")).is_none()
        },
    )
    .await;
    operator.settled().await;
    let mut sent = handler_requests(&counts);
    for (verb, count) in &before {
        *sent.entry(verb).or_default() -= count;
    }
    sent.retain(|_, count| *count > 0);
    assert_eq!(
        sent,
        BTreeMap::from([("patch", 2)]),
        "the Deployment's apply and one status write that also clears the failure: no 409, no GET"
    );
    let memcached = memcacheds.get("cache").await.expect("get");
    let conditions = memcached.status.unwrap_or_default().conditions;
    let cleared = conditions.iter().find(|c| c.type_ == "ReconcileFailed");
    assert_eq!(cleared.map(|c| c.status.as_str()), Some("False"));
    assert!(
        conditions
            .iter()
            .any(|c| c.type_ == "Available" && c.status == "True")
    );
    wait_for("the Created Event", || async {
        reasons(&events, "cache").await.contains(&"Created".into())
    })
    .await;
    assert!(counts.snapshot().get("event").is_some_and(|n| *n >= 3));

    // Deleted while the operator runs, so that its finalizer does not hold the namespace.
    delete_and_wait(&memcacheds).await;
    operator.stop().await;
    ns.delete().await;
}
