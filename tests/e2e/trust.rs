//! Children you can trust: every change of what an operator wants is written (a key removed from
//! an atomic map, a dropped field whose value was a Go zero value), a set prunes only its own
//! members, and a primary refused a name wakes when that name is free.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::{ObjectMeta, PostParams};
use kube::{Api, ResourceExt};

use crate::support::{Running, setup, wait_for};

use crate::probe::{Probe, Prober, change, named, probe};

#[tokio::test]
async fn a_key_removed_from_a_services_selector_is_removed() {
    let (client, ns) = setup::<Probe>("trust-selector").await;
    let operator = Running::start::<Probe, _>(&client, ns.name(), Prober);
    let probes: Api<Probe> = Api::namespaced(client.clone(), ns.name());
    let services: Api<Service> = Api::namespaced(client.clone(), ns.name());
    let spec = serde_json::json!({ "selector": { "app": "a1", "role": "primary" },
        "tls": [], "books": [] });
    probes
        .create(&PostParams::default(), &probe("p", spec))
        .await
        .expect("create the Probe");
    let selector = || async {
        let service = services.get_opt("p").await.expect("get the Service");
        service.and_then(|s| s.spec?.selector).unwrap_or_default()
    };
    wait_for("the Service", || async { selector().await.len() == 2 }).await;

    change(
        &probes,
        "p",
        serde_json::json!({ "selector": { "role": null } }),
    )
    .await;
    wait_for("the selector to shrink to {app: a1}", || async {
        selector().await == BTreeMap::from([("app".to_string(), "a1".to_string())])
    })
    .await;

    change(
        &probes,
        "p",
        serde_json::json!({ "selector": { "app": "" } }),
    )
    .await;
    wait_for("the selector to read {app: \"\"}", || async {
        selector().await == BTreeMap::from([("app".to_string(), String::new())])
    })
    .await;

    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn a_dropped_run_as_user_0_is_removed_from_the_pods() {
    let (client, ns) = setup::<Probe>("trust-zero").await;
    let operator = Running::start::<Probe, _>(&client, ns.name(), Prober);
    let probes: Api<Probe> = Api::namespaced(client.clone(), ns.name());
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), ns.name());
    let spec = serde_json::json!({ "selector": { "app": "p" }, "runAsUser": 0,
        "tls": [], "books": [] });
    probes
        .create(&PostParams::default(), &probe("p", spec))
        .await
        .expect("create the Probe");
    let run_as_user = || async {
        let deployment = deployments.get_opt("p").await.expect("get the Deployment");
        deployment.map(|d| {
            let pod = d.spec.template.spec;
            pod.and_then(|p| p.security_context?.run_as_user)
        })
    };
    wait_for("Pods that run as root", || async {
        run_as_user().await == Some(Some(0))
    })
    .await;

    change(&probes, "p", serde_json::json!({ "runAsUser": null })).await;
    wait_for("runAsUser to be gone", || async {
        run_as_user().await == Some(None)
    })
    .await;

    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn a_set_prunes_only_its_members_never_what_apply_or_create_if_absent_made() {
    let (client, ns) = setup::<Probe>("trust-sets").await;
    let operator = Running::start::<Probe, _>(&client, ns.name(), Prober);
    let probes: Api<Probe> = Api::namespaced(client.clone(), ns.name());
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns.name());
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    let spec = serde_json::json!({ "selector": { "app": "p" },
        "tls": ["a", "b"], "books": ["x", "y"] });
    probes
        .create(&PostParams::default(), &probe("p", spec))
        .await
        .expect("create the Probe");
    let names = |list: Vec<String>| list.into_iter().collect::<std::collections::BTreeSet<_>>();
    let secret_names = || async {
        let list = secrets.list(&Default::default()).await.expect("list");
        names(list.items.iter().map(|s| s.name_any()).collect())
    };
    let config_names = || async {
        let list = configs.list(&Default::default()).await.expect("list");
        let ours = list.items.iter().map(|c| c.name_any());
        names(ours.filter(|n| n.starts_with("p-")).collect())
    };
    let all = names(vec![
        "p-password".into(),
        "p-tls-a".into(),
        "p-tls-b".into(),
    ]);
    wait_for("the Secrets", || async { secret_names().await == all }).await;
    let password = secrets.get("p-password").await.expect("the password");

    // Each spec change runs the whole reconcile again: create_if_absent, then the TLS set.
    for (tls, books) in [
        (vec!["a"], vec!["x"]),
        (vec!["a", "c"], vec![]),
        (vec![], vec!["z"]),
    ] {
        let spec = serde_json::json!({ "tls": tls, "books": books });
        change(&probes, "p", spec).await;
        let mut secrets_wanted = names(tls.iter().map(|h| format!("p-tls-{h}")).collect());
        secrets_wanted.insert("p-password".into());
        let mut configs_wanted = names(books.iter().map(|b| format!("p-{b}")).collect());
        configs_wanted.insert("p-settings".into());
        wait_for("the TLS set to follow the spec", || async {
            secret_names().await == secrets_wanted
        })
        .await;
        wait_for("the books to follow the spec", || async {
            config_names().await == configs_wanted
        })
        .await;
    }
    operator.settled().await;
    let now = secrets.get("p-password").await.expect("the password");
    assert_eq!(
        (now.uid(), now.data),
        (password.uid(), password.data),
        "the password Secret made by create_if_absent is the same object with the same data"
    );
    assert!(
        configs.get_opt("p-settings").await.expect("get").is_some(),
        "the ConfigMap made by apply stays beside the set"
    );

    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn a_primary_refused_a_name_is_woken_when_the_name_becomes_free() {
    let (client, ns) = setup::<Probe>("trust-freed").await;
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    // `p-x` is controlled by another object: the Probe must not take it over.
    let blocker = configs
        .create(
            &PostParams::default(),
            &ConfigMap {
                metadata: named("blocker".into()),
                ..ConfigMap::default()
            },
        )
        .await
        .expect("create the blocker");
    let controlled = ConfigMap {
        metadata: ObjectMeta {
            name: Some("p-x".into()),
            owner_references: Some(vec![OwnerReference {
                api_version: "v1".into(),
                kind: "ConfigMap".into(),
                name: "blocker".into(),
                uid: blocker.uid().expect("a uid"),
                controller: Some(true),
                ..OwnerReference::default()
            }]),
            ..ObjectMeta::default()
        },
        ..ConfigMap::default()
    };
    configs
        .create(&PostParams::default(), &controlled)
        .await
        .expect("create p-x");
    let operator = Running::start::<Probe, _>(&client, ns.name(), Prober);
    let probes: Api<Probe> = Api::namespaced(client.clone(), ns.name());
    let spec = serde_json::json!({ "selector": { "app": "p" }, "tls": [], "books": ["x"] });
    probes
        .create(&PostParams::default(), &probe("p", spec))
        .await
        .expect("create the Probe");
    wait_for("the refusal", || async { operator.snapshot().errors >= 1 }).await;
    // Let the retries back off past the first quick ones.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let before = operator.snapshot();

    configs
        .delete("p-x", &Default::default())
        .await
        .expect("free the name");
    wait_for("the Probe's own p-x", || async {
        let config = configs.get_opt("p-x").await.expect("get");
        config.is_some_and(|c| c.owner_references().iter().any(|o| o.kind == "Probe"))
    })
    .await;
    let after = operator.snapshot();
    // The freed name's event, not the next retry, made the Probe due. A retry coming due at the
    // same moment runs in that same run and names its trigger, so the run's trigger can be
    // `retry` either way; the event's outcome cannot.
    let woke = [&before, &after].map(|snapshot| {
        let configmaps = snapshot.outcomes.get("ConfigMap");
        configmaps
            .and_then(|outcomes| outcomes.get("woke"))
            .copied()
            .unwrap_or(0)
    });
    assert!(
        woke[1] > woke[0],
        "the freed name woke the Probe, rather than its next retry: {before:?} -> {after:?}"
    );

    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn creating_200_databases_costs_exactly_the_writes_they_need() {
    use crate::children::{converged, counted, database, handler_requests};
    use kube_secondary_examples::database::{Database, DatabaseOperator};

    const N: usize = 200;
    let (client, ns) = setup::<Database>("trust-200").await;
    let databases: Api<Database> = Api::namespaced(client.clone(), ns.name());
    let (counted_client, counts) = counted().await;
    let operator = Running::start::<Database, _>(&counted_client, ns.name(), DatabaseOperator);
    operator.settled().await;
    // The start-up access reviews.
    let before = handler_requests(&counts);
    for i in 0..N {
        databases
            .create(&PostParams::default(), &database(&format!("db{i}")))
            .await
            .expect("create a Database");
    }
    wait_for("every Database to converge", || async {
        for i in 0..N {
            if !converged(&databases, &format!("db{i}")).await {
                return false;
            }
        }
        true
    })
    .await;
    operator.settled().await;
    // Per Database: the Deployment, Service and ConfigMap applied, the Secret created, the
    // status written once.
    let mut expected = before.clone();
    *expected.entry("create").or_default() += N as u64;
    *expected.entry("patch").or_default() += 4 * N as u64;
    assert_eq!(handler_requests(&counts), expected, "before: {before:?}");

    operator.stop().await;
    ns.delete().await;
}
