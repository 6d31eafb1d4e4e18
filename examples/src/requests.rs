//! Counts the API requests an operator's client sends, by verb, through a tower layer.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use kube::client::ClientBuilder;
use kube::{Client, Config};
use tower::util::MapRequestLayer;

/// API requests by verb (`get`, `list`, `watch`, `create`, `patch`, `update`, `delete`).
#[derive(Default, Debug)]
pub struct RequestCounts {
    by_verb: Mutex<BTreeMap<&'static str, u64>>,
}

impl RequestCounts {
    /// A copy of the counts.
    pub fn snapshot(&self) -> BTreeMap<&'static str, u64> {
        self.by_verb.lock().expect("request counts lock").clone()
    }

    fn count(&self, verb: &'static str) {
        *self
            .by_verb
            .lock()
            .expect("request counts lock")
            .entry(verb)
            .or_default() += 1;
    }
}

/// The Kubernetes verb of a request, from its method, path and query.
pub fn verb(method: &http::Method, path: &str, query: Option<&str>) -> &'static str {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let after_version = match segments.first() {
        Some(&"api") => segments.get(2..),
        Some(&"apis") => segments.get(3..),
        _ => None,
    }
    .unwrap_or_default();
    let resource_path = match after_version {
        ["namespaces", _, rest @ ..] if !rest.is_empty() => rest,
        other => other,
    };
    let collection = resource_path.len() <= 1;
    let watch = query.is_some_and(|q| {
        q.split('&')
            .any(|pair| pair == "watch=true" || pair == "watch=1")
    });
    match *method {
        http::Method::GET if watch => "watch",
        http::Method::GET if collection => "list",
        http::Method::GET => "get",
        http::Method::POST => "create",
        http::Method::PATCH => "patch",
        http::Method::PUT => "update",
        http::Method::DELETE => "delete",
        _ => "other",
    }
}

/// A client from the default kubeconfig with `user_agent`, counting its requests.
pub async fn counting_client(user_agent: &str) -> anyhow::Result<(Client, Arc<RequestCounts>)> {
    let mut config = Config::infer().await?;
    config
        .headers
        .push((http::header::USER_AGENT, user_agent.parse()?));
    let counts = Arc::new(RequestCounts::default());
    let counter = counts.clone();
    let layer = MapRequestLayer::new(move |request: http::Request<kube::client::Body>| {
        counter.count(verb(
            request.method(),
            request.uri().path(),
            request.uri().query(),
        ));
        request
    });
    let client = ClientBuilder::try_from(config)?.with_layer(&layer).build();
    Ok((client, counts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    #[test]
    fn classifies_kubernetes_requests() {
        assert_eq!(
            verb(&Method::GET, "/api/v1/namespaces/ns/services", None),
            "list"
        );
        assert_eq!(
            verb(
                &Method::GET,
                "/api/v1/namespaces/ns/services",
                Some("watch=true&resourceVersion=5")
            ),
            "watch"
        );
        assert_eq!(
            verb(&Method::GET, "/api/v1/namespaces/ns/services/db", None),
            "get"
        );
        assert_eq!(
            verb(&Method::GET, "/apis/apps/v1/deployments", None),
            "list"
        );
        assert_eq!(verb(&Method::GET, "/api/v1/namespaces/ns", None), "get");
        assert_eq!(verb(&Method::GET, "/api/v1/namespaces", None), "list");
        assert_eq!(
            verb(
                &Method::PATCH,
                "/apis/demo.kube-secondary.dev/v1/namespaces/ns/databases/db/status",
                None
            ),
            "patch"
        );
        assert_eq!(
            verb(&Method::POST, "/api/v1/namespaces/ns/secrets", None),
            "create"
        );
    }
}
