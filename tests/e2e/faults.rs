//! Faults a controller lives with: a kind it may not watch is named as failing, the others keep
//! working, and it recovers without a restart once allowed; shutdown does not wait forever for
//! a handler that never finishes.

use std::sync::Arc;
use std::time::Duration;

use kube::api::PostParams;
use kube::{Api, Client};
use kube_secondary::{Action, Context, Controller, Reconciler};

use crate::failures::{Flaky, FlakySecondaries, flaky};
use crate::support::{PATIENCE, grant, setup, wait_for, without};

/// Never finishes a run.
struct Stuck;

impl Reconciler<Flaky> for Stuck {
    type Error = std::convert::Infallible;

    async fn reconcile(
        &self,
        _: Arc<Flaky>,
        _: FlakySecondaries,
        _: &Context<Flaky>,
    ) -> Result<Action, Self::Error> {
        std::future::pending().await
    }
}

#[tokio::test]
async fn shutdown_drops_a_handler_that_never_finishes_after_the_grace_period() {
    let (client, ns) = setup::<Flaky>("stuck").await;
    let (stop, stopped) = futures::channel::oneshot::channel::<()>();
    let controller = Controller::<Flaky>::new(client.clone())
        .namespace(ns.name())
        .shutdown_grace(Duration::from_secs(1))
        .shutdown_on(async move {
            let _ = stopped.await;
        });
    let metrics = controller.metrics();
    let task = tokio::spawn(controller.run(Stuck));
    let api: Api<Flaky> = Api::namespaced(client.clone(), ns.name());
    api.create(&PostParams::default(), &flaky("stuck", false))
        .await
        .expect("create the primary");
    wait_for("the handler to start", || async {
        metrics.snapshot().total_wakeups() >= 1
    })
    .await;
    let _ = stop.send(());
    let ran = tokio::time::timeout(PATIENCE, task)
        .await
        .expect("run returns although its handler never finishes");
    ran.expect("controller task").expect("controller ran");
    ns.delete().await;
}

/// A client acting as `user`, through the admin's credentials.
async fn impersonating(user: &str) -> Client {
    let mut config = kube::Config::infer().await.expect("kubeconfig");
    config.auth_info.impersonate = Some(user.into());
    Client::try_from(config).expect("client")
}

#[tokio::test]
async fn a_kind_it_may_not_watch_is_named_as_failing_and_recovers_without_restart_once_allowed() {
    let (admin, ns) = setup::<Flaky>("forbidden").await;
    let user = format!("e2e-operator-{}", ns.name());
    let all = kube_secondary::rbac::policy_rules::<Flaky>();
    let without_configmaps = without(&all, "configmaps");
    assert!(without_configmaps.len() < all.len(), "{all:?}");
    grant(&admin, ns.name(), &user, without_configmaps).await;

    // Started past the start-up check, as if the permission were revoked while it ran.
    let (stop, stopped) = futures::channel::oneshot::channel::<()>();
    let controller = Controller::<Flaky>::new(impersonating(&user).await)
        .namespace(ns.name())
        .skip_preflight()
        .shutdown_on(async move {
            let _ = stopped.await;
        });
    let metrics = controller.metrics();
    let task = tokio::spawn(controller.run(crate::failures::FailWhileAsked));
    wait_for("the ConfigMap watch to be named as failing", || async {
        metrics.snapshot().failing.contains_key("ConfigMap")
    })
    .await;
    let snapshot = metrics.snapshot();
    assert!(snapshot.ready().is_err(), "{snapshot:?}");
    assert_eq!(
        snapshot.synced.get("primary"),
        Some(&true),
        "the primaries' watch works meanwhile: {snapshot:?}"
    );
    assert!(
        !snapshot.failing.contains_key("primary"),
        "only the forbidden kind fails: {snapshot:?}"
    );

    grant(&admin, ns.name(), &user, all).await;
    wait_for(
        "the ConfigMap watch to work again and the caches to fill",
        || async {
            let now = metrics.snapshot();
            now.failing.is_empty() && now.ready().is_ok()
        },
    )
    .await;
    let api: Api<Flaky> = Api::namespaced(admin.clone(), ns.name());
    api.create(&PostParams::default(), &flaky("after", false))
        .await
        .expect("create a primary");
    wait_for("the recovered controller to handle it", || async {
        metrics.snapshot().total_wakeups() >= 1
    })
    .await;
    assert!(metrics.snapshot().watch_failures["ConfigMap"] >= 1);
    let _ = stop.send(());
    task.await
        .expect("controller task")
        .expect("controller ran");
    ns.delete().await;
}
