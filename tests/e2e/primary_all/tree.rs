//! A Database's whole tree in one request: every child kind, grouped, to the requested depth.

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{APIGroupList, APIResource, APIResourceList};
use kube::ResourceExt;
use kube_secondary_examples::database::Database;

use super::fixtures::{config_map, controlled_by, create, database, deployment, secret, service};
use super::requests::{database_path, get, names, names_by_kind};
use super::shared::{INSTANCE_LABEL, Registered};
use crate::support::{client, setup, wait_for};

#[tokio::test]
async fn a_database_comes_with_its_children_grouped_by_kind_down_to_the_depth_asked() {
    let (client, ns) = setup::<Database>("pa-tree").await;
    let registered = Registered::acquire().await;
    let db = create(&client, ns.name(), database("db")).await;
    let deployment = create(&client, ns.name(), deployment("db", &db)).await;
    create(&client, ns.name(), service("db", &db)).await;
    create(&client, ns.name(), secret("db-credentials", &db)).await;
    create(&client, ns.name(), config_map("db-config", Some(&db), &[])).await;
    // Found by its label alone.
    let labelled = config_map("db-settings", None, &[(INSTANCE_LABEL, "db")]);
    create(&client, ns.name(), labelled).await;
    // Not the Database's: no owner and no label, and another instance's label.
    create(&client, ns.name(), config_map("loose", None, &[])).await;
    let other = config_map("other-settings", None, &[(INSTANCE_LABEL, "other")]);
    create(&client, ns.name(), other).await;
    let replica_set = controlled_by::<ReplicaSet, _>(&client, ns.name(), &deployment).await;
    let replica_sets = kube::Api::<ReplicaSet>::namespaced(client.clone(), ns.name());
    let replica_set_object = replica_sets.get(&replica_set).await.expect("get");
    let pod = controlled_by::<Pod, _>(&client, ns.name(), &replica_set_object).await;

    let depth_1 = names([
        ("ConfigMap", vec!["db-config", "db-settings"]),
        ("Deployment", vec!["db"]),
        ("Secret", vec!["db-credentials"]),
        ("Service", vec!["db"]),
    ]);
    let mut depth_2 = depth_1.clone();
    depth_2.insert("ReplicaSet".into(), vec![replica_set]);
    let mut depth_3 = depth_2.clone();
    depth_3.insert("Pod".into(), vec![pod]);
    wait_for("the server's caches to hold the whole tree", || async {
        let reply = get(&client, &database_path(ns.name(), "db", 3)).await;
        reply.status == 200 && names_by_kind(&reply.primary_all()) == depth_3
    })
    .await;

    let view = get(&client, &database_path(ns.name(), "db", 1))
        .await
        .primary_all();
    assert_eq!(
        (view.api_version.as_str(), view.kind.as_str()),
        ("primary-all.demo.kube-secondary.dev/v1", "Database")
    );
    assert_eq!(view.metadata.name.as_deref(), Some("db"));
    assert_eq!(view.metadata.uid, db.uid());
    assert_eq!(view.primary["kind"], "Database");
    assert_eq!(
        view.primary["metadata"]["uid"].as_str(),
        db.uid().as_deref()
    );
    assert_eq!(
        names_by_kind(&view),
        depth_1,
        "depth=1: the direct children"
    );
    let view = get(&client, &database_path(ns.name(), "db", 2))
        .await
        .primary_all();
    assert_eq!(
        names_by_kind(&view),
        depth_2,
        "depth=2: and the Deployment's ReplicaSet"
    );
    let view = get(&client, &database_path(ns.name(), "db", 3))
        .await
        .primary_all();
    assert_eq!(
        names_by_kind(&view),
        depth_3,
        "depth=3: and the ReplicaSet's Pod"
    );
    for group in view.secondaries.iter().filter(|g| !g.items.is_empty()) {
        assert!(group.error.is_none(), "{group:?}");
        assert!(
            group.resource_version.is_some(),
            "{} has its resourceVersion",
            group.kind
        );
        for item in &group.items {
            assert_eq!(item["kind"], group.kind.as_str());
            assert!(
                item["metadata"].get("managedFields").is_none(),
                "stripped: {item}"
            );
        }
    }

    // The first version's routes, `plural.group` in primary-all and the research prototype's
    // group/version/kind/namespace/name, answer the same in that version's shape.
    let aliases = [
        format!(
            "/apis/primary-all/v1/namespaces/{}/databases.demo.kube-secondary.dev/db?depth=2",
            ns.name()
        ),
        format!(
            "/apis/primary-all/v1/demo.kube-secondary.dev/v1/Database/{}/db?depth=2",
            ns.name()
        ),
    ];
    for alias in aliases {
        let reply = get(&client, &alias).await;
        let body: serde_json::Value = reply.json();
        assert_eq!(
            (&body["apiVersion"], &body["kind"]),
            (&"primary-all/v1".into(), &"PrimaryAll".into()),
            "{alias}"
        );
        assert_eq!(body["prim_res"]["kind"], "Database", "{alias}");
        assert_eq!(names_by_kind(&reply.primary_all()), depth_2, "{alias}");
    }
    registered.release().await;
    ns.delete().await;
}

#[tokio::test]
async fn discovery_lists_one_resource_per_primary_kind_with_the_single_verb_get() {
    let client = client().await;
    let registered = Registered::acquire().await;
    let groups: APIGroupList = get(&client, "/apis").await.json();
    let preferred = |name: &str| {
        let group = groups.groups.iter().find(|g| g.name == name);
        let preferred = group.and_then(|g| g.preferred_version.as_ref());
        preferred.map(|v| v.group_version.clone())
    };
    assert_eq!(preferred("primary-all"), Some("primary-all/v1".into()));
    let group = "primary-all.demo.kube-secondary.dev";
    assert_eq!(preferred(group), Some(format!("{group}/v1")));

    // (name, kind, namespaced, verbs) of each resource of a group.
    let resources = |list: &APIResourceList| -> Vec<(String, String, bool, Vec<String>)> {
        let resources = list.resources.iter();
        let resource = |r: &APIResource| {
            (
                r.name.clone(),
                r.kind.clone(),
                r.namespaced,
                r.verbs.clone(),
            )
        };
        resources.map(resource).collect()
    };
    let get_only = vec!["get".to_string()];
    let list: APIResourceList = get(&client, &format!("/apis/{group}/v1")).await.json();
    assert_eq!(list.group_version, format!("{group}/v1"));
    assert_eq!(
        resources(&list),
        [(
            "databases".into(),
            "Database".into(),
            true,
            get_only.clone()
        )],
        "only get, so namespace deletion never waits on it"
    );
    let list: APIResourceList = get(&client, "/apis/primary-all/v1").await.json();
    assert_eq!(
        resources(&list),
        [(
            "databases.demo.kube-secondary.dev".into(),
            "PrimaryAll".into(),
            true,
            get_only
        )],
        "the first version's name, kept as an alias"
    );
    registered.release().await;
}

#[tokio::test]
async fn a_secret_is_answered_as_metadata_only() {
    let (client, ns) = setup::<Database>("pa-secret").await;
    let registered = Registered::acquire().await;
    let db = create(&client, ns.name(), database("db")).await;
    create(&client, ns.name(), secret("db-credentials", &db)).await;
    let path = database_path(ns.name(), "db", 1);
    let secrets = names([("Secret", vec!["db-credentials"])]);
    wait_for("the Secret", || async {
        let reply = get(&client, &path).await;
        reply.status == 200 && names_by_kind(&reply.primary_all()) == secrets
    })
    .await;
    // Even admin, who may read it, gets its metadata only: the server never held its data.
    let view = get(&client, &path).await.primary_all();
    let secret = &view.secondaries[0].items[0];
    assert_eq!(secret["kind"], "Secret");
    assert_eq!(secret["metadata"]["name"], "db-credentials");
    assert!(secret["metadata"]["uid"].is_string());
    assert!(secret.get("data").is_none(), "{secret}");
    assert!(secret.get("type").is_none(), "{secret}");
    registered.release().await;
    ns.delete().await;
}
