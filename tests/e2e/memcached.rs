//! The `memcached` example: the operator-sdk tutorial's behaviour, with the runtime managing the
//! finalizer, the conditions' bookkeeping and the Events.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::events::v1::Event;
use kube::api::{Patch, PatchParams, PostParams};
use kube::{Api, ResourceExt};
use kube_secondary::Trigger;
use kube_secondary_examples::memcached::{FINALIZER, Memcached, MemcachedOperator, MemcachedSpec};

use crate::support::{Running, kubectl, setup, wait_for};

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
    let described = kubectl(&["describe", "memcached", "cache", "-n", ns.name()]);
    assert!(
        described.contains(FINALIZER)
            && described.contains(
                "Deployment for custom resource (cache) with 2 replicas created successfully"
            ),
        "kubectl describe shows the finalizer and the condition: {described}"
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

    memcacheds
        .delete("cache", &Default::default())
        .await
        .expect("delete the Memcached");
    wait_for("the Memcached to be gone", || async {
        memcacheds.get_opt("cache").await.expect("get").is_none()
    })
    .await;
    let events: Api<Event> = Api::namespaced(client.clone(), ns.name());
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
