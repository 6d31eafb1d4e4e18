//! Load: children rewritten as fast as the harness can for 30 s. The queue holds at most one
//! request per primary whatever the rate (the ledger folds the rest into it), memory stays
//! flat, and nothing is lost: every child ends as its primary's spec says.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::Api;
use kube::api::{Patch, PatchParams};
use kube_secondary_examples::database::Database;

use crate::replica::{Replica, metric};
use crate::state::{converged, memory_mib, name, report, until_exactly_their_children};
use crate::support::setup;

const N: usize = 20;
const LOAD: Duration = Duration::from_secs(30);
/// Edits in flight at once.
const WRITERS: usize = 16;

#[tokio::test]
async fn children_rewritten_at_full_speed_for_30_s_keep_the_queue_bounded_and_lose_nothing() {
    let (client, ns) = setup::<Database>("load").await;
    let (operator, port) = Replica::start_serving("operator", ns.name(), None);
    converged(&client, ns.name(), N).await;
    let settled_rss = memory_mib(operator.child.id(), "VmRSS");
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    let edits = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let done = done.clone();
        let pid = operator.child.id();
        tokio::spawn(async move {
            let (mut peak_queue, mut peak_rss) = (0.0f64, 0.0f64);
            while !done.load(Ordering::Relaxed) {
                peak_queue = peak_queue.max(metric(port, "kube_secondary_queue_depth"));
                peak_rss = peak_rss.max(memory_mib(pid, "VmRSS"));
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            (peak_queue, peak_rss)
        })
    };
    let start = Instant::now();
    futures::stream::iter(0u64..)
        .take_while(|_| std::future::ready(start.elapsed() < LOAD))
        .for_each_concurrent(WRITERS, |edit| {
            let (configs, edits) = (configs.clone(), edits.clone());
            async move {
                let config = format!("{}-config", name(edit as usize % N));
                let patch =
                    serde_json::json!({ "data": { "max_connections": format!("load-{edit}") } });
                if configs
                    .patch(&config, &PatchParams::default(), &Patch::Merge(&patch))
                    .await
                    .is_ok()
                {
                    edits.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
        .await;
    let edited = edits.load(Ordering::Relaxed);
    until_exactly_their_children(&client, ns.name(), N).await;
    done.store(true, Ordering::Relaxed);
    let (peak_queue, peak_rss) = sampler.await.expect("sampler");
    let patches = metric(port, "kube_secondary_api_requests_total{verb=\"patch\"}");
    assert!(
        peak_queue <= N as f64,
        "queue depth {peak_queue} above one per primary"
    );
    report(format!(
        "load: {edited} ConfigMap edits in {} s ({:.0}/s) on {N} Databases; queue depth peak {peak_queue} (cap {N}); RSS {settled_rss:.1} MiB settled, {peak_rss:.1} MiB peak; {patches} patches; every child restored",
        LOAD.as_secs(),
        edited as f64 / LOAD.as_secs_f64()
    ));
    drop(operator);
    ns.delete().await;
}
