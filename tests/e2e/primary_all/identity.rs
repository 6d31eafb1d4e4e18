//! The caller is the one the kube-apiserver authenticated, whatever its name and however many
//! groups it is in; and a label makes a child only of the kind it is declared for.

use http::HeaderValue;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::rbac::v1::{Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Client;
use kube::client::Body;
use kube_secondary_examples::database::Database;

use super::fixtures::{config_map, create, database, rule, service};
use super::requests::{Reply, database_path, get, names, names_by_kind};
use super::shared::{INSTANCE_LABEL, Registered};
use crate::support::{setup, wait_for};

/// A user name that is not ASCII, as an OIDC provider may issue.
const USER: &str = "José";

/// `GET path` through the kube-apiserver as `user` in `groups` (admin impersonates them), the
/// impersonation headers sent as UTF-8 bytes as client-go sends them.
async fn get_as(client: &Client, path: &str, user: &str, groups: &[String]) -> Reply {
    let bytes = |s: &str| HeaderValue::from_bytes(s.as_bytes()).expect("a header value");
    let mut request = http::Request::get(path);
    request = request.header("Impersonate-User", bytes(user));
    for group in groups {
        request = request.header("Impersonate-Group", bytes(group));
    }
    let response = client
        .send(request.body(Body::empty()).expect("a request"))
        .await
        .unwrap_or_else(|e| panic!("GET {path} as {user}: {e}"));
    let status = response.status();
    let body = response.into_body().collect_bytes().await.expect("a body");
    Reply {
        status,
        retry_after: None,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

#[tokio::test]
async fn a_utf8_user_in_150_groups_is_served_as_that_user() {
    let (client, ns) = setup::<Database>("pa-identity").await;
    let registered = Registered::acquire().await;
    let db = create(&client, ns.name(), database("db")).await;
    create(&client, ns.name(), config_map("db-config", Some(&db), &[])).await;
    // Names too long for hyper's default 16 KiB of HTTP/2 headers, and more headers than its
    // default 100 for HTTP/1.1; the last group is the one RBAC grants to.
    let groups: Vec<String> = (0..150)
        .map(|i| format!("équipe-{i:03}-{}", "x".repeat(100)))
        .collect();
    let granted = groups.last().expect("a group").clone();
    let role = Role {
        metadata: ObjectMeta {
            name: Some("utf8-reader".into()),
            ..ObjectMeta::default()
        },
        rules: Some(vec![
            rule("demo.kube-secondary.dev", "databases", "get"),
            rule("", "configmaps", "list"),
            rule("primary-all.demo.kube-secondary.dev", "databases", "get"),
        ]),
    };
    create(&client, ns.name(), role).await;
    let subject = |kind: &str, name: &str| Subject {
        api_group: Some("rbac.authorization.k8s.io".into()),
        kind: kind.into(),
        name: name.into(),
        namespace: None,
    };
    let binding = RoleBinding {
        metadata: ObjectMeta {
            name: Some("utf8-reader".into()),
            ..ObjectMeta::default()
        },
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "Role".into(),
            name: "utf8-reader".into(),
        },
        // The user for the primary, the group for the ConfigMaps: both must arrive intact.
        subjects: Some(vec![subject("User", USER), subject("Group", &granted)]),
    };
    create(&client, ns.name(), binding).await;

    let path = database_path(ns.name(), "db", 1);
    let config_maps = names([("ConfigMap", vec!["db-config"])]);
    wait_for(
        "José to be served the Database and its ConfigMap",
        || async {
            let reply = get_as(&client, &path, USER, &groups).await;
            reply.status == 200 && names_by_kind(&reply.primary_all()) == config_maps
        },
    )
    .await;
    registered.release().await;
    ns.delete().await;
}

#[tokio::test]
async fn a_labelled_object_of_a_kind_not_mapped_is_not_a_child() {
    let (client, ns) = setup::<Database>("pa-mapping").await;
    let registered = Registered::acquire().await;
    let db = create(&client, ns.name(), database("db")).await;
    // A Helm release named `db` labels its objects `app.kubernetes.io/instance=db`: the
    // ConfigMap kind is mapped by that label, the Service kind is not.
    let labels = [(INSTANCE_LABEL, "db")];
    create(&client, ns.name(), config_map("db-settings", None, &labels)).await;
    let helm_service = Service {
        metadata: ObjectMeta {
            name: Some("db-helm".into()),
            labels: Some([(INSTANCE_LABEL.to_string(), "db".to_string())].into()),
            ..ObjectMeta::default()
        },
        spec: Some(k8s_openapi::api::core::v1::ServiceSpec {
            ports: Some(vec![k8s_openapi::api::core::v1::ServicePort {
                port: 80,
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Service::default()
    };
    create(&client, ns.name(), helm_service).await;
    // Created after it, on the same watch: once this one shows, the labelled one is cached.
    create(&client, ns.name(), service("db-owned", &db)).await;
    let path = database_path(ns.name(), "db", 1);
    let children = names([
        ("ConfigMap", vec!["db-settings"]),
        ("Service", vec!["db-owned"]),
    ]);
    wait_for("the labelled ConfigMap and the owned Service", || async {
        let reply = get(&client, &path).await;
        reply.status == 200 && names_by_kind(&reply.primary_all()) == children
    })
    .await;
    let reply = get(&client, &path).await;
    assert!(!reply.body.contains("db-helm"), "{}", reply.body);
    registered.release().await;
    ns.delete().await;
}
