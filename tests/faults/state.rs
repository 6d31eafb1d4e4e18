//! What every fault case needs: the faults themselves (through `cargo xtask cluster`), a set of
//! converged Databases, and the check that each has exactly its children, as its spec says.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::Command;
use std::time::Instant;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service};
use kube::api::{ListParams, ObjectMeta, PostParams};
use kube::{Api, Client, Resource, ResourceExt};
use kube_secondary_examples::database::{Database, DatabaseSpec};
use serde::de::DeserializeOwned;

/// Runs `cargo xtask cluster <args>` on the suite's control plane.
pub fn xtask(args: &[&str]) {
    let xtask = std::env::var_os("KUBE_SECONDARY_XTASK")
        .expect("run the fault suite with `cargo xtask test --faults`");
    let status = Command::new(xtask)
        .arg("cluster")
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run xtask");
    assert!(status.success(), "cargo xtask cluster {}", args.join(" "));
}

/// Prints what a fault cost and adds it to `$KUBE_SECONDARY_FAULT_FIGURES`, where
/// `cargo xtask test` gathers the suite's figures.
pub fn report(figure: String) {
    eprintln!("{figure}");
    if let Some(path) = std::env::var_os("KUBE_SECONDARY_FAULT_FIGURES") {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .expect("open the figures file");
        writeln!(file, "{figure}").expect("write the figures file");
    }
}

/// Kills kube-apiserver, waits `down`, and starts it again; returns once it answers.
pub async fn kill_apiserver_for(down: std::time::Duration) -> Instant {
    xtask(&["signal", "kube-apiserver", "KILL"]);
    tokio::time::sleep(down).await;
    tokio::task::spawn_blocking(|| xtask(&["restart", "kube-apiserver"]))
        .await
        .expect("restart");
    Instant::now()
}

pub fn spec(n: usize) -> DatabaseSpec {
    DatabaseSpec {
        image: "postgres:16".into(),
        replicas: 1,
        port: 5432,
        config: BTreeMap::from([("max_connections".to_string(), format!("{}", 100 + n))]),
    }
}

pub fn name(n: usize) -> String {
    format!("db-{n}")
}

/// Creates `count` Databases and waits until each has its four children.
pub async fn converged(client: &Client, namespace: &str, count: usize) {
    create(client, namespace, 0..count).await;
    until_exactly_their_children(client, namespace, count).await;
}

/// Waits until [`exactly_their_children`] holds; panics with what is still wrong after
/// [`PATIENCE`](crate::support::PATIENCE).
pub async fn until_exactly_their_children(client: &Client, namespace: &str, count: usize) {
    let start = Instant::now();
    while let Err(wrong) = exactly_their_children(client, namespace, count).await {
        assert!(
            start.elapsed() < crate::support::PATIENCE,
            "gave up waiting for every Database to have exactly its children: {wrong}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Creates the Databases `numbers`, up to 50 requests at once.
pub async fn create(client: &Client, namespace: &str, numbers: std::ops::Range<usize>) {
    use futures::StreamExt;
    let dbs: Api<Database> = Api::namespaced(client.clone(), namespace);
    futures::stream::iter(numbers)
        .map(|n| {
            let dbs = dbs.clone();
            async move {
                dbs.create(&PostParams::default(), &Database::new(&name(n), spec(n)))
                    .await
                    .expect("create a Database")
            }
        })
        .buffer_unordered(50)
        .collect::<Vec<_>>()
        .await;
}

async fn by_name<K>(client: &Client, namespace: &str) -> BTreeMap<String, K>
where
    K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + DeserializeOwned
        + std::fmt::Debug,
{
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    let list = api
        .list(&ListParams::default())
        .await
        .expect("list children");
    let owned = list.items.into_iter().filter(|child| {
        let meta: &ObjectMeta = child.meta();
        meta.owner_references
            .as_ref()
            .is_some_and(|refs| !refs.is_empty())
    });
    owned.map(|child| (child.name_any(), child)).collect()
}

/// Whether each of the `count` Databases has exactly its four children, each owned by it alone,
/// with the content its spec says, and nothing else is owned; `Err` says what is wrong.
pub async fn exactly_their_children(
    client: &Client,
    namespace: &str,
    count: usize,
) -> Result<(), String> {
    let dbs: Api<Database> = Api::namespaced(client.clone(), namespace);
    let deployments = by_name::<Deployment>(client, namespace).await;
    let services = by_name::<Service>(client, namespace).await;
    let configs = by_name::<ConfigMap>(client, namespace).await;
    let secrets = by_name::<Secret>(client, namespace).await;
    let owned = deployments.len() + services.len() + configs.len() + secrets.len();
    if owned != 4 * count {
        return Err(format!("{owned} owned children, expected {}", 4 * count));
    }
    let listed = dbs
        .list(&ListParams::default())
        .await
        .map_err(|e| e.to_string())?;
    let uids: BTreeMap<String, String> = (listed.items.iter())
        .map(|db| (db.name_any(), db.uid().unwrap_or_default()))
        .collect();
    for n in 0..count {
        let uid = uids
            .get(&name(n))
            .ok_or_else(|| format!("no {}", name(n)))?
            .clone();
        let owners = [
            deployments.get(&name(n)).map(|c| &c.metadata),
            services.get(&name(n)).map(|c| &c.metadata),
            configs
                .get(&format!("{}-config", name(n)))
                .map(|c| &c.metadata),
            secrets
                .get(&format!("{}-credentials", name(n)))
                .map(|c| &c.metadata),
        ];
        for meta in owners {
            let meta = meta.ok_or_else(|| format!("a child of {} is missing", name(n)))?;
            let refs = meta.owner_references.as_deref().unwrap_or_default();
            if refs.len() != 1 || refs[0].uid != uid || refs[0].controller != Some(true) {
                return Err(format!(
                    "{:?} is not owned by {} alone: {refs:?}",
                    meta.name,
                    name(n)
                ));
            }
        }
        let config = &configs[&format!("{}-config", name(n))];
        if config.data.as_ref() != Some(&spec(n).config) {
            return Err(format!("{} data {:?}", config.name_any(), config.data));
        }
    }
    Ok(())
}

/// A memory figure of process `pid` from the kernel (`VmRSS`, `VmHWM`…), in MiB; 0 once gone.
pub fn memory_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib: f64 = (status.lines())
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}
