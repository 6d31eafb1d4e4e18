//! The echo of the operator's own write never wakes it, whether the watch delivers it before or
//! after the write's response; someone else's change always does.

use std::sync::Arc;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{ObjectMeta, Patch, PatchParams, PostParams};
use kube::{Api, CustomResource, Resource, ResourceExt};
use kube_secondary::{Action, Context, Reconciler, SecondaryAware, Trigger};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::support::{Running, exists, setup, wait_for};

/// A primary owning one ConfigMap whose `key` it keeps at `desired`.
#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "e2e.kube-secondary.dev",
    version = "v1",
    kind = "Keeper",
    namespaced
)]
#[secondary(ConfigMap)]
pub struct KeeperSpec {
    desired: String,
}

struct KeepIt;

impl Reconciler<Keeper> for KeepIt {
    type Error = kube::Error;

    async fn reconcile(
        &self,
        keeper: Arc<Keeper>,
        _: KeeperSecondaries,
        ctx: &Context<Keeper>,
    ) -> kube::Result<Action> {
        let owner = keeper.controller_owner_ref(&()).expect("a stored Keeper");
        let desired = ConfigMap {
            metadata: ObjectMeta {
                name: Some(keeper.name_any()),
                owner_references: Some(vec![owner]),
                ..ObjectMeta::default()
            },
            data: Some([("key".to_string(), keeper.spec.desired.clone())].into()),
            ..ConfigMap::default()
        };
        let api: Api<ConfigMap> =
            Api::namespaced(ctx.client().clone(), &keeper.namespace().unwrap());
        let params = PatchParams::apply("keeper").force();
        let written = api
            .patch(&keeper.name_any(), &params, &Patch::Apply(&desired))
            .await?;
        ctx.record_write(&written);
        Ok(Action::await_change())
    }
}

fn key(config: &ConfigMap) -> Option<&str> {
    config.data.as_ref()?.get("key").map(String::as_str)
}

#[tokio::test]
async fn each_repair_of_someone_elses_edit_costs_one_run_and_its_echo_none() {
    let (client, ns) = setup::<Keeper>("echoes").await;
    let keepers: Api<Keeper> = Api::namespaced(client.clone(), ns.name());
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    let operator = Running::start::<Keeper, _>(&client, ns.name(), KeepIt);
    let keeper = Keeper::new(
        "kept",
        KeeperSpec {
            desired: "desired".into(),
        },
    );
    keepers
        .create(&PostParams::default(), &keeper)
        .await
        .expect("create the Keeper");
    wait_for("the ConfigMap", || async {
        configs
            .get_opt("kept")
            .await
            .expect("get")
            .is_some_and(|c| key(&c) == Some("desired"))
    })
    .await;
    let before = operator.settled().await;

    // Fewer than a primary's burst of repairs (5, `Controller::repair_budget`): the fifth would
    // start a hold, and the echo of its repair would be drained only when the hold ends.
    const EDITS: u64 = 4;
    for edit in 0..EDITS {
        let drift = serde_json::json!({ "data": { "key": format!("drift-{edit}") } });
        configs
            .patch("kept", &PatchParams::default(), &Patch::Merge(&drift))
            .await
            .expect("edit the ConfigMap");
        wait_for("the repair", || async {
            key(&configs.get("kept").await.expect("get")) == Some("desired")
        })
        .await;
    }
    let after = operator.settled().await;
    assert_eq!(
        after.wakeups(Trigger::Secondary) - before.wakeups(Trigger::Secondary),
        EDITS,
        "one reconcile_secondaries per edit, none for the echoes of the repairs: {after:?}"
    );
    assert_eq!(
        after.wakeups(Trigger::Primary),
        before.wakeups(Trigger::Primary)
    );
    let echoes = |s: &kube_secondary::MetricsSnapshot| {
        s.outcomes
            .get("ConfigMap")
            .and_then(|o| o.get("own_echo"))
            .copied()
            .unwrap_or(0)
    };
    assert_eq!(echoes(&after) - echoes(&before), EDITS, "{after:?}");
    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn a_child_rewritten_in_a_burst_gets_five_repairs_at_once_then_one_for_all_the_rest() {
    let (client, ns) = setup::<Keeper>("held").await;
    let keepers: Api<Keeper> = Api::namespaced(client.clone(), ns.name());
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    let operator = Running::start::<Keeper, _>(&client, ns.name(), KeepIt);
    let spec = KeeperSpec {
        desired: "desired".into(),
    };
    keepers
        .create(&PostParams::default(), &Keeper::new("kept", spec))
        .await
        .expect("create the Keeper");
    let repaired = || async {
        let config = configs.get_opt("kept").await.expect("get");
        config.is_some_and(|config| key(&config) == Some("desired"))
    };
    wait_for("the ConfigMap", repaired).await;
    let before = operator.settled().await;
    let edit = |n: usize| {
        let configs = configs.clone();
        async move {
            let drift = serde_json::json!({ "data": { "key": format!("drift-{n}") } });
            configs
                .patch("kept", &PatchParams::default(), &Patch::Merge(&drift))
                .await
                .expect("edit the ConfigMap");
        }
    };
    // The primary's burst: each edit repaired before the next.
    for n in 0..5 {
        edit(n).await;
        wait_for("a repair of the burst", repaired).await;
    }
    // Twenty more, back to back, while the next repair waits (10 s): one run repairs them all.
    for n in 5..25 {
        edit(n).await;
    }
    wait_for("the repair after the hold", repaired).await;
    let after = operator.settled().await;
    let runs = after.wakeups(Trigger::Secondary) - before.wakeups(Trigger::Secondary);
    assert!(
        (6..=7).contains(&runs),
        "5 repairs, then 1 for 20 edits (2 if they straddled the end of the hold): {runs} runs, {after:?}"
    );
    assert_eq!(after.errors, before.errors);
    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn runs_that_find_every_child_as_desired_do_not_hold_the_next_repair() {
    use k8s_openapi::api::apps::v1::Deployment;
    use k8s_openapi::api::core::v1::Service;
    use kube::api::DeleteParams;
    use kube_secondary_examples::database::{Database, DatabaseOperator, DatabaseSpec};

    let (client, ns) = setup::<Database>("unheld").await;
    let dbs: Api<Database> = Api::namespaced(client.clone(), ns.name());
    let services: Api<Service> = Api::namespaced(client.clone(), ns.name());
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), ns.name());
    // Two repairs at once, then one an hour: a run that held the next repair would hold it for
    // the rest of the test.
    let operator =
        Running::start_with::<Database, _>(&client, ns.name(), DatabaseOperator, |controller| {
            controller.repair_budget(2, std::time::Duration::from_secs(3600))
        });
    let spec = DatabaseSpec {
        image: "postgres:16".into(),
        replicas: 2,
        port: 5432,
        config: [("max_connections".to_string(), "100".to_string())].into(),
    };
    dbs.create(&PostParams::default(), &Database::new("db", spec))
        .await
        .expect("create the Database");
    wait_for("the Service", || exists(&services, "db")).await;
    let before = operator.settled().await;

    // The Deployment turns ready (no kubelet here: its status is written by hand) and the
    // Deployment controller, which counts no Pod ready, writes it back: each change of readiness
    // wakes the Database, whose handler finds every child as desired and writes nothing. As
    // many such runs as the whole burst.
    let generation = deployments
        .get("db")
        .await
        .expect("get")
        .metadata
        .generation;
    let runs =
        || operator.snapshot().wakeups(Trigger::Secondary) - before.wakeups(Trigger::Secondary);
    while runs() < 2 {
        let seen = runs();
        let status = serde_json::json!({ "status": {
            "observedGeneration": generation, "replicas": 2, "readyReplicas": 2, "availableReplicas": 2 } });
        deployments
            .patch_status("db", &PatchParams::default(), &Patch::Merge(&status))
            .await
            .expect("patch the Deployment's status");
        wait_for("a run for the readiness change", || async { runs() > seen }).await;
    }
    operator.settled().await;

    // Those runs repaired nothing, so the budget is whole: a deleted Service comes back at once.
    services
        .delete("db", &DeleteParams::default())
        .await
        .expect("delete the Service");
    wait_for("the Service to be recreated", || exists(&services, "db")).await;
    operator.stop().await;
    ns.delete().await;
}
