//! Registration of a `primary-all` server running on the control plane's own machine: the
//! aggregator reaches it through a Service of type `ExternalName` pointing at `localhost`, one
//! `APIService` per served group, and trusts its serving certificate through their `caBundle`. A server inside a
//! cluster is registered by the manifests in `deploy/` instead.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{Namespace, Service, ServicePort, ServiceSpec};
use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::{
    APIService, APIServiceSpec, ServiceReference,
};
use kube::api::{DeleteParams, ListParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube::{Api, Client};
use kube_secondary::primary_all::VERSION;

/// The namespace of the Service the `APIService`s name.
pub const NAMESPACE: &str = "kube-secondary";
/// The Service's name; `<SERVICE>.<NAMESPACE>.svc` is the name the aggregator expects in the
/// serving certificate.
pub const SERVICE: &str = "kube-secondary-apiserver";

const FIELD_MANAGER: &str = "kube-secondary-apiserver";
/// How long the aggregator may take to find the server available.
const AVAILABLE_WITHIN: Duration = Duration::from_secs(60);

/// The name of the `APIService` of `group`: `v1.<group>` (`v1.primary-all.demo.example.com`).
pub fn api_service_name(group: &str) -> String {
    format!("{VERSION}.{group}")
}

/// Routes `/apis/<group>/v1` of each of `groups` (as
/// [`served_groups`](kube_secondary::primary_all::served_groups) lists them) to the server
/// listening on `localhost:port`, whose serving certificate chains to `ca_bundle` (PEM) and
/// names `kube-secondary-apiserver.kube-secondary.svc`; returns once the aggregator reports
/// every `APIService` `Available`.
///
/// Idempotent: an `APIService` that already routes there and is available is left alone; one
/// routing elsewhere is replaced, so the `Available` condition waited for is the new route's.
/// An `APIService` routing to the Service for a group not in `groups` is removed.
pub async fn register(
    client: &Client,
    port: u16,
    ca_bundle: &[u8],
    groups: &BTreeSet<String>,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        !ca_bundle.is_empty(),
        "an empty caBundle: pass the PEM of the CA that signed the server's certificate"
    );
    anyhow::ensure!(!groups.is_empty(), "no API group to register");
    let apply = PatchParams::apply(FIELD_MANAGER).force();
    Api::<Namespace>::all(client.clone())
        .patch(NAMESPACE, &apply, &Patch::Apply(namespace()))
        .await?;
    Api::<Service>::namespaced(client.clone(), NAMESPACE)
        .patch(SERVICE, &apply, &Patch::Apply(service(port)))
        .await?;

    let api_services = Api::<APIService>::all(client.clone());
    let wanted: BTreeSet<String> = groups.iter().map(|group| api_service_name(group)).collect();
    for stale in ours(&api_services).await? {
        if !wanted.contains(&stale) {
            delete(&api_services, &stale).await?;
        }
    }
    for group in groups {
        let name = api_service_name(group);
        let desired = api_service(group, port, ca_bundle);
        if let Some(existing) = api_services.get_opt(&name).await? {
            if existing.spec == desired.spec && available(&existing).is_ok() {
                continue;
            }
            delete(&api_services, &name).await?;
        }
        api_services
            .create(&PostParams::default(), &desired)
            .await?;
    }
    for name in &wanted {
        wait_available(&api_services, name, port).await?;
    }
    Ok(())
}

/// Removes every `APIService` that routes to the Service, and the Service (not the namespace,
/// which `deploy/` shares), so that discovery, garbage collection and namespace deletion no
/// longer wait on the server. Nothing registered is not an error.
pub async fn unregister(client: &Client) -> anyhow::Result<()> {
    let api_services = Api::<APIService>::all(client.clone());
    for name in ours(&api_services).await? {
        delete(&api_services, &name).await?;
    }
    let services = Api::<Service>::namespaced(client.clone(), NAMESPACE);
    match services.delete(SERVICE, &DeleteParams::default()).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        Err(error) => Err(error.into()),
    }
}

/// The names of the `APIService`s that route to the Service.
async fn ours(api_services: &Api<APIService>) -> anyhow::Result<Vec<String>> {
    let list = api_services.list(&ListParams::default()).await?;
    let routes_here = |api_service: &APIService| {
        let service = api_service.spec.as_ref()?.service.as_ref()?;
        let here = service.namespace.as_deref() == Some(NAMESPACE)
            && service.name.as_deref() == Some(SERVICE);
        here.then(|| api_service.metadata.name.clone())?
    };
    Ok(list.items.iter().filter_map(routes_here).collect())
}

fn namespace() -> Namespace {
    Namespace {
        metadata: ObjectMeta {
            name: Some(NAMESPACE.into()),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    }
}

fn service(port: u16) -> Service {
    Service {
        metadata: ObjectMeta {
            name: Some(SERVICE.into()),
            namespace: Some(NAMESPACE.into()),
            ..ObjectMeta::default()
        },
        spec: Some(ServiceSpec {
            type_: Some("ExternalName".into()),
            external_name: Some("localhost".into()),
            ports: Some(vec![ServicePort {
                name: Some("https".into()),
                port: port.into(),
                protocol: Some("TCP".into()),
                ..ServicePort::default()
            }]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

fn api_service(group: &str, port: u16, ca_bundle: &[u8]) -> APIService {
    APIService {
        metadata: ObjectMeta {
            name: Some(api_service_name(group)),
            ..ObjectMeta::default()
        },
        spec: Some(APIServiceSpec {
            group: Some(group.into()),
            version: Some(VERSION.into()),
            ca_bundle: Some(ByteString(ca_bundle.to_vec())),
            insecure_skip_tls_verify: None,
            service: Some(ServiceReference {
                namespace: Some(NAMESPACE.into()),
                name: Some(SERVICE.into()),
                port: Some(port.into()),
            }),
            // Ranked in discovery like a CRD's group, below the built-in groups.
            group_priority_minimum: 1000,
            version_priority: 15,
        }),
        status: None,
    }
}

/// Deletes the `APIService` `name`, if there is one, and waits until it is gone.
async fn delete(api_services: &Api<APIService>, name: &str) -> anyhow::Result<()> {
    match api_services.delete(name, &DeleteParams::default()).await {
        Ok(_) => {}
        Err(kube::Error::Api(status)) if status.code == 404 => return Ok(()),
        Err(error) => return Err(error.into()),
    }
    let deadline = Instant::now() + AVAILABLE_WITHIN;
    while api_services.get_opt(name).await?.is_some() {
        anyhow::ensure!(
            Instant::now() < deadline,
            "the APIService {name} was not gone {AVAILABLE_WITHIN:?} after its deletion"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// `Ok` if the `Available` condition is `True`, else the aggregator's reason for it.
fn available(api_service: &APIService) -> Result<(), String> {
    let mut conditions = api_service
        .status
        .iter()
        .flat_map(|s| s.conditions.iter().flatten());
    match conditions.find(|c| c.type_ == "Available") {
        Some(condition) if condition.status == "True" => Ok(()),
        Some(condition) => Err(format!(
            "{}: {}",
            condition.reason.as_deref().unwrap_or("NotAvailable"),
            condition.message.as_deref().unwrap_or_default()
        )),
        None => Err("no Available condition yet".into()),
    }
}

async fn wait_available(
    api_services: &Api<APIService>,
    name: &str,
    port: u16,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + AVAILABLE_WITHIN;
    loop {
        let why = match api_services.get_opt(name).await? {
            Some(api_service) => match available(&api_service) {
                Ok(()) => return Ok(()),
                Err(why) => why,
            },
            None => "deleted while waiting for it".into(),
        };
        anyhow::ensure!(
            Instant::now() < deadline,
            "the APIService {name} was not Available within {AVAILABLE_WITHIN:?} \
             (the aggregator dials https://localhost:{port}): {why}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
