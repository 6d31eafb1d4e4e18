//! Small helpers shared by the example binaries: tracing and CLI flags.

/// What the examples log unless `RUST_LOG` says otherwise: info, without kube-rs's line per
/// failed request attempt (kube-secondary says once when a watch starts failing and once when
/// it works again, naming the kind and the cause).
pub const DEFAULT_LOG: &str =
    "info,kube_client=error,kube_client::client::builder=off,kube_runtime::watcher=error";

/// Starts tracing output filtered by `RUST_LOG` (default [`DEFAULT_LOG`]).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG));
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
    /// `--leader-election NAMESPACE/NAME`: run handlers only while holding this Lease.
    pub leader_election: Option<(String, String)>,
}

impl Flags {
    /// Parses the process arguments; unknown flags are an error that lists the known ones.
    pub fn from_env() -> anyhow::Result<Self> {
        let mut flags = Flags::default();
        // `--flag=value` is `--flag value`, as in a Deployment's `args`.
        let mut args = std::env::args()
            .skip(1)
            .flat_map(|arg| match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => {
                    vec![flag.to_string(), value.into()]
                }
                _ => vec![arg],
            });
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
                "--leader-election" => {
                    let value = args.next().unwrap_or_default();
                    let (namespace, name) = value.split_once('/').ok_or_else(|| {
                        anyhow::anyhow!("--leader-election `{value}`: expected NAMESPACE/NAME")
                    })?;
                    flags.leader_election = Some((namespace.into(), name.into()));
                }
                "--install-crd" => flags.install_crd = true,
                "--print-rbac" => flags.print_rbac = true,
                other => anyhow::bail!(
                    "unknown argument `{other}`; known: --mode kube-secondary|timer|by-hand, --namespace NS, --metrics-addr HOST:PORT, --leader-election NAMESPACE/NAME, --install-crd, --print-rbac"
                ),
            }
        }
        Ok(flags)
    }
}
