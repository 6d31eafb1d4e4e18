//! Small helpers shared by the example operators: writes, tracing, CLI flags.

use std::fmt::Debug;

use kube::api::{Patch, PatchParams, PostParams};
use kube::core::NamespaceResourceScope;
use kube::{Api, Client, Resource, ResourceExt};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Writes children of one primary with server-side apply under one field manager.
pub struct Writer {
    client: Client,
    manager: String,
}

impl Writer {
    /// A writer applying as `manager`.
    pub fn new(client: Client, manager: &str) -> Self {
        Self {
            client,
            manager: manager.to_string(),
        }
    }

    fn api<K>(&self, obj: &K) -> Api<K>
    where
        K: Resource<DynamicType = (), Scope = NamespaceResourceScope>,
    {
        Api::namespaced(self.client.clone(), &obj.namespace().unwrap_or_default())
    }

    /// Server-side applies `obj` (forcing ownership of its fields) and returns what the server stored.
    pub async fn apply<K>(&self, obj: &K) -> kube::Result<K>
    where
        K: Resource<DynamicType = (), Scope = NamespaceResourceScope>
            + Clone
            + Serialize
            + DeserializeOwned
            + Debug,
    {
        let params = PatchParams::apply(&self.manager).force();
        self.api(obj)
            .patch(&obj.name_any(), &params, &Patch::Apply(obj))
            .await
    }

    /// Creates `obj` unless it exists; returns the created object, or `None` if it existed.
    pub async fn create_if_missing<K>(&self, obj: &K) -> kube::Result<Option<K>>
    where
        K: Resource<DynamicType = (), Scope = NamespaceResourceScope>
            + Clone
            + Serialize
            + DeserializeOwned
            + Debug,
    {
        let params = PostParams {
            field_manager: Some(self.manager.clone()),
            ..PostParams::default()
        };
        match self.api(obj).create(&params, obj).await {
            Ok(created) => Ok(Some(created)),
            Err(kube::Error::Api(status)) if status.code == 409 => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Merge-patches the status subresource of `obj`.
    pub async fn patch_status<K>(&self, obj: &K, status: serde_json::Value) -> kube::Result<K>
    where
        K: Resource<DynamicType = (), Scope = NamespaceResourceScope>
            + Clone
            + DeserializeOwned
            + Debug,
    {
        let patch = serde_json::json!({ "status": status });
        self.api(obj)
            .patch_status(
                &obj.name_any(),
                &PatchParams::default(),
                &Patch::Merge(&patch),
            )
            .await
    }
}

/// Starts tracing output filtered by `RUST_LOG` (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

/// Which implementation of the `database` job runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// The kube-secondary operator.
    #[default]
    KubeSecondary,
    /// The timer baseline.
    Timer,
    /// The kube-runtime `Controller::owns` baseline.
    ByHand,
}

impl Mode {
    /// The name used on the command line and in user agents.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::KubeSecondary => "kube-secondary",
            Mode::Timer => "timer",
            Mode::ByHand => "by-hand",
        }
    }
}

/// Flags every example binary accepts.
#[derive(Debug, Default)]
pub struct Flags {
    /// `--mode kube-secondary|timer|by-hand`.
    pub mode: Mode,
    /// `--namespace NS`: watch one namespace only.
    pub namespace: Option<String>,
    /// `--metrics-addr ADDR`: serve `/metrics`, `/metrics.json`, `/healthz` and `/readyz` here.
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// `--install-crd`: apply the CRD before starting.
    pub install_crd: bool,
    /// `--print-rbac`: print the ClusterRole YAML and exit.
    pub print_rbac: bool,
}

impl Flags {
    /// Parses the process arguments; unknown flags are an error that lists the known ones.
    pub fn from_env() -> anyhow::Result<Self> {
        let mut flags = Flags::default();
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--namespace" => {
                    flags.namespace = Some(
                        args.next()
                            .ok_or_else(|| anyhow::anyhow!("--namespace needs a value"))?,
                    )
                }
                "--metrics-addr" => {
                    let value = args
                        .next()
                        .ok_or_else(|| anyhow::anyhow!("--metrics-addr needs a value"))?;
                    flags.metrics_addr = Some(
                        value
                            .parse()
                            .map_err(|e| anyhow::anyhow!("--metrics-addr {value}: {e}"))?,
                    );
                }
                "--mode" => {
                    let value = args.next().unwrap_or_default();
                    flags.mode = [Mode::KubeSecondary, Mode::Timer, Mode::ByHand]
                        .into_iter()
                        .find(|mode| mode.as_str() == value)
                        .ok_or_else(|| {
                            anyhow::anyhow!(
                                "--mode `{value}`: expected kube-secondary, timer or by-hand"
                            )
                        })?;
                }
                "--install-crd" => flags.install_crd = true,
                "--print-rbac" => flags.print_rbac = true,
                other => anyhow::bail!(
                    "unknown argument `{other}`; known: --mode kube-secondary|timer|by-hand, --namespace NS, --metrics-addr HOST:PORT, --install-crd, --print-rbac"
                ),
            }
        }
        Ok(flags)
    }
}
