//! Faults a controller lives with: a kind it may not watch is named as failing, the others keep
//! working, and it recovers without a restart once allowed; shutdown does not wait forever for
//! a handler that never finishes.

use std::sync::Arc;
use std::time::Duration;

use kube::api::PostParams;
use kube::{Api, Client};
use kube_secondary::{Action, Context, Reconciler};

use crate::failures::{FailWhileAsked, Flaky, FlakySecondaries, flaky};
use crate::support::{PATIENCE, Running, grant, setup, wait_for, without};

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
    let operator = Running::start_with(&client, ns.name(), Stuck, |controller| {
        controller.shutdown_grace(Duration::from_secs(1))
    });
    let api: Api<Flaky> = Api::namespaced(client.clone(), ns.name());
    api.create(&PostParams::default(), &flaky("stuck", false))
        .await
        .expect("create the primary");
    wait_for("the handler to start", || async {
        operator.snapshot().total_wakeups() >= 1
    })
    .await;
    tokio::time::timeout(PATIENCE, operator.stop())
        .await
        .expect("run returns although its handler never finishes");
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
    let limited = impersonating(&user).await;
    let operator = Running::start_with::<Flaky, _>(&limited, ns.name(), FailWhileAsked, |c| {
        c.skip_preflight()
    });
    wait_for("the ConfigMap watch to be named as failing", || async {
        operator.snapshot().failing.contains_key("ConfigMap")
    })
    .await;
    let snapshot = operator.snapshot();
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
            let now = operator.snapshot();
            now.failing.is_empty() && now.ready().is_ok()
        },
    )
    .await;
    let api: Api<Flaky> = Api::namespaced(admin.clone(), ns.name());
    api.create(&PostParams::default(), &flaky("after", false))
        .await
        .expect("create a primary");
    wait_for("the recovered controller to handle it", || async {
        operator.snapshot().total_wakeups() >= 1
    })
    .await;
    assert!(operator.snapshot().watch_failures["ConfigMap"] >= 1);
    operator.stop().await;
    ns.delete().await;
}
