//! Whose children they are: a child another object controls is refused and left untouched, and
//! `apply_all` prunes only what the primary controls and no longer desires.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{ObjectMeta, Patch, PatchParams, PostParams};
use kube::{Api, CustomResource, Resource, ResourceExt};
use kube_secondary::{Action, Context, Error, Reconciler, SecondaryAware, Trigger};
use kube_secondary_examples::database::{Database, DatabaseOperator};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::support::{Running, setup, wait_for};

use crate::children::{database, own_echoes};

#[tokio::test]
async fn a_child_another_object_controls_is_refused_on_the_primarys_condition_and_left_untouched() {
    let (client, ns) = setup::<Database>("take-over").await;
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    let owner = configs
        .create(&PostParams::default(), &config_map("someone-else", None))
        .await
        .expect("create the other owner");
    let owned = config_map("db-config", owner.controller_owner_ref(&()));
    let taken = configs
        .create(&PostParams::default(), &owned)
        .await
        .expect("create the ConfigMap another object controls");
    let databases: Api<Database> = Api::namespaced(client.clone(), ns.name());
    let operator = Running::start::<Database, _>(&client, ns.name(), DatabaseOperator);
    databases
        .create(&PostParams::default(), &database("db"))
        .await
        .expect("create the Database");
    let failure = || async {
        let db = databases.get("db").await.expect("get");
        let failed = db
            .status
            .into_iter()
            .flat_map(|s| s.conditions)
            .find(|c| c.type_ == kube_secondary::condition::CONDITION && c.status == "True");
        failed.map(|c| c.message)
    };
    wait_for("the ReconcileFailed condition", || async {
        failure().await.is_some()
    })
    .await;
    let message = failure().await.expect("the condition stays");
    assert!(
        message.contains("ConfigMap") && message.contains("someone-else"),
        "the condition names the child and its controller: {message}"
    );
    let after = configs.get("db-config").await.expect("get");
    assert_eq!(
        after.resource_version(),
        taken.resource_version(),
        "untouched"
    );
    assert_eq!(after.owner_references(), taken.owner_references());
    operator.stop().await;
    ns.delete().await;
}

fn config_map(
    name: &str,
    owner: Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference>,
) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            owner_references: owner.map(|owner| vec![owner]),
            ..ObjectMeta::default()
        },
        data: Some(BTreeMap::from([(
            "owner".to_string(),
            "theirs".to_string(),
        )])),
        ..ConfigMap::default()
    }
}

/// A primary with one ConfigMap per book.
#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "e2e.kube-secondary.dev",
    version = "v1",
    kind = "Shelf",
    namespaced
)]
#[secondary(ConfigMap)]
pub struct ShelfSpec {
    books: Vec<String>,
}

struct Shelve;

impl Reconciler<Shelf> for Shelve {
    type Error = Error;

    async fn reconcile(
        &self,
        shelf: Arc<Shelf>,
        _: ShelfSecondaries,
        ctx: &Context<Shelf>,
    ) -> Result<Action, Error> {
        let books = shelf.spec.books.iter().map(|book| ConfigMap {
            metadata: ObjectMeta {
                name: Some(format!("{}-{book}", shelf.name_any())),
                ..ObjectMeta::default()
            },
            data: Some(BTreeMap::from([("title".to_string(), book.clone())])),
            ..ConfigMap::default()
        });
        ctx.apply_all(books).await?;
        Ok(Action::await_change())
    }
}

#[tokio::test]
async fn apply_all_prunes_the_children_no_longer_desired_and_nothing_else() {
    let (client, ns) = setup::<Shelf>("prune").await;
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), ns.name());
    let shelves: Api<Shelf> = Api::namespaced(client.clone(), ns.name());
    // Not the shelf's: one without an owner, one with the shelf as a non-controlling owner.
    configs
        .create(&PostParams::default(), &config_map("shelf-loose", None))
        .await
        .expect("create a loose ConfigMap");
    let operator = Running::start::<Shelf, _>(&client, ns.name(), Shelve);
    let books = |books: &[&str]| ShelfSpec {
        books: books.iter().map(|b| b.to_string()).collect(),
    };
    let shelf = shelves
        .create(
            &PostParams::default(),
            &Shelf::new("shelf", books(&["a", "b", "c"])),
        )
        .await
        .expect("create the Shelf");
    let mut referenced = config_map("shelf-referenced", shelf.controller_owner_ref(&()));
    for owner in referenced.metadata.owner_references.iter_mut().flatten() {
        owner.controller = Some(false);
    }
    configs
        .create(&PostParams::default(), &referenced)
        .await
        .expect("create a ConfigMap the shelf owns without controlling it");
    let names = || async {
        let mut names: Vec<String> = configs
            .list(&Default::default())
            .await
            .expect("list")
            .items
            .iter()
            .map(ResourceExt::name_any)
            .filter(|name| name.starts_with("shelf-"))
            .collect();
        names.sort();
        names
    };
    wait_for("three books", || async { names().await.len() == 5 }).await;
    let before = operator.settled().await;

    let shrink = serde_json::json!({ "spec": { "books": ["a"] } });
    shelves
        .patch("shelf", &PatchParams::default(), &Patch::Merge(&shrink))
        .await
        .expect("shrink the Shelf");
    wait_for("the pruned books to go", || async {
        names().await.len() == 3
    })
    .await;
    assert_eq!(
        names().await,
        ["shelf-a", "shelf-loose", "shelf-referenced"],
        "the books no longer desired are gone; what the shelf does not control stays"
    );
    let after = operator.settled().await;
    assert_eq!(
        after.wakeups(Trigger::Secondary),
        before.wakeups(Trigger::Secondary),
        "the prunes' own deletions woke nothing: {after:?}"
    );
    assert_eq!(
        own_echoes(&after, "ConfigMap") - own_echoes(&before, "ConfigMap"),
        2
    );
    operator.stop().await;
    ns.delete().await;
}
