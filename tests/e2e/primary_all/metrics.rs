//! The server's metrics, on a port of their own: requests by route and code, access reviews
//! by how they were answered, and which kinds' caches are stale.

use kube_secondary_examples::database::Database;

use super::fixtures::{create, database};
use super::requests::{database_path, get};
use super::shared::{Registered, metrics_addr};
use crate::replica;
use crate::support::setup;

/// The value of `series` (a metric with its labels) in `text`, 0 when absent.
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn requests_and_access_reviews_are_counted_on_the_metrics_port() {
    let (client, ns) = setup::<Database>("pa-metrics").await;
    let registered = Registered::acquire().await;
    create(&client, ns.name(), database("db")).await;
    let port = metrics_addr().await.port();
    let before = replica::metrics_text(port);
    let path = database_path(ns.name(), "db", 1);
    let missing = database_path(ns.name(), "nobody", 1);
    for _ in 0..3 {
        assert_eq!(get(&client, &path).await.status, 200);
    }
    assert_eq!(get(&client, &missing).await.status, 404);
    let after = replica::metrics_text(port);
    let grew = |series: &str| value(&after, series) - value(&before, series);
    assert!(
        grew(r#"primary_all_requests_total{route="object",code="200"}"#) >= 3.0,
        "{after}"
    );
    assert!(
        grew(r#"primary_all_requests_total{route="object",code="404"}"#) >= 1.0,
        "{after}"
    );
    assert!(
        grew(r#"primary_all_access_reviews_total{answer="cached"}"#) >= 2.0,
        "the same questions again within 10 s are answered from the cache: {after}"
    );
    assert!(
        after.contains(r#"primary_all_cache_stale{kind="v1/ConfigMap"} 0"#),
        "{after}"
    );
    registered.release().await;
    ns.delete().await;
}
