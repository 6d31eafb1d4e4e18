//! What every end-to-end test needs: a client, a namespace of its own, and waiting.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{DeleteParams, ObjectMeta, PostParams};
use kube::{Api, Client};

/// A client for the cluster in `KUBECONFIG`; panics with how to start one when there is none.
pub async fn client() -> Client {
    let hint = "the end-to-end tests need a Kubernetes API server: run `cargo xtask test`, \
                or `cargo xtask cluster up` and export the KUBECONFIG it prints";
    if std::env::var_os("KUBECONFIG").is_none() {
        panic!("KUBECONFIG is not set; {hint}");
    }
    let client = Client::try_default()
        .await
        .unwrap_or_else(|e| panic!("cannot build a client ({e}); {hint}"));
    client
        .apiserver_version()
        .await
        .unwrap_or_else(|e| panic!("the API server does not answer ({e}); {hint}"));
    client
}

/// Waits until `check` holds, polling every 50 ms; panics after 60 s so a broken test does not
/// hang (the limit bounds the wait, it asserts nothing about speed).
pub async fn wait_for<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "gave up waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A namespace for one test, deleted by [`TestNamespace::delete`].
pub struct TestNamespace {
    client: Client,
    name: String,
}

impl TestNamespace {
    /// Creates a namespace named `<prefix>-<pid>-<n>`.
    pub async fn new(client: &Client, prefix: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "{prefix}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let namespace = Namespace {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                ..ObjectMeta::default()
            },
            ..Namespace::default()
        };
        Api::<Namespace>::all(client.clone())
            .create(&PostParams::default(), &namespace)
            .await
            .expect("create the test namespace");
        Self {
            client: client.clone(),
            name,
        }
    }

    /// The namespace's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Deletes the namespace (its contents go with it).
    pub async fn delete(self) {
        Api::<Namespace>::all(self.client.clone())
            .delete(&self.name, &DeleteParams::background())
            .await
            .expect("delete the test namespace");
    }
}
