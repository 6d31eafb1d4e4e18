//! The aggregated `primary-all` API server: one primary and all its children in one GET,
//! answered from watch caches and authorised as the caller.
//!
//! It sits behind the kube-apiserver's aggregation layer (an `APIService` per served group)
//! and serves each configured primary kind of API group `G` as its plural in the group
//! [`served_group`](kube_secondary::primary_all::served_group)`(G)`, `primary-all.G`
//! (`primary-all` for the core group):
//!
//! - `GET /apis/primary-all.G/v1/namespaces/{namespace}/{plural}/{name}` (and
//!   `/apis/primary-all.G/v1/{plural}/{name}` for a cluster-scoped primary); `?depth=2` adds the
//!   children's children (up to 5). The answer is a
//!   [`PrimaryAll`](kube_secondary::primary_all::PrimaryAll) of the primary's kind, or its
//!   Table or PartialObjectMetadata as `Accept` asks (`accept.rs`, `answer.rs`, `table.rs`).
//! - The first version's routes as aliases, in that version's shape:
//!   `/apis/primary-all/v1/namespaces/{namespace}/{plural}.{group}/{name}` and the research
//!   prototype's `/apis/primary-all/v1/{group}/{version}/{kind}/{namespace}/{name}`.
//! - Discovery (`/apis`, `/apis/<group>`, `/apis/<group>/v1`) and OpenAPI v3 (`/openapi/v3`,
//!   `openapi.rs`) for any authenticated caller; `/healthz`, `/livez`, `/readyz` for anyone.
//! - [`register`] routes the aggregation layer of a control plane on the same machine to it.
//!
//! The flow is the layout: `config.rs` (`kind_spec.rs`, `mapping.rs`, `serving.rs`) ->
//! `kinds.rs` (discovery at start-up) -> `cache.rs` (a kube-runtime watcher and reflector per
//! kind, metadata only where `holding.rs` says, its freshness in `freshness.rs`) with
//! `index.rs` -> `serve.rs` (the accept loop and connection cap) -> `connection.rs` (TLS,
//! timeouts and limits, `activity.rs` for idle connections; `serving_cert.rs` reloads the
//! certificate) -> `routes.rs` -> `authn.rs` (`requestheader.rs`, kept current by
//! `trust_watch.rs`) -> `primary.rs` (`accept.rs`, `target.rs`, `authz.rs`, `tree.rs`, then
//! `answer.rs` and `table.rs`) -> `status.rs` for errors; `discovery.rs` and `openapi.rs`
//! beside them.
//!
//! ```no_run
//! use kube_secondary_apiserver::{KindSpec, Server, ServerConfig, Serving};
//!
//! # async fn run() -> anyhow::Result<()> {
//! let config = ServerConfig {
//!     bind: "127.0.0.1:0".parse()?,
//!     tls_cert: "extension.crt".into(),
//!     tls_key: "extension.key".into(),
//!     primaries: vec![KindSpec::parse("demo.kube-secondary.dev/v1/Database")?],
//!     children: vec![KindSpec::parse("v1/ConfigMap")?, KindSpec::parse("apps/v1/StatefulSet")?],
//!     mappings: vec![
//!         "demo.kube-secondary.dev/v1/Database:v1/ConfigMap:label(app.kubernetes.io/instance)"
//!             .parse()?,
//!     ],
//!     label_keys: vec![],
//!     metadata_only: vec![],
//!     full_objects: vec![],
//!     discover_children: false,
//!     metrics_bind: None,
//!     serving: Serving::default(),
//! };
//! let server = Server::start(kube::Client::try_default().await?, config).await?;
//! println!("listening on {}", server.local_addr());
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod accept;
mod activity;
mod answer;
mod authn;
mod authz;
mod cache;
mod config;
mod connection;
mod discovery;
mod error;
mod freshness;
mod holding;
mod index;
mod kind_spec;
mod kinds;
mod limits;
mod mapping;
mod metrics;
mod openapi;
mod primary;
pub mod register;
mod requestheader;
mod routes;
mod serve;
mod server;
mod serving;
mod serving_cert;
mod state;
mod status;
mod table;
mod target;
mod tls;
mod tree;
mod trust_watch;

pub use config::ServerConfig;
pub use error::Error;
pub use kind_spec::KindSpec;
pub use mapping::{MapKey, Mapping};
pub use server::Server;
pub use serving::Serving;
