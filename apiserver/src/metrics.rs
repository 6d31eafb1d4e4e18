//! The server's metrics through `prometheus-client`: requests by route and code, their latency,
//! access reviews sent and answered from the cache, and which kinds' caches are stale. They are
//! served in the Prometheus text format on a port of their own ([`serve`]), apart from the API.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::header;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};
use tokio::net::TcpListener;

use crate::cache::Caches;
use crate::freshness::Problem;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: &'static str,
    code: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabel {
    route: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReviewLabel {
    answer: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: String,
}

/// How an access review was answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Review {
    /// Sent to the kube-apiserver and answered.
    Sent,
    /// Answered by a decision made less than its TTL ago, or by a review another request had
    /// in flight.
    Cached,
    /// Sent, and failed.
    Failed,
}

/// The server's metrics, registered once into their own registry.
#[derive(Debug)]
pub struct ServerMetrics {
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabel, Histogram>,
    reviews: Family<ReviewLabel, Counter>,
    stale: Family<KindLabel, Gauge>,
    registry: Registry,
}

impl Default for ServerMetrics {
    fn default() -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabel, Histogram>::new_with_constructor(|| {
            // 0.5 ms to about 16 s.
            Histogram::new(exponential_buckets(0.0005, 2.0, 16))
        });
        let reviews = Family::<ReviewLabel, Counter>::default();
        let stale = Family::<KindLabel, Gauge>::default();
        let mut registry = Registry::with_prefix("primary_all");
        registry.register(
            "requests",
            "Requests served, by route and HTTP code",
            requests.clone(),
        );
        registry.register_with_unit(
            "request_duration",
            "How long requests took, by route",
            Unit::Seconds,
            latency.clone(),
        );
        registry.register(
            "access_reviews",
            "Access questions, by how they were answered (sent, cached, failed)",
            reviews.clone(),
        );
        registry.register(
            "cache_stale",
            "1 while a kind's watch has failed for longer than the staleness bound",
            stale.clone(),
        );
        Self {
            requests,
            latency,
            reviews,
            stale,
            registry,
        }
    }
}

impl ServerMetrics {
    /// Counts one request to `route` ([`route_of`] its path).
    pub fn request(&self, route: &'static str, code: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels { route, code })
            .inc();
        self.latency
            .get_or_create(&RouteLabel { route })
            .observe(seconds);
    }

    /// Counts one access question by how it was answered.
    pub fn review(&self, answer: Review) {
        let answer = match answer {
            Review::Sent => "sent",
            Review::Cached => "cached",
            Review::Failed => "failed",
        };
        self.reviews.get_or_create(&ReviewLabel { answer }).inc();
    }

    /// Sets whether the cache of `kind` is stale.
    pub fn stale(&self, kind: &str, stale: bool) {
        let label = KindLabel {
            kind: kind.to_string(),
        };
        self.stale.get_or_create(&label).set(i64::from(stale));
    }

    /// The Prometheus text format of every metric.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        encode(&mut text, &self.registry).expect("writing to a String cannot fail");
        text
    }
}

/// What a request asked for, as a label: never the path itself, so labels stay few.
pub fn route_of(path: &str) -> &'static str {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        ["healthz" | "livez" | "readyz", ..] => "health",
        ["openapi", ..] => "openapi",
        ["apis"] | ["apis", _] | ["apis", _, _] => "discovery",
        ["apis", ..] => "object",
        _ => "other",
    }
}

/// Middleware of the whole router: times each request and counts it by route and code.
pub async fn observe(
    State(metrics): State<Arc<ServerMetrics>>,
    request: Request,
    next: Next,
) -> Response {
    let route = route_of(request.uri().path());
    let started = Instant::now();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    metrics.request(route, response.status().as_u16(), seconds);
    response
}

/// Serves `GET /metrics` over plain HTTP on `listener` until the task is dropped; each scrape
/// reads which kinds are stale from `caches`.
pub async fn serve(listener: TcpListener, metrics: Arc<ServerMetrics>, caches: Arc<Caches>) {
    let router = axum::Router::new()
        .route("/metrics", get(text))
        .with_state((metrics, caches));
    if let Err(error) = axum::serve(listener, router).await {
        tracing::warn!(%error, "the metrics listener failed");
    }
}

async fn text(State((metrics, caches)): State<(Arc<ServerMetrics>, Arc<Caches>)>) -> Response {
    for (id, kind) in caches.kinds().iter() {
        let stale = matches!(caches.problem(id), Some(Problem::Stale(_)));
        let resource = &kind.resource;
        metrics.stale(
            &format!("{}/{}", resource.api_version, resource.kind),
            stale,
        );
    }
    let content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    ([(header::CONTENT_TYPE, content_type)], metrics.encode()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_is_what_was_asked_for_never_the_path() {
        for (path, route) in [
            ("/readyz", "health"),
            ("/apis", "discovery"),
            ("/apis/primary-all", "discovery"),
            ("/apis/primary-all/v1", "discovery"),
            (
                "/apis/primary-all/v1/namespaces/prod/databases.demo/orders",
                "object",
            ),
            ("/openapi/v3", "openapi"),
            ("/secret-admin", "other"),
        ] {
            assert_eq!(route_of(path), route, "{path}");
        }
    }

    #[test]
    fn requests_reviews_and_staleness_land_in_their_families() {
        let metrics = ServerMetrics::default();
        metrics.request("object", 200, 0.004);
        metrics.request("object", 403, 0.002);
        metrics.review(Review::Sent);
        metrics.review(Review::Cached);
        metrics.review(Review::Cached);
        metrics.stale("v1/ConfigMap", true);
        let text = metrics.encode();
        for line in [
            r#"primary_all_requests_total{route="object",code="200"} 1"#,
            r#"primary_all_requests_total{route="object",code="403"} 1"#,
            r#"primary_all_request_duration_seconds_count{route="object"} 2"#,
            r#"primary_all_access_reviews_total{answer="sent"} 1"#,
            r#"primary_all_access_reviews_total{answer="cached"} 2"#,
            r#"primary_all_cache_stale{kind="v1/ConfigMap"} 1"#,
        ] {
            assert!(text.contains(line), "{line} in:\n{text}");
        }
    }
}
