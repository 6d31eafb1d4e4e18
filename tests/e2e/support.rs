//! What every end-to-end test needs: a client, a namespace of its own, CRDs, and waiting.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use kube::api::{DeleteParams, ListParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube::{Api, Client, CustomResourceExt, Resource};
use kube_secondary::crd::install_crd;
use kube_secondary::{Controller, Metrics, MetricsSnapshot, Reconciler, SecondaryAware};
use serde::de::DeserializeOwned;
use tokio::sync::oneshot;

/// How long a wait may take before the test gives up. It keeps a broken test from hanging; it
/// asserts nothing about speed.
pub const PATIENCE: Duration = Duration::from_secs(60);

const HOW_TO_START: &str = "the end-to-end tests need a Kubernetes API server: run \
    `cargo xtask test`, or `cargo xtask cluster up` and `export KUBECONFIG=…` as it prints";

/// A client for the cluster in `KUBECONFIG`; panics saying how to start one when there is none.
pub async fn client() -> Client {
    if std::env::var_os("KUBECONFIG").is_none() {
        panic!("KUBECONFIG is not set; {HOW_TO_START}");
    }
    let client = Client::try_default()
        .await
        .unwrap_or_else(|e| panic!("cannot build a client from KUBECONFIG ({e}); {HOW_TO_START}"));
    client.apiserver_version().await.unwrap_or_else(|e| {
        panic!("the API server in KUBECONFIG does not answer ({e}); {HOW_TO_START}")
    });
    client
}

/// Runs the real `kubectl` (the one the control-plane build made, first on `PATH` under
/// `cargo xtask test` and after `eval "$(cargo xtask cluster env)"`) against `KUBECONFIG`, and
/// returns what it printed; panics with its error output when it fails.
pub fn kubectl(args: &[&str]) -> String {
    try_kubectl(args).unwrap_or_else(|stderr| panic!("kubectl {} failed: {stderr}", args.join(" ")))
}

/// Runs the real `kubectl` as [`kubectl`] does: what it printed if it succeeded, else its error
/// output.
pub fn try_kubectl(args: &[&str]) -> Result<String, String> {
    let output = std::process::Command::new("kubectl")
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run kubectl ({e}): run the tests with `cargo xtask test`, or after `eval \"$(cargo xtask cluster env)\"`")
        });
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    Ok(String::from_utf8(output.stdout).expect("kubectl prints UTF-8"))
}

/// Waits until `check` holds, polling every 50 ms; panics after [`PATIENCE`].
pub async fn wait_for<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < PATIENCE, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A client, the CRD of `P` installed, and a namespace for one test.
pub async fn setup<P: CustomResourceExt>(prefix: &str) -> (Client, TestNamespace) {
    let client = client().await;
    install_crd::<P>(&client, "kube-secondary-tests")
        .await
        .unwrap_or_else(|e| panic!("install the CRD of {}: {e}", P::crd_name()));
    let namespace = TestNamespace::new(&client, prefix).await;
    (client, namespace)
}

/// Whether `name` exists.
pub async fn exists<K>(api: &Api<K>, name: &str) -> bool
where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug,
{
    api.get_opt(name).await.expect("get").is_some()
}

/// How many objects carry the labels in `selector`.
pub async fn count<K>(api: &Api<K>, selector: &str) -> usize
where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug,
{
    api.list(&ListParams::default().labels(selector))
        .await
        .expect("list")
        .items
        .len()
}

/// A namespace for one test. [`TestNamespace::delete`] removes it at the end of the test; if
/// the test panics first, dropping it removes it.
pub struct TestNamespace {
    client: Client,
    name: String,
    deleted: bool,
}

impl TestNamespace {
    /// Creates a namespace named `<prefix>-<pid>-<n>`, unique across parallel tests and runs.
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
            .unwrap_or_else(|e| panic!("create the test namespace {name}: {e}"));
        Self {
            client: client.clone(),
            name,
            deleted: false,
        }
    }

    /// The namespace's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Deletes the namespace (its contents go with it, in the background).
    pub async fn delete(mut self) {
        Api::<Namespace>::all(self.client.clone())
            .delete(&self.name, &DeleteParams::background())
            .await
            .unwrap_or_else(|e| panic!("delete the test namespace {}: {e}", self.name));
        self.deleted = true;
    }
}

impl Drop for TestNamespace {
    /// The test failed before [`TestNamespace::delete`]: delete the namespace from a thread of
    /// its own, since the test's runtime cannot run anything while it unwinds.
    fn drop(&mut self) {
        if self.deleted {
            return;
        }
        let name = self.name.clone();
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("tokio runtime");
            runtime.block_on(async {
                let client = Client::try_default().await?;
                Api::<Namespace>::all(client)
                    .delete(&name, &DeleteParams::background())
                    .await
                    .map(drop)
            })
        });
        if let Ok(Err(error)) = cleanup.join() {
            eprintln!("could not delete test namespace {}: {error}", self.name);
        }
    }
}

/// An operator running in this process, watching one namespace.
pub struct Running {
    metrics: Arc<Metrics>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), kube_secondary::Error>>,
}

impl Running {
    /// Starts a controller for `P` in `namespace` with `reconciler`.
    pub fn start<P: SecondaryAware, R: Reconciler<P>>(
        client: &Client,
        namespace: &str,
        reconciler: R,
    ) -> Self {
        Self::start_with(client, namespace, reconciler, |controller| controller)
    }

    /// [`start`](Self::start), with the controller built further by `build`.
    pub fn start_with<P: SecondaryAware, R: Reconciler<P>>(
        client: &Client,
        namespace: &str,
        reconciler: R,
        build: impl FnOnce(Controller<P>) -> Controller<P>,
    ) -> Self {
        let (stop, stopped) = oneshot::channel::<()>();
        let controller = build(Controller::<P>::new(client.clone()).namespace(namespace))
            .shutdown_on(async move {
                let _ = stopped.await;
            });
        let metrics = controller.metrics();
        let task = tokio::spawn(controller.run(reconciler));
        Self {
            metrics,
            stop: Some(stop),
            task,
        }
    }

    /// The counters now.
    pub fn snapshot(&self) -> MetricsSnapshot {
        self.metrics.snapshot()
    }

    /// Waits until no counter moved for two seconds, and returns them.
    pub async fn settled(&self) -> MetricsSnapshot {
        let mut last = self.snapshot();
        loop {
            tokio::time::sleep(Duration::from_secs(2)).await;
            let now = self.snapshot();
            if now == last {
                return now;
            }
            last = now;
        }
    }

    /// Stops the controller and checks that it ran without error.
    pub async fn stop(mut self) {
        let _ = self.stop.take().expect("stopped once").send(());
        self.task
            .await
            .expect("controller task")
            .expect("controller ran");
    }
}

/// `rules` as the Role `operator` in `namespace`, bound to the user `user`.
pub async fn grant(admin: &Client, namespace: &str, user: &str, rules: Vec<PolicyRule>) {
    let roles: Api<Role> = Api::namespaced(admin.clone(), namespace);
    let role = Role {
        metadata: ObjectMeta {
            name: Some("operator".into()),
            ..ObjectMeta::default()
        },
        rules: Some(rules),
    };
    let apply = PatchParams::apply("kube-secondary-tests").force();
    roles
        .patch("operator", &apply, &Patch::Apply(&role))
        .await
        .expect("apply the Role");
    let bindings: Api<RoleBinding> = Api::namespaced(admin.clone(), namespace);
    let binding = user_binding("operator", "Role", "operator", user);
    bindings
        .patch("operator", &apply, &Patch::Apply(&binding))
        .await
        .expect("apply the RoleBinding");
}

/// A RoleBinding `name` of the `kind` (`Role` or `ClusterRole`) `role` to the user `user`.
pub fn user_binding(name: &str, kind: &str, role: &str, user: &str) -> RoleBinding {
    RoleBinding {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..ObjectMeta::default()
        },
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: kind.into(),
            name: role.into(),
        },
        subjects: Some(vec![Subject {
            kind: "User".into(),
            name: user.into(),
            api_group: Some("rbac.authorization.k8s.io".into()),
            ..Subject::default()
        }]),
    }
}

/// `rules` without those naming `resource`.
pub fn without(rules: &[PolicyRule], resource: &str) -> Vec<PolicyRule> {
    (rules.iter())
        .filter(|rule| !rule.resources.iter().flatten().any(|r| r == resource))
        .cloned()
        .collect()
}
