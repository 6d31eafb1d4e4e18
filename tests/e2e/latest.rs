//! `get_latest_with_secondaries` for a primary kind no `primary-all` server serves: the client
//! falls back to a GET and one LIST per declared kind, and returns, typed, exactly the children
//! a LIST shows.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::{ListParams, ObjectMeta, PostParams};
use kube::core::TypeMeta;
use kube::{Api, Client, CustomResource, Resource, ResourceExt};
use kube_secondary::SecondaryAware;
use kube_secondary::client::{Source, counting_client, get_latest_with_secondaries};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::support::setup;

const BOOKCASE_LABEL: &str = "e2e.kube-secondary.dev/bookcase";

/// A primary with an owned kind, a metadata-only kind and a label-mapped, selector-narrowed kind.
#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "e2e.kube-secondary.dev",
    version = "v1",
    kind = "Bookcase",
    namespaced
)]
#[secondary(ConfigMap)]
#[secondary(Secret, metadata_only)]
#[secondary(Service, map = label("e2e.kube-secondary.dev/bookcase"), selector = "tier=books")]
pub struct BookcaseSpec {
    shelves: u32,
}

fn meta(name: &str, owner: Option<OwnerReference>, labels: &[(&str, &str)]) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        owner_references: owner.map(|owner| vec![owner]),
        labels: Some(
            labels
                .iter()
                .map(|(key, value)| (key.to_string(), value.to_string()))
                .collect(),
        ),
        ..ObjectMeta::default()
    }
}

async fn create<K>(api: &Api<K>, object: K)
where
    K: Resource + Clone + Serialize + DeserializeOwned + std::fmt::Debug,
{
    api.create(&PostParams::default(), &object)
        .await
        .unwrap_or_else(|e| panic!("create {}: {e}", object.name_any()));
}

/// Name and resourceVersion of each object, sorted by name.
fn versions<'a, K: Resource + 'a>(
    objects: impl IntoIterator<Item = &'a K>,
) -> Vec<(String, String)> {
    let mut versions: Vec<_> = objects
        .into_iter()
        .map(|object| {
            (
                object.name_any(),
                object.resource_version().unwrap_or_default(),
            )
        })
        .collect();
    versions.sort();
    versions
}

/// What a LIST shows of `K` in the namespace: the objects whose controller is `owner`.
async fn listed_children<K>(api: &Api<K>, owner: &Bookcase) -> Vec<(String, String)>
where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug,
{
    let listed = api.list(&ListParams::default()).await.expect("list");
    let owned = listed.items.iter().filter(|object| {
        object
            .owner_references()
            .iter()
            .any(|o| o.controller == Some(true) && Some(&o.uid) == owner.metadata.uid.as_ref())
    });
    versions(owned)
}

#[tokio::test]
async fn without_the_api_a_get_and_one_list_per_kind_give_the_typed_children() {
    let (client, ns) = setup::<Bookcase>("latest").await;
    let bookcases: Api<Bookcase> = Api::namespaced(client.clone(), ns.name());
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns.name());
    let services: Api<Service> = Api::namespaced(client.clone(), ns.name());
    let post = PostParams::default();
    let case = bookcases
        .create(&post, &Bookcase::new("case", BookcaseSpec { shelves: 3 }))
        .await
        .expect("create the Bookcase");
    let other = bookcases
        .create(&post, &Bookcase::new("other", BookcaseSpec { shelves: 1 }))
        .await
        .expect("create another Bookcase");
    let controlled_by = |owner: &Bookcase| owner.controller_owner_ref(&());
    let mut referenced = controlled_by(&case).expect("an owner reference");
    referenced.controller = Some(false);
    for (name, owner) in [
        ("case-a", controlled_by(&case)),
        ("case-b", controlled_by(&case)),
        ("other-a", controlled_by(&other)),
        ("loose", None),
        ("case-referenced", Some(referenced)),
    ] {
        let config = ConfigMap {
            metadata: meta(name, owner, &[]),
            ..ConfigMap::default()
        };
        create(&configs, config).await;
    }
    for (name, owner) in [
        ("case-password", controlled_by(&case)),
        ("other-password", controlled_by(&other)),
    ] {
        let secret = Secret {
            metadata: meta(name, owner, &[]),
            string_data: Some(BTreeMap::from([("password".into(), "hunter2".into())])),
            ..Secret::default()
        };
        create(&secrets, secret).await;
    }
    for (name, labels) in [
        (
            "case-books",
            &[(BOOKCASE_LABEL, "case"), ("tier", "books")][..],
        ),
        ("case-web", &[(BOOKCASE_LABEL, "case")][..]),
        (
            "other-books",
            &[(BOOKCASE_LABEL, "other"), ("tier", "books")][..],
        ),
    ] {
        let service = Service {
            metadata: meta(name, None, labels),
            spec: Some(ServiceSpec {
                ports: Some(vec![ServicePort {
                    port: 80,
                    ..ServicePort::default()
                }]),
                ..ServiceSpec::default()
            }),
            ..Service::default()
        };
        create(&services, service).await;
    }

    let (counted, requests) = counted().await;
    let latest = get_latest_with_secondaries::<Bookcase>(&counted, Some(ns.name()), "case")
        .await
        .expect("read the Bookcase with its secondaries");

    assert_eq!(
        latest.source,
        Source::Fallback,
        "no server serves Bookcases"
    );
    assert_eq!(
        requests.snapshot(),
        BTreeMap::from([("get", 2), ("list", 3)]),
        "the failed primary-all request, the GET of the Bookcase, one LIST per declared kind"
    );
    assert_eq!(latest.primary.metadata.uid, case.metadata.uid);
    let children = latest.secondaries().expect("every declared kind listed");
    let config_maps = versions(children.config_maps.iter().map(AsRef::as_ref));
    assert_eq!(config_maps, listed_children(&configs, &case).await);
    assert_eq!(names(&config_maps), ["case-a", "case-b"]);
    let secret_versions = versions(children.secrets.iter().map(AsRef::as_ref));
    assert_eq!(secret_versions, listed_children(&secrets, &case).await);
    assert_eq!(names(&secret_versions), ["case-password"]);
    assert_eq!(
        children.secrets[0].types,
        Some(TypeMeta::resource::<Secret>()),
        "metadata only"
    );
    let selected = services
        .list(&ListParams::default().labels(&format!("{BOOKCASE_LABEL}=case,tier=books")))
        .await
        .expect("list the Services");
    let service_versions = versions(children.services.iter().map(AsRef::as_ref));
    assert_eq!(service_versions, versions(&selected.items));
    assert_eq!(names(&service_versions), ["case-books"]);
    ns.delete().await;
}

async fn counted() -> (
    Client,
    std::sync::Arc<kube_secondary::client::RequestCounts>,
) {
    let config = kube::Config::infer().await.expect("a kubeconfig");
    counting_client(config).expect("a counting client")
}

fn names(versions: &[(String, String)]) -> Vec<&str> {
    versions.iter().map(|(name, _)| name.as_str()).collect()
}
