//! The faults, one test each.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;

use k8s_openapi::api::core::v1::{ConfigMap, Service};
use kube::api::{DeleteParams, ListParams, Patch, PatchParams};
use kube::{Api, Client, ResourceExt};
use kube_secondary_examples::database::Database;

use crate::replica::{Replica, metric, metrics_text};
use crate::state::{
    converged, kill_apiserver_for, name, report, until_exactly_their_children, xtask,
};
use crate::support::{PATIENCE, setup, wait_for};

/// Handler runs by trigger.
fn wakeups(port: u16) -> BTreeMap<&'static str, f64> {
    let triggers = ["primary", "secondary", "resync", "requeue", "retry"];
    let series = |trigger| format!("kube_secondary_wakeups_total{{trigger=\"{trigger}\"}}");
    (triggers.into_iter())
        .map(|trigger| (trigger, metric(port, &series(trigger))))
        .collect()
}

/// Handler runs by trigger, once they have not moved for two seconds.
async fn settled_wakeups(port: u16) -> BTreeMap<&'static str, f64> {
    let mut last = wakeups(port);
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let now = wakeups(port);
        if now == last {
            return now;
        }
        last = now;
    }
}

/// The handler runs by trigger between `before` and `after`.
fn runs_between(
    before: &BTreeMap<&'static str, f64>,
    after: &BTreeMap<&'static str, f64>,
) -> BTreeMap<&'static str, f64> {
    (after.iter())
        .map(|(trigger, runs)| (*trigger, runs - before[trigger]))
        .filter(|(_, runs)| *runs > 0.0)
        .collect()
}

/// Deletes `name`, retrying while the client reconnects after a restart.
async fn delete<K>(api: &Api<K>, name: &str)
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    wait_for(&format!("delete {name}"), || async {
        api.delete(name, &DeleteParams::default()).await.is_ok()
    })
    .await;
}

async fn edit_config(configs: &Api<ConfigMap>, name: &str, value: &str) {
    let patch = serde_json::json!({ "data": { "max_connections": value } });
    configs
        .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .expect("edit a ConfigMap");
}

/// The uid of every ConfigMap, Service and Deployment, by kind and name.
async fn children_uids(client: &Client, namespace: &str) -> BTreeMap<String, String> {
    let mut uids = BTreeMap::new();
    uids.extend(uids_of::<ConfigMap>(client, namespace).await);
    uids.extend(uids_of::<Service>(client, namespace).await);
    uids.extend(uids_of::<Deployment>(client, namespace).await);
    uids
}

async fn uids_of<K>(client: &Client, namespace: &str) -> Vec<(String, String)>
where
    K: kube::Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    let list = api
        .list_metadata(&ListParams::default())
        .await
        .expect("list");
    let kind = K::kind(&());
    (list.items.into_iter())
        .map(|meta| {
            (
                format!("{kind}/{}", meta.name_any()),
                meta.uid().unwrap_or_default(),
            )
        })
        .collect()
}

/// The lines of `log` at WARN or ERROR.
fn loud_lines(log: &str) -> Vec<&str> {
    let loud = |line: &&str| line.contains(" WARN ") || line.contains(" ERROR ");
    log.lines().filter(loud).collect()
}

#[tokio::test]
async fn the_api_server_killed_for_ten_seconds_loses_no_drift_and_each_watch_says_so_once() {
    const N: usize = 10;
    let (client, ns) = setup::<Database>("apiserver-killed").await;
    let (operator, port) = Replica::start_serving("operator", ns.name(), None);
    converged(&client, ns.name(), N).await;
    // The controller manager fills in the new Deployments' status (which wakes their primaries,
    // the readiness table watching it): counted from when that has settled.
    let before = settled_wakeups(port).await;
    let before_kinds: BTreeMap<&str, f64> = ["Service", "ConfigMap"]
        .into_iter()
        .map(|kind| {
            let series = format!("kube_secondary_secondary_kind_wakeups_total{{kind=\"{kind}\"}}");
            (kind, metric(port, &series))
        })
        .collect();
    let services: Api<Service> = Api::namespaced(client.clone(), ns.name());
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());

    // Drift just before the kill, and just after the restart.
    delete(&services, &name(0)).await;
    delete(&services, &name(1)).await;
    let answering = kill_apiserver_for(Duration::from_secs(10)).await;
    delete(&configs, &format!("{}-config", name(2))).await;
    delete(&configs, &format!("{}-config", name(3))).await;
    until_exactly_their_children(&client, ns.name(), N).await;
    let repaired = answering.elapsed();

    let log = operator.log();
    let failing = log.matches("watch failing").count();
    wait_for("each failing watch to say it works again", || async {
        operator.log().matches("watch works again").count() >= failing
    })
    .await;
    let log = operator.log();
    // Five watches (Databases, Deployments, Services, ConfigMaps, Secrets): one line each when
    // it fails, one when it works again, whatever the number of attempts.
    assert!(
        (1..=5).contains(&failing),
        "{failing} failing lines:\n{log}"
    );
    // Besides them, room for a few one-off failures of a server still starting (a Service's
    // IP allocator not ready: a 500 for one run), not one line per attempt.
    let loud = loud_lines(&log);
    assert!(
        loud.len() <= 10,
        "a flood of warnings:\n{}",
        loud.join("\n")
    );
    let runs = runs_between(&before, &wakeups(port));
    let text = metrics_text(port);
    let why: Vec<&str> = (text.lines())
        .filter(|line| {
            line.contains("secondary_kind_wakeups_total") || line.contains("outcomes_total")
        })
        .collect();
    let why = format!(
        "{runs:?} for 4 repairs of {N} Databases:\n{}",
        why.join("\n")
    );
    let count = |trigger| runs.get(trigger).copied().unwrap_or(0.0);
    let by_kind = |kind: &str| {
        let series = format!("kube_secondary_secondary_kind_wakeups_total{{kind=\"{kind}\"}}");
        metric(port, &series) - before_kinds[kind]
    };
    // The relists woke no unchanged primary and no unchanged child: the 4 repairs (2 Services,
    // 2 ConfigMaps) woke their primaries; a run the outage broke was retried once a second.
    // The Services were deleted just before the kill, so up to both their runs (and at most
    // the 4 repaired primaries') can be cut off, each retried about 12 times: a count, not a
    // flood.
    // (A Deployment's status, which the controller manager may still be filling in, wakes its
    // primary through the readiness table: not counted here.)
    assert_eq!(count("primary"), 0.0, "{why}");
    assert!(by_kind("Service") + by_kind("ConfigMap") <= 4.0, "{why}");
    assert!(count("retry") <= 4.0 * 12.0, "{why}");
    report(format!(
        "API server killed for 10 s: drift repaired {:.1} s after it answered again; \
         {failing} watches failed and recovered; {} WARN/ERROR lines; runs {runs:?}",
        repaired.as_secs_f64(),
        loud.len()
    ));
    drop(operator);
    ns.delete().await;
}

#[tokio::test]
async fn an_expired_watch_relists_and_repairs_the_drift_made_while_it_was_away() {
    const N: usize = 5;
    let (client, ns) = setup::<Database>("compacted").await;
    let (operator, port) = Replica::start_serving("operator", ns.name(), None);
    converged(&client, ns.name(), N).await;
    let services: Api<Service> = Api::namespaced(client.clone(), ns.name());
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());

    // The operator hears nothing while the children drift and the history is compacted; the
    // API server restarts, so its watch cache no longer holds the revisions the watches left at.
    operator.signal("-STOP");
    delete(&services, &name(0)).await;
    edit_config(&configs, &format!("{}-config", name(1)), "1").await;
    xtask(&["compact"]);
    kill_apiserver_for(Duration::from_secs(1)).await;
    let resumed = Instant::now();
    operator.signal("-CONT");
    until_exactly_their_children(&client, ns.name(), N).await;
    let repaired = resumed.elapsed();

    let relists = |watch: &str| {
        metric(
            port,
            &format!("kube_secondary_relists_total{{watch=\"{watch}\"}}"),
        )
    };
    wait_for("the Service watch to count its relist", || async {
        relists("Service") >= 1.0
    })
    .await;
    let deleted_seen = metric(
        port,
        "kube_secondary_secondary_kind_wakeups_total{kind=\"Service\"}",
    );
    assert!(
        deleted_seen >= 1.0,
        "the Service deleted in the gap reached reconcile_secondaries:\n{}",
        operator.log()
    );
    report(format!(
        "watches expired (410) after a compaction: relisted (Services {}, ConfigMaps {}), drift repaired {:.1} s after the operator resumed",
        relists("Service"),
        relists("ConfigMap"),
        repaired.as_secs_f64()
    ));
    drop(operator);
    ns.delete().await;
}

#[tokio::test]
async fn an_operator_killed_mid_burst_converges_after_restart_writing_only_what_drifted() {
    const N: usize = 20;
    const EDITS: usize = 200;
    let (client, ns) = setup::<Database>("killed-mid-burst").await;
    let (first, _) = Replica::start_serving("first", ns.name(), None);
    converged(&client, ns.name(), N).await;
    let uids = children_uids(&client, ns.name()).await;
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    for edit in 0..EDITS {
        if edit == EDITS / 2 {
            first.signal("-KILL");
        }
        let config = format!("{}-config", name(edit % N));
        edit_config(&configs, &config, &format!("edit-{edit}")).await;
    }
    // Every ConfigMap was edited after the kill: each has drifted once more.
    let (second, port) = Replica::start_serving("second", ns.name(), None);
    let started = Instant::now();
    until_exactly_their_children(&client, ns.name(), N).await;
    let converged_in = started.elapsed();
    let patches = || metric(port, "kube_secondary_api_requests_total{verb=\"patch\"}");
    wait_for("the second operator's metrics", || async {
        patches() >= N as f64
    })
    .await;
    // Settled: no repair is left to make.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        patches(),
        N as f64,
        "one patch per drifted ConfigMap:\n{}",
        second.log()
    );
    assert_eq!(
        children_uids(&client, ns.name()).await,
        uids,
        "no child created again or deleted"
    );
    report(format!(
        "operator killed after {} of {EDITS} edits: its successor converged in {:.1} s (ready included) with {N} patches for {N} drifted ConfigMaps",
        EDITS / 2,
        converged_in.as_secs_f64()
    ));
    drop(first);
    drop(second);
    ns.delete().await;
}

/// Sends SIGCONT to kube-apiserver when dropped, so a failing test leaves it running.
struct ResumeApiserver;

impl Drop for ResumeApiserver {
    fn drop(&mut self) {
        xtask(&["signal", "kube-apiserver", "CONT"]);
    }
}

#[tokio::test]
async fn sigterm_with_the_api_server_hung_exits_within_the_grace_period() {
    const N: usize = 10;
    let (client, ns) = setup::<Database>("hung-shutdown").await;
    let (mut operator, _) = Replica::start_serving("operator", ns.name(), None);
    converged(&client, ns.name(), N).await;
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    // Work under way: every ConfigMap drifts, and the API server stops answering mid-repair.
    for n in 0..N {
        edit_config(&configs, &format!("{}-config", name(n)), "drift").await;
    }
    let resume = ResumeApiserver;
    xtask(&["signal", "kube-apiserver", "STOP"]);
    operator.signal("-TERM");
    let asked = Instant::now();
    let exited = loop {
        if let Some(status) = operator.child.try_wait().expect("wait for the operator") {
            break status;
        }
        assert!(
            asked.elapsed() < PATIENCE,
            "no exit after SIGTERM:\n{}",
            operator.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let took = asked.elapsed();
    drop(resume);
    assert!(exited.success(), "{exited}:\n{}", operator.log());
    report(format!(
        "SIGTERM with the API server stopped: exited in {:.1} s (grace period 20 s)",
        took.as_secs_f64()
    ));
    ns.delete().await;
}
