//! The `primary-all` server the tests of this process share, and its registration.
//!
//! One server per test process, started on a runtime of its own: each `#[tokio::test]` has a
//! runtime that ends with the test, and would take the server's tasks with it. The
//! `APIService`s (`v1.primary-all` and `v1.primary-all.demo.kube-secondary.dev`) route to it
//! while at least one test holds a [`Registered`]; the last to let go removes them all, since an
//! `APIService` left pointing at a stopped server breaks discovery, and so garbage collection
//! and namespace deletion, for everyone on the cluster. They are one set per cluster: test
//! processes on the same cluster take turns through a lock file beside the kubeconfig
//! (`cargo xtask apiserver` takes the same one).

use std::fs::{File, TryLockError};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use kube::Client;
use kube_secondary::crd::install_crd;
use kube_secondary::primary_all::served_groups;
use kube_secondary_apiserver::register::{register, unregister};
use kube_secondary_apiserver::{KindSpec, Server, ServerConfig, Serving};
use kube_secondary_examples::database::Database;
use tokio::sync::{Mutex, OnceCell, oneshot};

use super::pki::Pki;
use super::requests::{Identity, direct, get};
use crate::support::wait_for;

/// The label whose value names a child's Database, as the runtime's `map = label(..)` does.
pub const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";

/// The primary kind of the shared server.
pub const DATABASES: &str = "demo.kube-secondary.dev/v1/Database";

/// How long a test waits for another process's turn with the `APIService` to end.
const TURN_PATIENCE: Duration = Duration::from_secs(600);

/// The configuration every server of these tests has: children of six kinds, three in the
/// core group, with the Deployment -> ReplicaSet -> Pod chain, and ConfigMaps also mapped by
/// the `app.kubernetes.io/instance` label.
pub fn server_config(pki: &Pki, primaries: &[&str]) -> ServerConfig {
    let kinds = |specs: &[&str]| -> Vec<KindSpec> {
        specs
            .iter()
            .map(|spec| KindSpec::parse(spec).expect("a kind"))
            .collect()
    };
    ServerConfig {
        bind: "127.0.0.1:0".parse().expect("an address"),
        tls_cert: pki.path("extension.crt"),
        tls_key: pki.path("extension.key"),
        primaries: kinds(primaries),
        children: kinds(&[
            "apps/v1/Deployment",
            "apps/v1/ReplicaSet",
            "v1/Pod",
            "v1/Service",
            "v1/Secret",
            "v1/ConfigMap",
        ]),
        // Only ConfigMaps are label-mapped, as the runtime would declare
        // `#[secondary(ConfigMap, map = label("app.kubernetes.io/instance"))]`.
        mappings: primaries
            .iter()
            .map(|primary| {
                format!("{primary}:v1/ConfigMap:label({INSTANCE_LABEL})")
                    .parse()
                    .expect("a mapping")
            })
            .collect(),
        label_keys: vec![],
        metadata_only: vec![],
        full_objects: vec![],
        discover_children: false,
        metrics_bind: Some("127.0.0.1:0".parse().expect("an address")),
        serving: Serving::default(),
    }
}

struct Shared {
    /// The server's runtime: the registration's requests run there too, on its client.
    runtime: tokio::runtime::Handle,
    client: Client,
    addr: SocketAddr,
    metrics: SocketAddr,
    turn: Mutex<Turn>,
}

/// The tests of this process holding the registration, and the lock file while any does.
#[derive(Default)]
struct Turn {
    holders: usize,
    lock: Option<File>,
}

static SHARED: OnceCell<Shared> = OnceCell::const_new();

/// The shared server, serving Databases; started by the first test that asks.
async fn shared() -> &'static Shared {
    SHARED.get_or_init(start).await
}

async fn start() -> Shared {
    let pki = Pki::from_env();
    let (started, on_start) = oneshot::channel();
    std::thread::Builder::new()
        .name("primary-all server".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a runtime for the server");
            let handle = runtime.handle().clone();
            runtime.block_on(async move {
                let client = crate::support::client().await;
                install_crd::<Database>(&client, "kube-secondary-tests")
                    .await
                    .expect("install the Database CRD");
                let config = server_config(&pki, &[DATABASES]);
                let server = Server::start(client.clone(), config)
                    .await
                    .expect("start the primary-all server");
                ready(server.local_addr()).await;
                let metrics = server.metrics_addr().expect("metrics served");
                let _ = started.send((handle, client, server.local_addr(), metrics));
                // Serves until the test process exits.
                std::future::pending::<()>().await;
            });
        })
        .expect("spawn the server's thread");
    let (runtime, client, addr, metrics) = on_start
        .await
        .expect("the server's thread panicked while starting (its message is above)");
    Shared {
        runtime,
        client,
        addr,
        metrics,
        turn: Mutex::new(Turn::default()),
    }
}

/// Waits until `/readyz` answers 200, as a readiness probe would: the primary caches synced
/// and the request-header trust read.
async fn ready(addr: SocketAddr) {
    let probe = direct(addr, Identity::Nobody, &[]);
    wait_for("the server to be ready", || async {
        get(&probe, "/readyz").await.status == 200
    })
    .await;
}

/// The shared server's address, for requests straight to it (not registered by this).
pub async fn server_addr() -> SocketAddr {
    shared().await.addr
}

/// Where the shared server serves its metrics.
pub async fn metrics_addr() -> SocketAddr {
    shared().await.metrics
}

/// While a test holds this, `/apis/primary-all/v1` and `/apis/primary-all.<group>/v1` on the
/// kube-apiserver reach the shared server. End it with [`Registered::release`]; a test that
/// panics releases it on drop.
pub struct Registered {
    released: bool,
}

impl Registered {
    /// Registers the shared server unless a test of this process already did; waits for
    /// another process's turn to end first.
    pub async fn acquire() -> Self {
        let shared = shared().await;
        shared
            .runtime
            .spawn(async move {
                let mut turn = shared.turn.lock().await;
                if turn.holders == 0 {
                    let lock = take_lock_file().await;
                    let ca = Pki::from_env().read("ca.crt");
                    let databases = KindSpec::parse(DATABASES).expect("a kind");
                    let groups = served_groups([databases.group.as_str()]);
                    register(&shared.client, shared.addr.port(), &ca, &groups)
                        .await
                        .unwrap_or_else(|e| panic!("register the server: {e:#}"));
                    turn.lock = Some(lock);
                }
                turn.holders += 1;
            })
            .await
            .expect("registration");
        Self { released: false }
    }

    /// Lets go; the last test of the process to do so unregisters the server.
    pub async fn release(mut self) {
        self.released = true;
        let shared = shared().await;
        shared
            .runtime
            .spawn(release(shared))
            .await
            .expect("release");
    }
}

impl Drop for Registered {
    /// The test panicked: release on the server's runtime, and wait for it, since the process
    /// may exit right after.
    fn drop(&mut self) {
        if self.released {
            return;
        }
        if let Some(shared) = SHARED.get() {
            let runtime = shared.runtime.clone();
            let released = std::thread::spawn(move || runtime.block_on(release(shared)));
            if released.join().is_err() {
                eprintln!("could not unregister the primary-all server");
            }
        }
    }
}

async fn release(shared: &'static Shared) {
    let mut turn = shared.turn.lock().await;
    turn.holders -= 1;
    if turn.holders == 0 {
        unregister(&shared.client)
            .await
            .unwrap_or_else(|e| panic!("unregister the server: {e:#}"));
        turn.lock = None;
    }
}

/// `primary-all.lock` beside the kubeconfig, locked.
async fn take_lock_file() -> File {
    let kubeconfig = std::env::var_os("KUBECONFIG").expect("KUBECONFIG is set");
    let first = std::env::split_paths(&kubeconfig)
        .next()
        .expect("a kubeconfig path");
    let path: PathBuf = first.with_file_name("primary-all.lock");
    let deadline = Instant::now() + TURN_PATIENCE;
    loop {
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
        match file.try_lock() {
            Ok(()) => return file,
            Err(TryLockError::WouldBlock) => {
                assert!(
                    Instant::now() < deadline,
                    "another process has served primary-all on this cluster for {TURN_PATIENCE:?} \
                     (a concurrent test run, or `cargo xtask apiserver`), holding {}",
                    path.display()
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(TryLockError::Error(e)) => panic!("lock {}: {e}", path.display()),
        }
    }
}
