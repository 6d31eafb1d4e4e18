//! The control plane itself: garbage collection, watches and namespace deletion behave as the
//! library relies on.

use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{DeleteParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, CustomResource, Resource};
use kube_secondary_examples::support::install_crd;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::support::{TestNamespace, client, wait_for};

/// A custom resource that owns ConfigMaps in the garbage-collection test.
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

fn config_map(name: &str, data: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..ObjectMeta::default()
        },
        data: Some([("value".to_string(), data.to_string())].into()),
        ..ConfigMap::default()
    }
}

#[tokio::test]
async fn garbage_collector_deletes_children_of_a_deleted_custom_resource() {
    let client = client().await;
    install_crd::<GcOwner>(&client)
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

    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    let mut child = config_map("child", "owned");
    child.metadata.owner_references = Some(vec![
        owner.controller_owner_ref(&()).expect("owner has a uid"),
    ]);
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
    // The initial (empty) list ends with InitDone; only then make changes.
    loop {
        let event = tokio::time::timeout(Duration::from_secs(30), events.next())
            .await
            .expect("watch event")
            .expect("stream")
            .expect("event");
        if matches!(event, watcher::Event::InitDone) {
            break;
        }
    }
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
        let event = tokio::time::timeout(Duration::from_secs(30), events.next())
            .await
            .expect("watch event")
            .expect("stream")
            .expect("event");
        match event {
            watcher::Event::Apply(cm) => {
                seen.push(format!("apply {}", cm.data.unwrap_or_default()["value"]))
            }
            watcher::Event::Delete(cm) => {
                seen.push(format!("delete {}", cm.data.unwrap_or_default()["value"]))
            }
            _ => {}
        }
    }
    assert_eq!(seen, vec!["apply 1", "apply 2", "delete 2"]);
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
