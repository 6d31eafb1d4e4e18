//! A primary deleted while its handler runs: the handler's late writes leave nothing behind, the
//! runtime does not run it again for a primary that is gone, and with a managed finalizer the
//! cleanup runs once, after the handler.

use std::fmt::Debug;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service};
use kube::api::{DeleteParams, ListParams};
use kube::{Api, Client, ResourceExt};
use kube_secondary::{Action, Context, Error, Reconciler, Trigger};
use serde::de::DeserializeOwned;
use tokio::sync::{Semaphore, mpsc};

use crate::probe::{Probe, ProbeSecondaries, Prober, probe};
use crate::support::{Running, setup, wait_for};

/// The Probe operator, held in its first run until the test lets it go.
struct Held {
    started: mpsc::UnboundedSender<String>,
    release: Arc<Semaphore>,
    reconciles: Arc<AtomicUsize>,
    cleanups: Arc<AtomicUsize>,
}

impl Reconciler<Probe> for Held {
    type Error = Error;

    async fn reconcile(
        &self,
        probe: Arc<Probe>,
        children: ProbeSecondaries,
        ctx: &Context<Probe>,
    ) -> Result<Action, Error> {
        self.reconciles.fetch_add(1, Ordering::SeqCst);
        let _ = self.started.send(probe.name_any());
        self.release.acquire().await.expect("open").forget();
        Prober.reconcile(probe, children, ctx).await
    }

    async fn cleanup(
        &self,
        _probe: Arc<Probe>,
        _children: ProbeSecondaries,
        _ctx: &Context<Probe>,
    ) -> Result<Action, Error> {
        self.cleanups.fetch_add(1, Ordering::SeqCst);
        Ok(Action::await_change())
    }
}

struct Case {
    operator: Running,
    started: mpsc::UnboundedReceiver<String>,
    release: Arc<Semaphore>,
    reconciles: Arc<AtomicUsize>,
    cleanups: Arc<AtomicUsize>,
}

fn start(client: &Client, namespace: &str, finalizer: Option<&'static str>) -> Case {
    let (tx, started) = mpsc::unbounded_channel();
    let release = Arc::new(Semaphore::new(0));
    let (reconciles, cleanups) = (Arc::default(), Arc::default());
    let held = Held {
        started: tx,
        release: release.clone(),
        reconciles: Arc::clone(&reconciles),
        cleanups: Arc::clone(&cleanups),
    };
    let operator = Running::start_with(client, namespace, held, |controller| match finalizer {
        Some(finalizer) => controller.finalizer(finalizer),
        None => controller,
    });
    Case {
        operator,
        started,
        release,
        reconciles,
        cleanups,
    }
}

/// Creates a Probe, deletes it once its handler has started, waits until the API server has
/// removed it or marked it for deletion, then lets the handler write its children.
async fn delete_while_running(client: &Client, namespace: &str, case: &mut Case) {
    let probes: Api<Probe> = Api::namespaced(client.clone(), namespace);
    let spec = serde_json::json!({ "selector": { "app": "p" }, "tls": ["t"], "books": ["b"] });
    probes
        .create(&Default::default(), &probe("p", spec))
        .await
        .expect("create a Probe");
    let started = case.started.recv().await.expect("the handler started");
    assert_eq!(started, "p");
    probes
        .delete("p", &DeleteParams::default())
        .await
        .expect("delete the Probe");
    wait_for("the Probe gone or marked for deletion", || async {
        let probe = probes.get_opt("p").await.expect("get");
        probe.is_none_or(|p| p.metadata.deletion_timestamp.is_some())
    })
    .await;
    case.release.add_permits(1);
}

/// Whether no object of kind `K` in `namespace` has an owner.
async fn none_owned<K>(client: &Client, namespace: &str) -> bool
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + DeserializeOwned
        + Debug,
    K::DynamicType: Default,
{
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    let list = api.list_metadata(&ListParams::default()).await;
    list.is_ok_and(|list| list.items.iter().all(|o| o.owner_references().is_empty()))
}

/// Waits until none of the Probe's children is left (the garbage collector removes what was
/// written for a primary that is gone).
async fn until_no_children(client: &Client, namespace: &str) {
    wait_for("no child of the deleted Probe left", || async {
        none_owned::<Service>(client, namespace).await
            && none_owned::<ConfigMap>(client, namespace).await
            && none_owned::<Secret>(client, namespace).await
            && none_owned::<Deployment>(client, namespace).await
    })
    .await;
}

/// What the late run wrote, as the runtime's watches saw it: each of the six children created
/// (a Service, a Deployment, two Secrets, two ConfigMaps) and deleted again. Waits for the
/// watches to have seen it all.
async fn until_written_and_gone(operator: &Running) {
    let expected = [
        ("Service", 2),
        ("Deployment", 2),
        ("Secret", 4),
        ("ConfigMap", 4),
    ];
    wait_for(
        "the watches to see the six children come and go",
        || async {
            let events = operator.snapshot().events;
            expected
                .iter()
                .all(|(kind, at_least)| events.get(kind).is_some_and(|n| n >= at_least))
        },
    )
    .await;
}

#[tokio::test]
async fn a_primary_deleted_while_its_handler_runs_leaves_nothing_and_is_not_run_again() {
    let (client, ns) = setup::<Probe>("deleted-running").await;
    let mut case = start(&client, ns.name(), None);
    delete_while_running(&client, ns.name(), &mut case).await;
    until_no_children(&client, ns.name()).await;
    until_written_and_gone(&case.operator).await;
    let settled = case.operator.settled().await;
    assert_eq!(
        (
            case.reconciles.load(Ordering::SeqCst),
            settled.wakeups(Trigger::Retry),
            settled.errors
        ),
        (1, 0, 0),
        "the late run did not fail, and no run came after it: {settled:?}"
    );
    case.operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn a_primary_with_a_finalizer_deleted_while_its_handler_runs_is_cleaned_up_once_after_it() {
    let (client, ns) = setup::<Probe>("deleted-finalizer").await;
    let mut case = start(&client, ns.name(), Some("trust.kube-secondary.dev/cleanup"));
    delete_while_running(&client, ns.name(), &mut case).await;
    let probes: Api<Probe> = Api::namespaced(client.clone(), ns.name());
    wait_for("the Probe gone after its cleanup", || async {
        probes.get_opt("p").await.expect("get").is_none()
    })
    .await;
    until_no_children(&client, ns.name()).await;
    until_written_and_gone(&case.operator).await;
    let settled = case.operator.settled().await;
    assert_eq!(
        (
            case.reconciles.load(Ordering::SeqCst),
            case.cleanups.load(Ordering::SeqCst),
            settled.errors
        ),
        (1, 1, 0),
        "one run, then one cleanup, no failure: {settled:?}"
    );
    case.operator.stop().await;
    ns.delete().await;
}
