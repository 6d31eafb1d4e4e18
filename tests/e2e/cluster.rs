//! The control plane itself: garbage collection, watches and namespace deletion behave as the
//! library relies on.

use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::{DeleteParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, CustomResource, ResourceExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use kube_secondary::crd::install_crd;

use crate::support::{TestNamespace, client, wait_for};

/// A custom resource that owns a ConfigMap in the garbage-collection test.
#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "e2e.kube-secondary.dev",
    version = "v1",
    kind = "GcOwner",
    namespaced
)]
pub struct GcOwnerSpec {
    note: String,
}

fn config_map(name: &str, value: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..ObjectMeta::default()
        },
        data: Some([("value".to_string(), value.to_string())].into()),
        ..ConfigMap::default()
    }
}

/// The next event of a watch, skipping nothing; panics if none comes within 30 s.
async fn next_event(
    events: &mut (impl futures::Stream<Item = watcher::Result<watcher::Event<ConfigMap>>> + Unpin),
) -> watcher::Event<ConfigMap> {
    tokio::time::timeout(Duration::from_secs(30), events.next())
        .await
        .expect("a watch event within 30 s")
        .expect("the watch stream goes on")
        .expect("a watch event, not an error")
}

#[tokio::test]
async fn garbage_collector_deletes_children_of_a_deleted_custom_resource() {
    let client = client().await;
    install_crd::<GcOwner>(&client, "kube-secondary-tests")
        .await
        .expect("install the CRD");
    let ns = TestNamespace::new(&client, "gc").await;

    let owners: Api<GcOwner> = Api::namespaced(client.clone(), ns.name());
    let owner = owners
        .create(
            &PostParams::default(),
            &GcOwner::new("owner", GcOwnerSpec { note: "gc".into() }),
        )
        .await
        .expect("create the custom resource");

    // The child names its owner as controller; blockOwnerDeletion makes a foreground delete of
    // the owner wait for it.
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    let mut child = config_map("child", "owned");
    child.metadata.owner_references = Some(vec![OwnerReference {
        api_version: "e2e.kube-secondary.dev/v1".into(),
        kind: "GcOwner".into(),
        name: owner.name_any(),
        uid: owner.uid().expect("the server gave the owner a uid"),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }]);
    configs
        .create(&PostParams::default(), &child)
        .await
        .expect("create the owned ConfigMap");

    owners
        .delete("owner", &DeleteParams::background())
        .await
        .expect("delete the custom resource");
    wait_for(
        "the garbage collector to delete the owned ConfigMap",
        || async { configs.get_opt("child").await.expect("get").is_none() },
    )
    .await;
    ns.delete().await;
}

#[tokio::test]
async fn watcher_sees_create_update_delete_in_order() {
    let client = client().await;
    let ns = TestNamespace::new(&client, "watch").await;
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    let mut events = watcher(configs.clone(), watcher::Config::default())
        .default_backoff()
        .boxed();

    // The watcher starts with a list of what exists; make changes only once it is done.
    while !matches!(next_event(&mut events).await, watcher::Event::InitDone) {}

    configs
        .create(&PostParams::default(), &config_map("watched", "1"))
        .await
        .expect("create");
    let patch = serde_json::json!({ "data": { "value": "2" } });
    configs
        .patch("watched", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .expect("update");
    configs
        .delete("watched", &DeleteParams::default())
        .await
        .expect("delete");

    let mut seen = Vec::new();
    while seen.len() < 3 {
        match next_event(&mut events).await {
            watcher::Event::Apply(cm) => seen.push(format!("apply {}", cm.data.unwrap()["value"])),
            watcher::Event::Delete(cm) => {
                seen.push(format!("delete {}", cm.data.unwrap()["value"]))
            }
            _ => {}
        }
    }
    assert_eq!(seen, ["apply 1", "apply 2", "delete 2"]);
    ns.delete().await;
}

#[tokio::test]
async fn deleting_a_namespace_removes_its_contents() {
    let client = client().await;
    let ns = TestNamespace::new(&client, "nsdel").await;
    let name = ns.name().to_string();
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), &name);
    configs
        .create(&PostParams::default(), &config_map("doomed", "x"))
        .await
        .expect("create");

    ns.delete().await;
    // The namespace controller empties the namespace, then the namespace itself goes.
    let namespaces: Api<Namespace> = Api::all(client.clone());
    wait_for("the namespace and its ConfigMap to be gone", || async {
        namespaces
            .get_opt(&name)
            .await
            .expect("get namespace")
            .is_none()
    })
    .await;
    assert!(configs.get_opt("doomed").await.expect("get").is_none());
}
