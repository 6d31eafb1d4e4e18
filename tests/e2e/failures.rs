//! Failures are visible where people look, and a controller leaves nothing running behind it:
//! a kind the API server does not serve fails `run` naming it, a failing handler shows on its
//! primary as a condition until it succeeds again, and dropping `run` stops every watch.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::api::{ObjectMeta, Patch, PatchParams, PostParams};
use kube::{Api, CustomResource};
use kube_secondary::condition::CONDITION;
use kube_secondary::{Action, Context, Controller, Error, Metrics, Reconciler, SecondaryAware};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::support::{PATIENCE, Running, setup, wait_for};

/// A primary whose reconcile fails while its spec asks it to.
#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "e2e.kube-secondary.dev",
    version = "v1",
    kind = "Flaky",
    namespaced,
    status = "FlakyStatus"
)]
#[secondary(ConfigMap)]
pub struct FlakySpec {
    pub(crate) fail: bool,
}

/// Where the controller reports failures.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct FlakyStatus {
    #[serde(default)]
    conditions: Vec<Condition>,
}

/// A kind whose CRD is never installed.
#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "e2e.kube-secondary.dev",
    version = "v1",
    kind = "NotInstalled",
    namespaced
)]
pub struct NotInstalledSpec {
    note: String,
}

/// A primary declaring a child kind the API server does not serve.
#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "e2e.kube-secondary.dev",
    version = "v1",
    kind = "Holder",
    namespaced
)]
#[secondary(NotInstalled)]
pub struct HolderSpec {
    note: String,
}

#[derive(Debug)]
pub(crate) struct AskedToFail;

impl std::fmt::Display for AskedToFail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("asked to fail by spec.fail")
    }
}

impl std::error::Error for AskedToFail {}

pub(crate) struct FailWhileAsked;

impl Reconciler<Flaky> for FailWhileAsked {
    type Error = AskedToFail;

    async fn reconcile(
        &self,
        flaky: Arc<Flaky>,
        _: FlakySecondaries,
        _: &Context<Flaky>,
    ) -> Result<Action, AskedToFail> {
        if flaky.spec.fail {
            Err(AskedToFail)
        } else {
            Ok(Action::await_change())
        }
    }
}

impl Reconciler<Holder> for FailWhileAsked {
    type Error = AskedToFail;

    async fn reconcile(
        &self,
        _: Arc<Holder>,
        _: HolderSecondaries,
        _: &Context<Holder>,
    ) -> Result<Action, AskedToFail> {
        Ok(Action::await_change())
    }
}

pub(crate) fn flaky(name: &str, fail: bool) -> Flaky {
    Flaky::new(name, FlakySpec { fail })
}

/// The controller's failure condition on `name`, if any.
async fn failure_condition(api: &Api<Flaky>, name: &str) -> Option<Condition> {
    let flaky = api.get(name).await.expect("get the primary");
    flaky
        .status?
        .conditions
        .into_iter()
        .find(|condition| condition.type_ == CONDITION)
}

#[tokio::test]
async fn run_fails_at_start_up_naming_a_kind_the_api_server_does_not_serve() {
    let (client, ns) = setup::<Holder>("unserved").await;
    let run = Controller::<Holder>::new(client)
        .namespace(ns.name())
        .run(FailWhileAsked);
    let result = tokio::time::timeout(PATIENCE, run)
        .await
        .expect("run returns instead of retrying forever");
    match result {
        Err(Error::Watch { kind, code, .. }) => {
            assert_eq!((kind, code), ("NotInstalled", 404));
        }
        other => panic!("expected the watch of NotInstalled to be rejected, got {other:?}"),
    }
    ns.delete().await;
}

#[tokio::test]
async fn a_failing_handler_shows_on_its_primary_as_a_condition_until_it_succeeds() {
    let (client, ns) = setup::<Flaky>("failing").await;
    let api: Api<Flaky> = Api::namespaced(client.clone(), ns.name());
    let operator = Running::start::<Flaky, _>(&client, ns.name(), FailWhileAsked);
    api.create(&PostParams::default(), &flaky("broken", true))
        .await
        .expect("create the primary");

    wait_for("the failure condition", || async {
        failure_condition(&api, "broken")
            .await
            .is_some_and(|c| c.status == "True")
    })
    .await;
    let failed = failure_condition(&api, "broken").await.unwrap();
    assert_eq!(failed.reason, "ReconcileError");
    assert_eq!(failed.message, "asked to fail by spec.fail");

    api.patch(
        "broken",
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({"spec": {"fail": false}})),
    )
    .await
    .expect("fix the spec");
    wait_for("the failure condition to clear", || async {
        failure_condition(&api, "broken")
            .await
            .is_some_and(|c| c.status == "False")
    })
    .await;
    let cleared = failure_condition(&api, "broken").await.unwrap();
    assert_eq!(cleared.reason, "Succeeded");
    assert!(operator.snapshot().errors >= 1);
    operator.stop().await;
    ns.delete().await;
}

fn child_events(metrics: &Metrics) -> u64 {
    metrics
        .snapshot()
        .events
        .get("ConfigMap")
        .copied()
        .unwrap_or(0)
}

#[tokio::test]
async fn dropping_the_run_future_stops_its_watches() {
    let (client, ns) = setup::<Flaky>("dropped").await;
    let dropped = Controller::<Flaky>::new(client.clone()).namespace(ns.name());
    let dropped_metrics = dropped.metrics();
    let task = tokio::spawn(dropped.run(FailWhileAsked));
    wait_for("the first controller's caches", || async {
        dropped_metrics.snapshot().caches_synced()
    })
    .await;
    task.abort();
    assert!(task.await.is_err_and(|e| e.is_cancelled()));

    // A second controller, running, shows when the event has been delivered.
    let control = Running::start::<Flaky, _>(&client, ns.name(), FailWhileAsked);
    wait_for("the second controller's caches", || async {
        control.snapshot().caches_synced()
    })
    .await;
    let before = child_events(&dropped_metrics);
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    let unowned = ConfigMap {
        metadata: ObjectMeta {
            name: Some("unowned".into()),
            ..ObjectMeta::default()
        },
        ..ConfigMap::default()
    };
    configs
        .create(&PostParams::default(), &unowned)
        .await
        .expect("create a ConfigMap");
    wait_for("the running controller to see it", || async {
        control
            .snapshot()
            .outcomes
            .get("ConfigMap")
            .and_then(|outcomes| outcomes.get("no_owner"))
            .is_some()
    })
    .await;
    // The watches share one API server; give a stray watch of the dropped controller the same
    // delivery time again before looking.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        child_events(&dropped_metrics),
        before,
        "a watch of the dropped controller is still running"
    );
    control.stop().await;
    ns.delete().await;
}
