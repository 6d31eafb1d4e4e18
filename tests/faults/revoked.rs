//! A permission revoked while the operator runs: the watch of that kind fails when it next
//! connects, says so once, shows on every primary as `SecondariesStale` and on `/readyz` once it
//! has failed for 30 s, while the other kinds keep working; granted again, it recovers without
//! a restart and the condition clears.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use kube::{Api, Client};
use kube_secondary::condition::STALE;
use kube_secondary_examples::database::Database;

use crate::replica::{Replica, get};
use crate::state::{converged, kill_apiserver_for, name, report, until_exactly_their_children};
use crate::support::{PATIENCE, grant, setup, without};

const N: usize = 3;

/// The admin kubeconfig, acting as `user` (`as:`, impersonation).
fn kubeconfig_as(user: &str, namespace: &str) -> PathBuf {
    let path = std::env::var("KUBECONFIG").expect("KUBECONFIG");
    let text = std::fs::read_to_string(&path).expect("read the kubeconfig");
    let mut config: serde_yaml::Value = serde_yaml::from_str(&text).expect("a kubeconfig");
    for user_entry in config["users"].as_sequence_mut().expect("users") {
        user_entry["user"]["as"] = user.into();
    }
    let out = std::env::temp_dir().join(format!("{namespace}-kubeconfig"));
    std::fs::write(&out, serde_yaml::to_string(&config).unwrap()).expect("write the kubeconfig");
    out
}

/// The `SecondariesStale` status of each Database: `True`, `False` or absent.
async fn stale(client: &Client, namespace: &str) -> Vec<(String, String)> {
    let dbs: Api<Database> = Api::namespaced(client.clone(), namespace);
    let mut statuses = Vec::new();
    for n in 0..N {
        let db = serde_json::to_value(dbs.get(&name(n)).await.expect("get")).unwrap();
        let conditions = db
            .pointer("/status/conditions")
            .and_then(|c| c.as_array())
            .cloned();
        let stale = conditions
            .unwrap_or_default()
            .into_iter()
            .find(|c| c["type"] == STALE);
        statuses.push(stale.map_or((String::new(), String::new()), |c| {
            (
                c["status"].as_str().unwrap_or_default().into(),
                c["message"].as_str().unwrap_or_default().into(),
            )
        }));
    }
    statuses
}

async fn until_stale(
    client: &Client,
    namespace: &str,
    status: &str,
    within: Duration,
) -> Vec<(String, String)> {
    let start = Instant::now();
    loop {
        let now = stale(client, namespace).await;
        if now.iter().all(|(s, _)| s == status) {
            return now;
        }
        assert!(
            start.elapsed() < within,
            "{STALE} is not {status} on every Database: {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn a_kind_revoked_while_running_shows_on_every_primary_and_recovers_once_granted() {
    let (admin, ns) = setup::<Database>("revoked").await;
    let user = format!("operator-{}", ns.name());
    let all = kube_secondary::rbac::policy_rules::<Database>();
    grant(&admin, ns.name(), &user, all.clone()).await;
    let kubeconfig = kubeconfig_as(&user, ns.name());
    let (operator, port) = Replica::start_serving("operator", ns.name(), Some(&kubeconfig));
    converged(&admin, ns.name(), N).await;

    // Revoked: the running watch of ConfigMaps goes on until it reconnects, which an API server
    // restart makes every watch do at once.
    grant(&admin, ns.name(), &user, without(&all, "configmaps")).await;
    let revoked = kill_apiserver_for(Duration::from_secs(1)).await;
    let shown = until_stale(&admin, ns.name(), "True", 2 * PATIENCE).await;
    let shown_after = revoked.elapsed();
    assert!(
        shown
            .iter()
            .all(|(_, message)| message.contains("ConfigMap") && message.contains("forbidden")),
        "{shown:?}"
    );
    assert!(
        get(port, "/readyz").contains("503"),
        "{}",
        get(port, "/readyz")
    );
    let log = operator.log();
    let configmap_lines = log
        .lines()
        .filter(|l| l.contains("watch failing") && l.contains("\"ConfigMap\""))
        .count();
    assert_eq!(
        configmap_lines, 1,
        "one line for the forbidden watch, not one per attempt:\n{log}"
    );

    grant(&admin, ns.name(), &user, all).await;
    let granted = Instant::now();
    until_stale(&admin, ns.name(), "False", 2 * PATIENCE).await;
    until_exactly_their_children(&admin, ns.name(), N).await;
    report(format!(
        "ConfigMaps revoked: SecondariesStale on all {N} Databases and /readyz 503 {:.1} s after the API server came back (30 s after the watch first failed, as bound); recovered {:.1} s after the grant (a 403 backs off up to 30 s)",
        shown_after.as_secs_f64(),
        granted.elapsed().as_secs_f64()
    ));
    assert!(
        get(port, "/readyz").contains("200"),
        "{}",
        get(port, "/readyz")
    );
    drop(operator);
    let _ = std::fs::remove_file(kubeconfig);
    ns.delete().await;
}
