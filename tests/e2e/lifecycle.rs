//! The primary's lifecycle: a managed finalizer with a cleanup, failures that read as one line,
//! and a failure retrying cannot fix waiting for a change instead of being retried.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Service};
use k8s_openapi::api::events::v1::Event;
use kube::api::PostParams;
use kube::runtime::events::EventType;
use kube::{Api, ResourceExt};
use kube_secondary::{Action, Context, Error, Reconciler, Trigger};

use crate::probe::{Probe, ProbeSecondaries, Prober, change, probe};
use crate::support::{Running, setup, wait_for};

#[tokio::test]
async fn a_child_refused_as_invalid_is_one_line_on_the_primary_and_not_retried_until_a_change() {
    let (client, ns) = setup::<Probe>("invalid").await;
    let operator = Running::start::<Probe, _>(&client, ns.name(), Prober);
    let probes: Api<Probe> = Api::namespaced(client.clone(), ns.name());
    let spec =
        serde_json::json!({ "selector": { "app": "p" }, "tls": [], "books": [], "port": 70000 });
    probes
        .create(&PostParams::default(), &probe("p", spec))
        .await
        .expect("create the Probe");
    let failed = || async {
        let probe = probes.get("p").await.expect("get the Probe");
        let conditions = probe.status.map(|s| s.conditions).unwrap_or_default();
        conditions
            .into_iter()
            .find(|c| c.type_ == "ReconcileFailed" && c.status == "True")
    };
    wait_for("the ReconcileFailed condition", || async {
        failed().await.is_some()
    })
    .await;
    let condition = failed().await.expect("the condition");
    let head = format!(
        "could not apply Service {}/p: Invalid: Service \"p\" is invalid: ",
        ns.name()
    );
    assert!(
        condition.message.starts_with(&head)
            && condition
                .message
                .contains("spec.ports[0].port: Invalid value: 70000")
            && !condition.message.contains('\n'),
        "one line with the API server's reason and message: {}",
        condition.message
    );
    assert!(
        !condition.message.contains("Status {"),
        "{}",
        condition.message
    );

    tokio::time::sleep(Duration::from_secs(60)).await;
    let waited = operator.snapshot();
    assert_eq!(
        (
            waited.wakeups(Trigger::Primary),
            waited.wakeups(Trigger::Retry),
            waited.errors
        ),
        (1, 0, 1),
        "one run, no retry, while nothing changes: {waited:?}"
    );

    change(&probes, "p", serde_json::json!({ "port": 8080 })).await;
    wait_for("the failure to clear", || async {
        failed().await.is_none()
    })
    .await;

    operator.stop().await;
    ns.delete().await;
}

/// The Probe operator with a cleanup that counts the primaries it cleaned up and checks that
/// their children are still there to read.
struct Cleaner {
    cleaned: Arc<AtomicUsize>,
}

impl Reconciler<Probe> for Cleaner {
    type Error = Error;

    async fn reconcile(
        &self,
        probe: Arc<Probe>,
        children: ProbeSecondaries,
        ctx: &Context<Probe>,
    ) -> Result<Action, Error> {
        Prober.reconcile(probe, children, ctx).await
    }

    async fn cleanup(
        &self,
        probe: Arc<Probe>,
        children: ProbeSecondaries,
        ctx: &Context<Probe>,
    ) -> Result<Action, Error> {
        if children.services.is_empty() {
            return Err(Error::terminal(format!(
                "{} has no Service left to clean up after",
                probe.name_any()
            )));
        }
        self.cleaned.fetch_add(1, Ordering::SeqCst);
        ctx.event(
            EventType::Normal,
            "CleanedUp",
            "the Service was read before it goes",
        )
        .await;
        Ok(Action::await_change())
    }
}

const FINALIZER: &str = "trust.kube-secondary.dev/cleanup";

#[tokio::test]
async fn a_managed_finalizer_is_added_in_the_first_run_and_removed_after_each_cleanup() {
    const N: usize = 10;
    let (client, ns) = setup::<Probe>("cleanup").await;
    let cleaned = Arc::new(AtomicUsize::new(0));
    let reconciler = Cleaner {
        cleaned: cleaned.clone(),
    };
    let operator = Running::start_with(&client, ns.name(), reconciler, |controller| {
        controller.finalizer(FINALIZER)
    });
    let probes: Api<Probe> = Api::namespaced(client.clone(), ns.name());
    let services: Api<Service> = Api::namespaced(client.clone(), ns.name());
    for i in 0..N {
        let spec = serde_json::json!({ "selector": { "app": "p" }, "tls": [], "books": [] });
        probes
            .create(&PostParams::default(), &probe(&format!("p{i}"), spec))
            .await
            .expect("create a Probe");
    }
    wait_for("every Probe's Service", || async {
        let list = services.list(&Default::default()).await.expect("list");
        list.items.len() == N
    })
    .await;
    for i in 0..N {
        let probe = probes.get(&format!("p{i}")).await.expect("get");
        assert_eq!(probe.finalizers(), [FINALIZER.to_string()]);
    }
    let created = operator.settled().await;
    assert_eq!(
        (
            created.wakeups(Trigger::Primary),
            created.wakeups(Trigger::Retry),
            created.errors
        ),
        (N as u64, 0, 0),
        "each Probe got its finalizer and its children in its first run: {created:?}"
    );

    for i in 0..N {
        probes
            .delete(&format!("p{i}"), &Default::default())
            .await
            .expect("delete a Probe");
    }
    wait_for("every Probe to be gone", || async {
        probes
            .list(&Default::default())
            .await
            .expect("list")
            .items
            .is_empty()
    })
    .await;
    assert_eq!(cleaned.load(Ordering::SeqCst), N, "one cleanup per Probe");
    assert_eq!(operator.snapshot().errors, 0);
    let events: Api<Event> = Api::namespaced(client.clone(), ns.name());
    let reasons = || async {
        let list = events.list(&Default::default()).await.expect("list Events");
        let reasons = list.items.into_iter().filter_map(|e| e.reason);
        reasons.fold(BTreeMap::<String, usize>::new(), |mut counts, reason| {
            *counts.entry(reason).or_default() += 1;
            counts
        })
    };
    wait_for(
        "a cleanup Event and the runtime's Created Events per Probe",
        || async {
            let reasons = reasons().await;
            reasons.get("CleanedUp") == Some(&N) && reasons.get("Created") >= Some(&N)
        },
    )
    .await;
    wait_for("the garbage collector to remove every child", || async {
        services
            .list(&Default::default())
            .await
            .expect("list")
            .items
            .is_empty()
    })
    .await;

    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn with_the_runtimes_events_off_only_the_handlers_own_are_recorded() {
    let (client, ns) = setup::<Probe>("quiet").await;
    let (counted, counts) = crate::children::counted().await;
    let operator = Running::start_with(&counted, ns.name(), Prober, |controller| {
        controller.runtime_events(false)
    });
    let probes: Api<Probe> = Api::namespaced(client.clone(), ns.name());
    let spec = serde_json::json!({ "selector": { "app": "p" }, "tls": ["a"], "books": [] });
    probes
        .create(&PostParams::default(), &probe("p", spec))
        .await
        .expect("create the Probe");
    let services: Api<Service> = Api::namespaced(client.clone(), ns.name());
    wait_for("the Service", || async {
        services.get_opt("p").await.expect("get").is_some()
    })
    .await;
    operator.settled().await;
    let events: Api<Event> = Api::namespaced(client.clone(), ns.name());
    let recorded = events.list(&Default::default()).await.expect("list Events");
    let ours: Vec<_> = recorded
        .items
        .iter()
        .filter(|e| e.reporting_controller.as_deref() == Some("probe-controller"))
        .collect();
    assert!(ours.is_empty(), "no runtime Event: {ours:?}");
    assert_eq!(counts.snapshot().get("event"), None);
    assert!(
        counts.writes() >= 4,
        "the children were written: {:?}",
        counts.snapshot()
    );

    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn an_existing_object_nobody_controls_is_adopted_and_the_primary_says_so() {
    let (client, ns) = setup::<Probe>("adopt").await;
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    let mut left = ConfigMap::default();
    left.metadata.name = Some("p-settings".into());
    configs
        .create(&PostParams::default(), &left)
        .await
        .expect("create the ConfigMap nobody controls");
    let operator = Running::start::<Probe, _>(&client, ns.name(), Prober);
    let probes: Api<Probe> = Api::namespaced(client.clone(), ns.name());
    let spec = serde_json::json!({ "selector": { "app": "p" }, "tls": [], "books": [] });
    probes
        .create(&PostParams::default(), &probe("p", spec))
        .await
        .expect("create the Probe");
    let events: Api<Event> = Api::namespaced(client.clone(), ns.name());
    let told = |reason: &'static str, kind: &'static str| {
        let events = events.clone();
        async move {
            let list = events.list(&Default::default()).await.expect("list Events");
            list.items.iter().any(|e| {
                e.reason.as_deref() == Some(reason)
                    && e.related.as_ref().and_then(|r| r.kind.as_deref()) == Some(kind)
            })
        }
    };
    wait_for(
        "Adopted for the ConfigMap, Created for the Service",
        || async { told("Adopted", "ConfigMap").await && told("Created", "Service").await },
    )
    .await;
    let adopted = configs.get("p-settings").await.expect("get");
    let controller = adopted
        .owner_references()
        .iter()
        .find(|o| o.controller == Some(true));
    assert_eq!(controller.map(|o| o.name.as_str()), Some("p"));
    // The Probe's only ConfigMap with this spec is the adopted one.
    assert!(
        !told("Created", "ConfigMap").await,
        "the adopted ConfigMap is not told as created"
    );

    operator.stop().await;
    ns.delete().await;
}
