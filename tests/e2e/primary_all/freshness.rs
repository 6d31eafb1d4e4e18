//! Answers come from watch caches: a change to a child shows in the next answers.

use k8s_openapi::api::core::v1::ConfigMap;
use kube::Api;
use kube::api::{DeleteParams, Patch, PatchParams};
use kube_secondary_examples::database::Database;

use super::fixtures::{config_map, create, database, secret};
use super::requests::{database_path, get, names_by_kind};
use super::shared::{INSTANCE_LABEL, Registered};
use crate::support::{setup, wait_for};

#[tokio::test]
async fn a_child_created_deleted_or_unlabelled_shows_in_the_next_answers() {
    let (client, ns) = setup::<Database>("pa-fresh").await;
    let registered = Registered::acquire().await;
    let db = create(&client, ns.name(), database("db")).await;
    create(&client, ns.name(), config_map("db-config", Some(&db), &[])).await;
    let labelled = config_map("db-settings", None, &[(INSTANCE_LABEL, "db")]);
    create(&client, ns.name(), labelled).await;
    let path = database_path(ns.name(), "db", 1);
    let kinds = || async {
        let reply = get(&client, &path).await;
        if reply.status != 200 {
            return Default::default();
        }
        names_by_kind(&reply.primary_all())
    };
    let config_maps = || async { kinds().await.remove("ConfigMap").unwrap_or_default() };
    wait_for("both ConfigMaps", || async {
        config_maps().await == ["db-config", "db-settings"]
    })
    .await;

    create(&client, ns.name(), secret("db-credentials", &db)).await;
    wait_for("the new Secret", || async {
        kinds()
            .await
            .get("Secret")
            .is_some_and(|names| names == &["db-credentials"])
    })
    .await;

    let configs = Api::<ConfigMap>::namespaced(client.clone(), ns.name());
    configs
        .delete("db-config", &DeleteParams::default())
        .await
        .expect("delete the owned ConfigMap");
    wait_for("the deleted ConfigMap to go", || async {
        config_maps().await == ["db-settings"]
    })
    .await;

    // The label was all that made it the Database's.
    let unlabel = serde_json::json!({ "metadata": { "labels": { INSTANCE_LABEL: null } } });
    configs
        .patch(
            "db-settings",
            &PatchParams::default(),
            &Patch::Merge(&unlabel),
        )
        .await
        .expect("remove the label");
    wait_for("the unlabelled ConfigMap to go", || async {
        config_maps().await.is_empty()
    })
    .await;
    assert_eq!(kinds().await.len(), 1, "the Secret stays");
    registered.release().await;
    ns.delete().await;
}
