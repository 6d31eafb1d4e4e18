//! The ways of reading "one Database and all its children" that are timed against each other.
//! Each returns the children it found, by kind and name, so that a wrong answer is not timed as
//! a fast one.

use std::path::Path;

use http::{HeaderName, HeaderValue};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service};
use kube::api::{DynamicObject, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::discovery::{Discovery, Scope, verbs};
use kube::{Api, Client, Config, Resource, ResourceExt};
use kube_secondary::primary_all::{PrimaryAll, path};
use kube_secondary_examples::database::Database;
use kube_secondary_examples::database::desired::INSTANCE_LABEL;
use serde::{Deserialize, Serialize};

use super::fixture::ChildRef;

/// A way of reading a primary with its children.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// (1) `GET /apis/primary-all.<group>/v1/...` on the kube-apiserver, which proxies it.
    Aggregator,
    /// (2) The same GET straight to the extension server, as the aggregator sends it.
    Direct,
    /// (a) GET the Database, then one label-selected LIST per child kind, one after another.
    GetListsSequential,
    /// (a) The same requests, all at once.
    GetListsConcurrent,
    /// (b) The thesis prototype: a new client, discovery, a LIST of every namespaced kind.
    Thesis,
}

impl Method {
    /// Every method, in report order.
    pub const ALL: [Method; 5] = [
        Method::Aggregator,
        Method::Direct,
        Method::GetListsSequential,
        Method::GetListsConcurrent,
        Method::Thesis,
    ];

    /// The row label in the report.
    pub fn label(self) -> &'static str {
        match self {
            Method::Aggregator => "(1) primary-all through the kube-apiserver",
            Method::Direct => "(2) primary-all straight to the extension server",
            Method::GetListsSequential => "(a) GET + 4 label-selected LISTs, sequential",
            Method::GetListsConcurrent => "(a) GET + 4 label-selected LISTs, concurrent",
            Method::Thesis => "(b) thesis: new client + discovery + LIST of every namespaced kind",
        }
    }
}

/// The clients the methods use; (b) makes its own each time.
pub struct Clients {
    /// The admin kubeconfig's client, for (1) and (a).
    pub admin: Client,
    /// HTTPS to 127.0.0.1:port with the front-proxy client certificate and the headers that
    /// say the caller is `admin` in `system:masters`.
    pub direct: Client,
}

/// The client for requests straight to the server on `port`: it trusts the cluster CA (which
/// signed the extension's serving certificate), presents the front-proxy client certificate, and
/// names the user as the aggregator would.
pub async fn direct_client(pki: &Path, port: u16) -> anyhow::Result<Client> {
    let file = |name: &str| pki.join(name).display().to_string();
    let yaml = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{ "name": "direct", "cluster": {
            "server": format!("https://127.0.0.1:{port}"),
            "certificate-authority": file("ca.crt"),
        }}],
        "users": [{ "name": "front-proxy", "user": {
            "client-certificate": file("front-proxy-client.crt"),
            "client-key": file("front-proxy-client.key"),
        }}],
        "contexts": [{ "name": "direct", "context": { "cluster": "direct", "user": "front-proxy" } }],
        "current-context": "direct",
    });
    let kubeconfig = Kubeconfig::from_yaml(&serde_json::to_string(&yaml)?)?;
    let mut config =
        Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default()).await?;
    config.headers = vec![
        (
            HeaderName::from_static("x-remote-user"),
            HeaderValue::from_static("admin"),
        ),
        (
            HeaderName::from_static("x-remote-group"),
            HeaderValue::from_static("system:masters"),
        ),
    ];
    Ok(Client::try_from(config)?)
}

/// Reads `name` in `namespace` by `method`; returns the children found, sorted.
pub async fn read(
    method: Method,
    clients: &Clients,
    namespace: &str,
    name: &str,
) -> anyhow::Result<Vec<ChildRef>> {
    let mut children = match method {
        Method::Aggregator => primary_all(&clients.admin, namespace, name).await?,
        Method::Direct => primary_all(&clients.direct, namespace, name).await?,
        Method::GetListsSequential => get_lists(&clients.admin, namespace, name, false).await?,
        Method::GetListsConcurrent => get_lists(&clients.admin, namespace, name, true).await?,
        Method::Thesis => thesis(namespace, name).await?,
    };
    children.sort();
    Ok(children)
}

/// One GET of the primary-all path, deserialised.
pub async fn primary_all(
    client: &Client,
    namespace: &str,
    name: &str,
) -> anyhow::Result<Vec<ChildRef>> {
    let path = path(
        &Database::group(&()),
        &Database::plural(&()),
        Some(namespace),
        name,
    );
    let response: PrimaryAll = client
        .request(http::Request::get(path).body(Vec::new())?)
        .await?;
    let mut children = Vec::new();
    for kind in response.secondaries {
        if let Some(error) = kind.error {
            anyhow::bail!("{} not served: {error}", kind.kind);
        }
        for item in kind.items {
            let name = item.pointer("/metadata/name").and_then(|n| n.as_str());
            children.push((kind.kind.clone(), name.unwrap_or_default().to_string()));
        }
    }
    Ok(children)
}

fn refs<K: Resource<DynamicType = ()>>(items: Vec<K>) -> impl Iterator<Item = ChildRef> {
    items
        .into_iter()
        .map(|item| (K::kind(&()).to_string(), item.name_any()))
}

/// GET the Database, then LIST each child kind by the instance label.
async fn get_lists(
    client: &Client,
    namespace: &str,
    name: &str,
    concurrent: bool,
) -> anyhow::Result<Vec<ChildRef>> {
    let selected = ListParams::default().labels(&format!("{INSTANCE_LABEL}={name}"));
    let databases = Api::<Database>::namespaced(client.clone(), namespace);
    let deployments = Api::<Deployment>::namespaced(client.clone(), namespace);
    let services = Api::<Service>::namespaced(client.clone(), namespace);
    let secrets = Api::<Secret>::namespaced(client.clone(), namespace);
    let configs = Api::<ConfigMap>::namespaced(client.clone(), namespace);
    let (_db, deployments, services, secrets, configs) = if concurrent {
        tokio::try_join!(
            databases.get(name),
            deployments.list(&selected),
            services.list(&selected),
            secrets.list(&selected),
            configs.list(&selected),
        )?
    } else {
        (
            databases.get(name).await?,
            deployments.list(&selected).await?,
            services.list(&selected).await?,
            secrets.list(&selected).await?,
            configs.list(&selected).await?,
        )
    };
    Ok(refs(deployments.items)
        .chain(refs(services.items))
        .chain(refs(secrets.items))
        .chain(refs(configs.items))
        .collect())
}

/// The thesis prototype's request: a client built from the kubeconfig, API discovery, then a
/// LIST of every namespaced kind that supports list, one after another, filtered to the
/// primary's children by controller ownerReference or the instance label.
async fn thesis(namespace: &str, name: &str) -> anyhow::Result<Vec<ChildRef>> {
    let client = Client::try_default().await?;
    let discovery = Discovery::new(client.clone()).run().await?;
    let mut listed = Vec::new();
    for group in discovery.groups() {
        for (resource, caps) in group.recommended_resources() {
            if caps.scope != Scope::Namespaced || !caps.supports_operation(verbs::LIST) {
                continue;
            }
            let api = Api::<DynamicObject>::namespaced_with(client.clone(), namespace, &resource);
            let items = api.list(&ListParams::default()).await?.items;
            listed.extend(items.into_iter().map(|item| (resource.clone(), item)));
        }
    }
    let primary = listed
        .iter()
        .find(|(resource, item)| {
            resource.group == Database::group(&())
                && resource.kind == Database::kind(&())
                && item.name_any() == name
        })
        .ok_or_else(|| anyhow::anyhow!("Database {name} not found"))?;
    let uid = primary.1.uid();
    let children = listed.iter().filter(|(_, item)| {
        let owned = item
            .owner_references()
            .iter()
            .any(|owner| owner.controller == Some(true) && Some(&owner.uid) == uid.as_ref());
        let labelled = item.labels().get(INSTANCE_LABEL).map(String::as_str) == Some(name);
        owned || labelled
    });
    Ok(children
        .map(|(resource, item)| (resource.kind.clone(), item.name_any()))
        .collect())
}
