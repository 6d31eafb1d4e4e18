//! Errors are Kubernetes `Status` objects with the right code, through the kube-apiserver.

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::api::rbac::v1::{ClusterRoleBinding, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::APIResourceList;
use kube::api::{ObjectMeta, PostParams};
use kube::{Api, Resource};
use kube_secondary::primary_all::path;
use kube_secondary_apiserver::Server;
use kube_secondary_examples::database::Database;

use super::fixtures::{create, database};
use super::pki::Pki;
use super::requests::{AS_ADMIN, Identity, database_path, direct, get, get_accepting};
use super::shared::{DATABASES, Registered, server_config};
use crate::support::{TestNamespace, setup, wait_for};

/// Database `db` in a namespace of its own, once the server answers for it.
async fn served(prefix: &str) -> (kube::Client, TestNamespace) {
    let (client, ns) = setup::<Database>(prefix).await;
    create(&client, ns.name(), database("db")).await;
    let path = database_path(ns.name(), "db", 1);
    wait_for("the server to answer", || async {
        get(&client, &path).await.status == 200
    })
    .await;
    (client, ns)
}

#[tokio::test]
async fn an_unknown_resource_or_object_is_not_found() {
    let registered = Registered::acquire().await;
    let (client, ns) = served("pa-not-found").await;
    let unknown_resource = path("demo.kube-secondary.dev", "widgets", Some(ns.name()), "db");
    let unknown_object = database_path(ns.name(), "absent", 1);
    for path in [unknown_resource, unknown_object] {
        let reply = get(&client, &path).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.body);
        let status = reply.error_status();
        assert_eq!(status.reason.as_deref(), Some("NotFound"), "{path}");
    }
    registered.release().await;
    ns.delete().await;
}

#[tokio::test]
async fn a_representation_not_served_is_not_acceptable_and_a_table_is_served() {
    let registered = Registered::acquire().await;
    let (client, ns) = served("pa-accept").await;
    let path = database_path(ns.name(), "db", 1);
    for accept in ["application/vnd.kubernetes.protobuf", "application/yaml"] {
        let reply = get_accepting(&client, &path, accept).await;
        assert_eq!(reply.status, 406, "{accept}: {}", reply.body);
        let status = reply.error_status();
        assert_eq!(status.reason.as_deref(), Some("NotAcceptable"), "{accept}");
    }
    let table = "application/json;as=Table;v=v1;g=meta.k8s.io, application/json";
    let reply: serde_json::Value = get_accepting(&client, &path, table).await.json();
    assert_eq!(reply["kind"], "Table", "{reply}");
    assert_eq!(reply["rows"][0]["cells"][0], "db", "{reply}");
    let json = "application/vnd.kubernetes.protobuf, application/json";
    let reply = get_accepting(&client, &path, json).await;
    assert_eq!(reply.primary_all().kind, "Database");
    registered.release().await;
    ns.delete().await;
}

#[tokio::test]
async fn a_malformed_path_or_depth_is_a_bad_request_and_a_list_is_not_allowed() {
    let registered = Registered::acquire().await;
    let (client, ns) = served("pa-bad-request").await;
    let db = database_path(ns.name(), "db", 1);
    let db = db.trim_end_matches("?depth=1");
    let malformed = [
        format!("{db}?depth=deep"),
        format!("{db}?depth=-1"),
        format!("{db}?depth=6"),
        // A path longer than any route.
        format!("{db}/status/extra"),
    ];
    for path in malformed {
        let reply = get(&client, &path).await;
        assert_eq!(reply.status, 400, "{path}: {}", reply.body);
        let status = reply.error_status();
        assert_eq!(status.reason.as_deref(), Some("BadRequest"), "{path}");
    }
    // No name: a list, which is not served.
    let list = db.trim_end_matches("/db");
    let reply = get(&client, list).await;
    assert_eq!(reply.status, 405, "{list}: {}", reply.body);
    let status = reply.error_status();
    assert_eq!(status.reason.as_deref(), Some("MethodNotAllowed"), "{list}");
    registered.release().await;
    ns.delete().await;
}

/// Binds `user` to what the server needs besides its watches, as `apiserver/deploy/` does:
/// reading the request-header configuration in kube-system and reviewing access. It may list
/// no kind, so a server acting as it never has a cache synced. The bindings are owned by the
/// test's namespace, so garbage collection removes them with it.
async fn bind_all_but_list_rights(client: &kube::Client, namespace: &str, user: &str) {
    let owner = Api::<Namespace>::all(client.clone())
        .get(namespace)
        .await
        .expect("get the test namespace");
    let metadata = ObjectMeta {
        name: Some(user.into()),
        owner_references: Some(vec![owner.owner_ref(&()).expect("a uid")]),
        ..ObjectMeta::default()
    };
    let role_ref = |kind: &str, name: &str| RoleRef {
        api_group: Some("rbac.authorization.k8s.io".into()),
        kind: kind.into(),
        name: name.into(),
    };
    let subjects = Some(vec![Subject {
        api_group: Some("rbac.authorization.k8s.io".into()),
        kind: "User".into(),
        name: user.into(),
        namespace: None,
    }]);
    let delegator = ClusterRoleBinding {
        metadata: metadata.clone(),
        role_ref: role_ref("ClusterRole", "system:auth-delegator"),
        subjects: subjects.clone(),
    };
    Api::<ClusterRoleBinding>::all(client.clone())
        .create(&PostParams::default(), &delegator)
        .await
        .expect("bind system:auth-delegator");
    let reader = RoleBinding {
        metadata,
        role_ref: role_ref("Role", "extension-apiserver-authentication-reader"),
        subjects,
    };
    create(client, "kube-system", reader).await;
}

#[tokio::test]
async fn a_server_whose_primary_cache_has_not_synced_is_unavailable_with_retry_after() {
    let (client, ns) = setup::<Database>("pa-unsynced").await;
    let user = format!("primary-all-unsynced@{}", ns.name());
    bind_all_but_list_rights(&client, ns.name(), &user).await;
    let mut config = kube::Config::infer().await.expect("a kubeconfig");
    config.auth_info.impersonate = Some(user.clone());
    let as_user = kube::Client::try_from(config).expect("a client");
    let pki = Pki::from_env();
    let server = Server::start(as_user, server_config(&pki, &[DATABASES]))
        .await
        .expect("a server starts before its caches sync");
    let front_proxy = direct(server.local_addr(), Identity::FrontProxy, &AS_ADMIN);
    let path = database_path(ns.name(), "db", 1);
    // Until it has read the request-header configuration it can tell nobody's identity.
    wait_for("the server to authenticate the front proxy", || async {
        get(&front_proxy, &path).await.status != 401
    })
    .await;
    let reply = get(&front_proxy, &path).await;
    assert_eq!(reply.status, 503, "{}", reply.body);
    let status = reply.error_status();
    assert_eq!(status.reason.as_deref(), Some("ServiceUnavailable"));
    let retry_after: u64 = reply
        .retry_after
        .as_deref()
        .expect("a Retry-After header")
        .parse()
        .expect("Retry-After in seconds");
    assert!(retry_after > 0);
    // Discovery needs no cache.
    let list: APIResourceList = get(&front_proxy, "/apis/primary-all/v1").await.json();
    assert_eq!(list.resources.len(), 1);
    server.shutdown().await;
    ns.delete().await;
}
