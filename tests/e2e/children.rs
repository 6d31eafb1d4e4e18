//! Children as data: `Context::apply` writes only what drifted, never takes over another's
//! child, and `apply_all` prunes what is no longer desired. Requests are counted by a layer in
//! the operator's client, as the benchmark counts them.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::events::v1::Event;
use kube::api::{Patch, PatchParams, PostParams};
use kube::{Api, Client};
use kube_secondary::Trigger;
use kube_secondary::client::{RequestCounts, counting_client};
use kube_secondary_examples::database::{Database, DatabaseOperator, DatabaseSpec};

use crate::support::{Running, setup, wait_for};

/// A client whose requests are counted.
pub(crate) async fn counted() -> (Client, Arc<RequestCounts>) {
    let config = kube::Config::infer().await.expect("a kubeconfig");
    counting_client(config).expect("a counting client")
}

/// Requests other than the watches' own lists and watches, and the runtime's Events (counted
/// apart as `event`): what handlers sent.
pub(crate) fn handler_requests(counts: &RequestCounts) -> BTreeMap<&'static str, u64> {
    let mut by_verb = counts.snapshot();
    by_verb.retain(|verb, _| !matches!(*verb, "list" | "watch" | "event"));
    by_verb
}

pub(crate) fn database(name: &str) -> Database {
    Database::new(
        name,
        DatabaseSpec {
            image: "postgres:16".into(),
            replicas: 0,
            port: 5432,
            config: BTreeMap::from([("max_connections".to_string(), "100".to_string())]),
        },
    )
}

pub(crate) async fn converged(api: &Api<Database>, name: &str) -> bool {
    let db = api.get(name).await.expect("get the Database");
    db.status.is_some_and(|status| {
        status.observed_generation == db.metadata.generation
            && status.conditions.iter().any(|c| c.reason == "Applied")
    })
}

pub(crate) fn own_echoes(snapshot: &kube_secondary::MetricsSnapshot, kind: &str) -> u64 {
    outcome(snapshot, kind, "own_echo")
}

/// How many events of `kind` ended as `outcome`.
pub(crate) fn outcome(
    snapshot: &kube_secondary::MetricsSnapshot,
    kind: &str,
    outcome: &str,
) -> u64 {
    let outcomes = snapshot.outcomes.get(kind);
    outcomes.and_then(|o| o.get(outcome)).copied().unwrap_or(0)
}

#[tokio::test]
async fn an_edit_of_someone_elses_field_costs_no_request_and_of_ours_one_repair() {
    let (client, ns) = setup::<Database>("apply").await;
    let databases: Api<Database> = Api::namespaced(client.clone(), ns.name());
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), ns.name());
    // The operator's requests are counted; the test's own go through `client`.
    let (counted_client, counts) = counted().await;
    let operator = Running::start::<Database, _>(&counted_client, ns.name(), DatabaseOperator);
    databases
        .create(&PostParams::default(), &database("db"))
        .await
        .expect("create the Database");
    wait_for("the Database to converge", || converged(&databases, "db")).await;
    let before = operator.settled().await;
    let sent = handler_requests(&counts);

    // A label of another field manager on a child we own: nothing the operator owns changed, so
    // the default predicate filters it; no run, no request.
    let theirs = serde_json::json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": { "name": "db", "labels": { "team": "storage" } },
    });
    let someone = PatchParams::apply("someone").force();
    deployments
        .patch("db", &someone, &Patch::Apply(&theirs))
        .await
        .expect("label the Deployment");
    let woken = operator.settled().await;
    assert_eq!(
        woken.wakeups(Trigger::Secondary),
        before.wakeups(Trigger::Secondary),
        "the label woke nobody: {woken:?}"
    );
    assert!(
        outcome(&woken, "Deployment", "predicate") > outcome(&before, "Deployment", "predicate"),
        "the predicate filtered the label: {woken:?}"
    );
    assert_eq!(
        handler_requests(&counts),
        sent,
        "no request for another manager's field"
    );

    // A field we set, changed by someone else: one repairing apply, whose echo wakes nobody.
    let ours = serde_json::json!({ "spec": { "replicas": 3 } });
    deployments
        .patch("db", &PatchParams::default(), &Patch::Merge(&ours))
        .await
        .expect("scale the Deployment");
    wait_for("the repair", || async {
        deployments.get("db").await.expect("get").spec.replicas == Some(0)
    })
    .await;
    let repaired = operator.settled().await;
    let mut expected = sent.clone();
    *expected.entry("patch").or_default() += 1;
    assert_eq!(
        handler_requests(&counts),
        expected,
        "exactly one repairing patch"
    );
    assert!(
        own_echoes(&repaired, "Deployment") > own_echoes(&woken, "Deployment"),
        "the repair's echo was recognised: {repaired:?}"
    );
    // The repair is told on the Database, naming the path and not the values.
    let events: Api<Event> = Api::namespaced(client.clone(), ns.name());
    // (The merge patch took the field's ownership: `desired but not owned by this field manager`.)
    let note = format!("repaired Deployment {}/db: spec.replicas: ", ns.name());
    wait_for("the Repaired Event", || async {
        let list = events.list(&Default::default()).await.expect("list Events");
        list.items.iter().any(|e| {
            e.reason.as_deref() == Some("Repaired")
                && e.note.as_deref().is_some_and(|n| {
                    n.strip_prefix(&note)
                        .is_some_and(|what| !what.contains('3'))
                })
                && e.regarding.as_ref().and_then(|r| r.kind.as_deref()) == Some("Database")
                && e.related.as_ref().and_then(|r| r.kind.as_deref()) == Some("Deployment")
        })
    })
    .await;
    assert!(counts.snapshot().get("event").is_some_and(|n| *n >= 1));
    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn each_scale_of_a_deployment_is_undone_with_one_patch() {
    // `kubectl scale` while the Deployment controller answers each scale with status writes of
    // its own: a run woken by one of those before the repair's echo arrived read the scaled
    // Deployment from the cache and patched it a second time.
    const SCALES: usize = 5;
    let (client, ns) = setup::<Database>("scale").await;
    let databases: Api<Database> = Api::namespaced(client.clone(), ns.name());
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), ns.name());
    let (counted_client, counts) = counted().await;
    let operator = Running::start::<Database, _>(&counted_client, ns.name(), DatabaseOperator);
    databases
        .create(&PostParams::default(), &database("db"))
        .await
        .expect("create the Database");
    wait_for("the Database to converge", || converged(&databases, "db")).await;
    operator.settled().await;
    let sent = handler_requests(&counts);
    for replicas in 1..=SCALES {
        let scale = serde_json::json!({ "spec": { "replicas": replicas } });
        deployments
            .patch_scale("db", &PatchParams::default(), &Patch::Merge(&scale))
            .await
            .expect("scale the Deployment");
        wait_for("the repair", || async {
            deployments.get("db").await.expect("get").spec.replicas == Some(0)
        })
        .await;
    }
    operator.settled().await;
    let mut expected = sent.clone();
    *expected.entry("patch").or_default() += SCALES as u64;
    assert_eq!(handler_requests(&counts), expected, "one patch per scale");
    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn converged_primaries_cost_no_request_on_a_restart_or_a_full_reconcile() {
    const PRIMARIES: usize = 50;
    let (client, ns) = setup::<Database>("converged").await;
    let databases: Api<Database> = Api::namespaced(client.clone(), ns.name());
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), ns.name());
    let first = Running::start::<Database, _>(&client, ns.name(), DatabaseOperator);
    for n in 0..PRIMARIES {
        databases
            .create(&PostParams::default(), &database(&format!("db-{n}")))
            .await
            .expect("create a Database");
    }
    for n in 0..PRIMARIES {
        let name = format!("db-{n}");
        wait_for("every Database to converge", || {
            converged(&databases, &name)
        })
        .await;
    }
    first.settled().await;
    first.stop().await;

    // A restart: every primary's first run applies its four children and its status, and all
    // of them match what the caches hold.
    let (counted_client, counts) = counted().await;
    let restarted = Running::start::<Database, _>(&counted_client, ns.name(), DatabaseOperator);
    wait_for("a first run of every Database", || async {
        restarted.snapshot().wakeups(Trigger::Primary) >= PRIMARIES as u64
    })
    .await;
    let settled = restarted.settled().await;
    assert_eq!(settled.wakeups(Trigger::Primary), PRIMARIES as u64);
    assert_eq!(counts.writes(), 0, "{:?}", counts.snapshot());
    // Each watch got its first picture by a streaming list: one watch per kind, no list.
    let by_verb = counts.snapshot();
    assert_eq!(by_verb.get("list"), None, "{by_verb:?}");
    assert_eq!(by_verb.get("watch"), Some(&5), "{by_verb:?}");
    let started = handler_requests(&counts);
    assert!(
        started.keys().all(|verb| *verb == "create"),
        "only the start-up access reviews: {started:?}"
    );

    // A run of each with nothing to do: a readiness change in each Deployment's status (the
    // default predicate passes readiness) wakes its Database; all children still match.
    for n in 0..PRIMARIES {
        let ready = serde_json::json!({ "status": { "conditions": [
            { "type": "Available", "status": "False", "reason": "E2e" }
        ] } });
        deployments
            .patch_status(
                &format!("db-{n}"),
                &PatchParams::default(),
                &Patch::Merge(&ready),
            )
            .await
            .expect("report a Deployment unavailable");
    }
    wait_for("a second run of every Database", || async {
        restarted.snapshot().wakeups(Trigger::Secondary) >= PRIMARIES as u64
    })
    .await;
    restarted.settled().await;
    assert_eq!(
        handler_requests(&counts),
        started,
        "a run with nothing to do sends nothing"
    );
    restarted.stop().await;
    ns.delete().await;
}
