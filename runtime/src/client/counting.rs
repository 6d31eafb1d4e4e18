//! API requests counted by Kubernetes verb, by a tower layer in the client's stack.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use kube::client::ClientBuilder;
use kube::{Client, Config};
use tower::{Layer, Service};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

/// The verbs that change objects.
const WRITES: [&str; 5] = ["create", "patch", "update", "delete", "deletecollection"];

/// API requests counted by verb (`get`, `list`, `watch`, `create`, `patch`, `update`, `delete`,
/// `deletecollection`, or `other` for methods Kubernetes gives no verb). Creates and patches of
/// Events (what `kubectl describe` shows) are counted apart, as `event`: they report on objects
/// and change none, so the writes of objects stay comparable with Events on or off.
#[derive(Debug, Default)]
pub struct RequestCounts {
    by_verb: Mutex<BTreeMap<&'static str, u64>>,
    /// The same counts for Prometheus ([`register`](Self::register)).
    exported: Family<VerbLabel, Counter>,
    /// Creates of access and token reviews: questions to the API server, not writes.
    reviews: std::sync::atomic::AtomicU64,
}

impl RequestCounts {
    /// A copy of the counts; verbs never sent are absent.
    pub fn snapshot(&self) -> BTreeMap<&'static str, u64> {
        self.by_verb.lock().expect("request counts lock").clone()
    }

    /// Requests of every verb.
    pub fn total(&self) -> u64 {
        self.snapshot().values().sum()
    }

    /// Requests that change objects: create, patch, update, delete and deletecollection. The
    /// access reviews of the start-up permission check (creates of `*reviews`, which store
    /// nothing) are not writes.
    pub fn writes(&self) -> u64 {
        let by_verb = self.snapshot();
        let writes: u64 = WRITES.iter().filter_map(|verb| by_verb.get(verb)).sum();
        writes - self.reviews.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Registers the counts into `registry` as `kube_secondary_api_requests_total{verb}`.
    pub fn register(&self, registry: &mut Registry) {
        let registry = registry.sub_registry_with_prefix("kube_secondary");
        registry.register(
            "api_requests",
            "API requests sent by the controller's client, by verb",
            self.exported.clone(),
        );
    }

    /// A layer for [`ClientBuilder::with_layer`] that adds every request it passes to these counts.
    pub fn layer(self: &Arc<Self>) -> CountRequestsLayer {
        CountRequestsLayer {
            counts: Arc::clone(self),
        }
    }

    fn count(&self, verb: &'static str, path: &str) {
        let verb = if records_event(verb, path) {
            "event"
        } else {
            verb
        };
        let review = verb == "create" && path.trim_end_matches('/').ends_with("reviews");
        if review {
            self.reviews
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        *self
            .by_verb
            .lock()
            .expect("request counts lock")
            .entry(verb)
            .or_default() += 1;
        self.exported.get_or_create(&VerbLabel { verb }).inc();
    }
}

/// The label of [`RequestCounts`] in Prometheus.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VerbLabel {
    verb: &'static str,
}

/// A client built from `config` whose requests are counted in the returned [`RequestCounts`].
pub fn counting_client(config: Config) -> kube::Result<(Client, Arc<RequestCounts>)> {
    let counts = Arc::new(RequestCounts::default());
    let client = ClientBuilder::try_from(config)?
        .with_layer(&counts.layer())
        .build();
    Ok((client, counts))
}

/// The tower layer of [`RequestCounts::layer`].
#[derive(Clone, Debug)]
pub struct CountRequestsLayer {
    counts: Arc<RequestCounts>,
}

impl<S> Layer<S> for CountRequestsLayer {
    type Service = CountRequests<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CountRequests {
            inner,
            counts: Arc::clone(&self.counts),
        }
    }
}

/// The service [`CountRequestsLayer`] wraps around a client's stack: counts each request, then
/// passes it on unchanged.
#[derive(Clone, Debug)]
pub struct CountRequests<S> {
    inner: S,
    counts: Arc<RequestCounts>,
}

impl<S, B> Service<http::Request<B>> for CountRequests<S>
where
    S: Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let uri = request.uri();
        self.counts
            .count(verb(request.method(), uri.path(), uri.query()), uri.path());
        self.inner.call(request)
    }
}

/// The Kubernetes verb of a request, from its method, path and query, as the API server's
/// authorization names it: a GET is `watch` with `watch=true`, else `list` on a collection and
/// `get` on one object; a DELETE on a collection is `deletecollection`.
pub fn verb(method: &http::Method, path: &str, query: Option<&str>) -> &'static str {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let resource_path = resource_path(&segments);
    let collection = resource_path.is_some_and(|path| path.len() == 1);
    let watch = query.is_some_and(|query| {
        query
            .split('&')
            .any(|pair| pair == "watch=true" || pair == "watch=1")
    });
    match *method {
        http::Method::GET if watch && resource_path.is_some() => "watch",
        http::Method::GET if collection => "list",
        http::Method::GET => "get",
        http::Method::POST => "create",
        http::Method::PATCH => "patch",
        http::Method::PUT => "update",
        http::Method::DELETE if collection => "deletecollection",
        http::Method::DELETE => "delete",
        _ => "other",
    }
}

/// What follows `/api/v1` or `/apis/<group>/<version>` (and `namespaces/<name>`) in a path
/// split at `/`: the resource, then the name and subresource; `None` for discovery and other
/// non-resource paths.
fn resource_path<'a>(segments: &'a [&'a str]) -> Option<&'a [&'a str]> {
    match segments {
        ["api", _version, rest @ ..] | ["apis", _, _version, rest @ ..] if !rest.is_empty() => {
            Some(match rest {
                ["namespaces", _, in_namespace @ ..] if !in_namespace.is_empty() => in_namespace,
                other => other,
            })
        }
        _ => None,
    }
}

/// Whether a request of `verb` to `path` records an Event (a create or patch of `events`).
fn records_event(verb: &str, path: &str) -> bool {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    matches!(verb, "create" | "patch")
        && resource_path(&segments).is_some_and(|path| path.first() == Some(&"events"))
}

#[cfg(test)]
#[path = "counting_tests.rs"]
mod tests;
