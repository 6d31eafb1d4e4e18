//! `kube-secondary-apiserver`: the aggregated `primary-all` API server, configured by flags or
//! a YAML file, talking to the cluster of the ambient kubeconfig or service account.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use kube_secondary_apiserver::{KindSpec, Mapping, Server, ServerConfig};

/// Serves `primary-all.<group>/v1` for each primary group (and the `primary-all/v1` aliases): a
/// primary and all its children in one GET.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Flags {
    /// YAML file with the fields below (bind, tls_cert, tls_key, primaries, children,
    /// mappings, label_keys, metadata_only, full_objects, discover_children, metrics_bind) and `serving`
    /// (timeouts and limits); flags given as well override or add to it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long)]
    bind: Option<SocketAddr>,
    /// Serving certificate (PEM).
    #[arg(long)]
    tls_cert: Option<PathBuf>,
    /// Its key (PEM).
    #[arg(long)]
    tls_key: Option<PathBuf>,
    /// A primary kind served, as group/version/Kind (v1/Kind for the core group); repeatable.
    #[arg(long = "primary", value_name = "G/V/K")]
    primaries: Vec<KindSpec>,
    /// A child kind cached and searched; repeatable.
    #[arg(long = "child", value_name = "G/V/K")]
    children: Vec<KindSpec>,
    /// A label or annotation mapping as the runtime declares it: objects of CHILD whose label
    /// (or annotation) KEY names an object of PRIMARY are its children; repeatable.
    #[arg(long = "map", value_name = "PRIMARY:CHILD:label(KEY)")]
    mappings: Vec<Mapping>,
    /// With one primary kind: a label whose value names a child's primary, for every --child
    /// kind; repeatable.
    #[arg(long = "label-key", value_name = "KEY")]
    label_keys: Vec<String>,
    /// A kind held as metadata only besides Secrets; repeatable.
    #[arg(long = "metadata-only", value_name = "G/V/K")]
    metadata_only: Vec<KindSpec>,
    /// A kind held and answered whole although metadata-only by default (v1/Secret);
    /// repeatable.
    #[arg(long = "full-objects", value_name = "G/V/K")]
    full_objects: Vec<KindSpec>,
    /// Also cache every namespaced kind that supports list and watch.
    #[arg(long)]
    discover_children: bool,
    /// Address to serve metrics on (`GET /metrics`, plain HTTP), e.g. 0.0.0.0:9090.
    #[arg(long)]
    metrics_bind: Option<SocketAddr>,
}

impl Flags {
    /// The configuration: the file's, with the flags laid over it.
    fn config(self) -> anyhow::Result<ServerConfig> {
        let file = match &self.config {
            Some(path) => {
                let yaml = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                let config: ServerConfig = serde_yaml::from_str(&yaml)
                    .with_context(|| format!("cannot parse {}", path.display()))?;
                Some(config)
            }
            None => None,
        };
        let missing = |flag: &str| anyhow::anyhow!("--{flag} is required (or set it in --config)");
        let mut config = match file {
            Some(config) => config,
            None => ServerConfig {
                bind: self.bind.ok_or_else(|| missing("bind"))?,
                tls_cert: self.tls_cert.clone().ok_or_else(|| missing("tls-cert"))?,
                tls_key: self.tls_key.clone().ok_or_else(|| missing("tls-key"))?,
                primaries: Vec::new(),
                children: Vec::new(),
                mappings: Vec::new(),
                label_keys: Vec::new(),
                metadata_only: Vec::new(),
                full_objects: Vec::new(),
                discover_children: false,
                metrics_bind: None,
                serving: Default::default(),
            },
        };
        if let Some(bind) = self.bind {
            config.bind = bind;
        }
        if let Some(cert) = self.tls_cert {
            config.tls_cert = cert;
        }
        if let Some(key) = self.tls_key {
            config.tls_key = key;
        }
        config.primaries.extend(self.primaries);
        config.children.extend(self.children);
        config.mappings.extend(self.mappings);
        config.label_keys.extend(self.label_keys);
        config.metadata_only.extend(self.metadata_only);
        config.full_objects.extend(self.full_objects);
        config.discover_children |= self.discover_children;
        if let Some(addr) = self.metrics_bind {
            config.metrics_bind = Some(addr);
        }
        Ok(config)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let config = Flags::parse().config()?;
    let client = kube::Client::try_default()
        .await
        .context("cannot build a Kubernetes client")?;
    let server = Server::start(client, config).await?;
    stopped().await;
    tracing::info!(
        "stopping: /readyz fails, requests are served for the shutdown delay, then drained"
    );
    server.shutdown().await;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGTERM or ctrl-c.
async fn stopped() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
