//! `#[secondaries(status_summary)]`: the primary's status lists its secondaries, refreshed by the
//! runs that change them, and writing it wakes nothing.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{ConfigMap, Container, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::{DeleteParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube::{Api, CustomResource, Resource, ResourceExt};
use kube_secondary::summary::SecondarySummary;
use kube_secondary::{Action, Context, Reconciler, SecondaryAware, Trigger};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::support::{Running, setup, wait_for};

#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "e2e.kube-secondary.dev",
    version = "v1",
    kind = "Shelf",
    namespaced,
    status = "ShelfStatus"
)]
#[secondaries(status_summary)]
#[secondary(ConfigMap)]
// The Deployment controller's own writes (revision annotation, status) wake nothing, so the
// summary after creation can only come from the creating run's writes.
#[secondary(Deployment, predicate = generation)]
pub struct ShelfSpec {
    pub title: String,
}

/// The status holds the summary only; the CRD schema is generated from it, so the API server
/// keeps the list.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct ShelfStatus {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secondaries: Vec<SecondarySummary>,
}

/// Applies a ConfigMap and a Deployment (no replicas: there is no kubelet) on every run, and
/// remembers the resourceVersion each last write returned, by kind, and which of the objects it
/// was handed (the primary and the cached children) carried managedFields.
#[derive(Clone, Default)]
struct ShelfOperator {
    written: Arc<Mutex<BTreeMap<&'static str, String>>>,
    handed: Arc<Mutex<Vec<(String, bool)>>>,
}

const MANAGER: &str = "shelf-operator";

fn config_map(shelf: &Shelf) -> ConfigMap {
    ConfigMap {
        metadata: owned_meta(shelf, format!("{}-config", shelf.name_any())),
        data: Some(BTreeMap::from([(
            "title".to_string(),
            shelf.spec.title.clone(),
        )])),
        ..ConfigMap::default()
    }
}

fn deployment(shelf: &Shelf) -> Deployment {
    let labels = BTreeMap::from([("app".to_string(), shelf.name_any())]);
    Deployment {
        metadata: owned_meta(shelf, shelf.name_any()),
        spec: DeploymentSpec {
            replicas: Some(0),
            selector: LabelSelector {
                match_labels: Some(labels.clone()),
                ..LabelSelector::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![Container {
                        name: "shelf".into(),
                        image: Some("busybox".into()),
                        ..Container::default()
                    }],
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        },
        ..Deployment::default()
    }
}

fn owned_meta(shelf: &Shelf, name: String) -> ObjectMeta {
    ObjectMeta {
        name: Some(name),
        namespace: shelf.namespace(),
        owner_references: Some(vec![
            shelf
                .controller_owner_ref(&())
                .expect("a stored Shelf has a uid"),
        ]),
        ..ObjectMeta::default()
    }
}

impl ShelfOperator {
    fn remember<K: Resource<DynamicType = ()>>(&self, written: &K) {
        let kind = match K::kind(&()).as_ref() {
            "ConfigMap" => "ConfigMap",
            _ => "Deployment",
        };
        let version = written.meta().resource_version.clone().unwrap_or_default();
        self.written.lock().unwrap().insert(kind, version);
    }

    fn last_written(&self) -> BTreeMap<&'static str, String> {
        self.written.lock().unwrap().clone()
    }

    fn hand<K: Resource<DynamicType = ()>>(&self, object: &K) {
        let managed = !object.managed_fields().is_empty();
        self.handed
            .lock()
            .unwrap()
            .push((format!("{}/{}", K::kind(&()), object.name_any()), managed));
    }

    /// Every object handed to a run so far, with whether it carried managedFields.
    fn handed(&self) -> Vec<(String, bool)> {
        self.handed.lock().unwrap().clone()
    }
}

impl Reconciler<Shelf> for ShelfOperator {
    type Error = kube::Error;

    /// Also runs for child changes: `reconcile_secondaries` defaults to it.
    async fn reconcile(
        &self,
        shelf: Arc<Shelf>,
        children: ShelfSecondaries,
        ctx: &Context<Shelf>,
    ) -> kube::Result<Action> {
        self.hand(shelf.as_ref());
        for config in &children.config_maps {
            self.hand(config.as_ref());
        }
        for deployment in &children.deployments {
            self.hand(deployment.as_ref());
        }
        let namespace = shelf.namespace().expect("Shelf is namespaced");
        let apply = PatchParams::apply(MANAGER).force();
        let want = config_map(&shelf);
        let written = Api::<ConfigMap>::namespaced(ctx.client().clone(), &namespace)
            .patch(&want.name_any(), &apply, &Patch::Apply(&want))
            .await?;
        ctx.record_write(&written);
        self.remember(&written);
        let want = deployment(&shelf);
        let written = Api::<Deployment>::namespaced(ctx.client().clone(), &namespace)
            .patch(&want.name_any(), &apply, &Patch::Apply(&want))
            .await?;
        ctx.record_write(&written);
        self.remember(&written);
        Ok(Action::await_change())
    }
}

/// The summary in the stored status, as (kind, name, resourceVersion).
async fn listed(shelves: &Api<Shelf>) -> Vec<(String, String, String)> {
    shelves
        .get("books")
        .await
        .expect("get Shelf")
        .status
        .unwrap_or_default()
        .secondaries
        .into_iter()
        .map(|s| (s.kind, s.name, s.resource_version.unwrap_or_default()))
        .collect()
}

fn version<K: Resource>(object: &K) -> String {
    object.meta().resource_version.clone().unwrap_or_default()
}

#[tokio::test]
async fn status_lists_the_secondaries_and_follows_a_recreated_child_without_waking_the_primary() {
    let (client, ns) = setup::<Shelf>("summary").await;
    let reconciler = ShelfOperator::default();
    let operator = Running::start::<Shelf, _>(&client, ns.name(), reconciler.clone());
    let shelves: Api<Shelf> = Api::namespaced(client.clone(), ns.name());
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), ns.name());
    shelves
        .create(
            &PostParams::default(),
            &Shelf::new(
                "books",
                ShelfSpec {
                    title: "Rust".into(),
                },
            ),
        )
        .await
        .expect("create Shelf");

    // Right after creation: both children, at the versions the operator's writes returned,
    // although their own watch events were echoes that reached the cache later, if at all.
    wait_for("status.secondaries to list both children", || async {
        listed(&shelves).await.len() == 2
    })
    .await;
    let settled = operator.settled().await;
    let written = reconciler.last_written();
    let status = shelves.get("books").await.expect("get Shelf").status;
    let secondaries = status.expect("a status").secondaries;
    let summary: Vec<_> = secondaries
        .iter()
        .map(|s| (s.kind.as_str(), s.name.as_str(), s.resource_version.clone()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "ConfigMap",
                "books-config",
                Some(written["ConfigMap"].clone())
            ),
            ("Deployment", "books", Some(written["Deployment"].clone())),
        ],
        "sorted by kind, at the versions last written"
    );
    let config = configs.get("books-config").await.expect("get ConfigMap");
    assert_eq!(
        Some(version(&config)),
        summary[0].2,
        "the current ConfigMap"
    );
    assert_eq!(secondaries[0].ready, None, "a ConfigMap only exists");
    assert_eq!(
        secondaries[1].ready,
        Some(true),
        "a Deployment scaled to zero is ready"
    );
    assert_eq!(
        settled.wakeups(Trigger::Primary),
        1,
        "writing the summary into the status did not wake the primary: {settled:?}"
    );
    assert_eq!(settled.errors, 0);

    // At idle nothing is rewritten: the summary is patched only when it changed.
    let idle = version(&shelves.get("books").await.expect("get Shelf"));
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        version(&shelves.get("books").await.expect("get Shelf")),
        idle
    );
    // The Deployment controller may still update the Deployment's status (events the predicate
    // filters), so only the runs are compared.
    let now = operator.snapshot();
    assert_eq!(
        (now.wakeups, now.skipped),
        (settled.wakeups.clone(), settled.skipped),
        "nothing woke at idle"
    );

    // A deleted child is recreated by reconcile_secondaries, and the summary follows it.
    let old_uid = config.uid();
    configs
        .delete("books-config", &DeleteParams::default())
        .await
        .expect("delete ConfigMap");
    wait_for("the summary to list the recreated ConfigMap", || async {
        let Some(config) = configs
            .get_opt("books-config")
            .await
            .expect("get ConfigMap")
        else {
            return false;
        };
        config.uid() != old_uid
            && listed(&shelves).await.first().map(|(_, _, v)| v.clone()) == Some(version(&config))
    })
    .await;
    let after = operator.settled().await;
    assert!(
        after.wakeups(Trigger::Secondary) > settled.wakeups(Trigger::Secondary),
        "the deletion ran reconcile_secondaries: {after:?}"
    );
    assert_eq!(
        after.wakeups(Trigger::Primary),
        1,
        "still no full reconcile: the summary writes woke nothing: {after:?}"
    );
    assert_eq!(
        listed(&shelves)
            .await
            .into_iter()
            .map(|(kind, name, _)| (kind, name))
            .collect::<Vec<_>>(),
        vec![
            ("ConfigMap".to_string(), "books-config".to_string()),
            ("Deployment".to_string(), "books".to_string())
        ]
    );
    assert_eq!(after.errors, 0);

    // The caches drop managedFields (Controller::keep_managed_fields keeps them), although the
    // API server tracks them for every object here: each was written by server-side apply.
    let stored = deployments.get("books").await.expect("get Deployment");
    assert!(
        stored
            .managed_fields()
            .iter()
            .any(|f| f.manager.as_deref() == Some(MANAGER)),
        "the stored Deployment has managedFields: {:?}",
        stored.metadata
    );
    let handed = reconciler.handed();
    assert!(
        handed.iter().any(|(what, _)| what == "Deployment/books"),
        "the recreating run was handed the cached Deployment: {handed:?}"
    );
    assert!(
        handed.iter().all(|(_, managed)| !managed),
        "no handed object carried managedFields: {handed:?}"
    );
    operator.stop().await;
    ns.delete().await;
}
