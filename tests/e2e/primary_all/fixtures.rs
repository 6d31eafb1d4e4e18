//! A Database and its children as the tests make them: no operator runs, so each child is
//! created by the test, owned through a controller ownerReference or mapped by its label.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::{
    ConfigMap, Container, PodSpec, PodTemplateSpec, Secret, Service, ServicePort, ServiceSpec,
};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::{ObjectMeta, PostParams};
use kube::{Api, Client, Resource};
use kube_secondary_examples::database::{Database, DatabaseSpec};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::support::wait_for;

/// Creates `object` in `namespace`.
pub async fn create<K>(client: &Client, namespace: &str, object: K) -> K
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + std::fmt::Debug
        + Serialize
        + DeserializeOwned,
    K::DynamicType: Default,
{
    Api::<K>::namespaced(client.clone(), namespace)
        .create(&PostParams::default(), &object)
        .await
        .unwrap_or_else(|e| panic!("create {object:?}: {e}"))
}

/// The Database `name`.
pub fn database(name: &str) -> Database {
    Database::new(
        name,
        DatabaseSpec {
            image: "postgres:16".into(),
            replicas: 1,
            port: 5432,
            config: BTreeMap::new(),
        },
    )
}

fn metadata(name: &str, owner: Option<&Database>, labels: &[(&str, &str)]) -> ObjectMeta {
    let labels = labels.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    ObjectMeta {
        name: Some(name.into()),
        labels: Some(labels.collect()),
        owner_references: owner.map(|db| vec![db.controller_owner_ref(&()).expect("a uid")]),
        ..ObjectMeta::default()
    }
}

/// A ConfigMap controlled by `owner`, or by nobody, with `labels`.
pub fn config_map(name: &str, owner: Option<&Database>, labels: &[(&str, &str)]) -> ConfigMap {
    ConfigMap {
        metadata: metadata(name, owner, labels),
        data: Some(BTreeMap::from([("setting".to_string(), "on".to_string())])),
        ..ConfigMap::default()
    }
}

/// A Secret controlled by `owner`.
pub fn secret(name: &str, owner: &Database) -> Secret {
    Secret {
        metadata: metadata(name, Some(owner), &[]),
        string_data: Some(BTreeMap::from([(
            "password".to_string(),
            "hunter2".to_string(),
        )])),
        ..Secret::default()
    }
}

/// A Service controlled by `owner`.
pub fn service(name: &str, owner: &Database) -> Service {
    Service {
        metadata: metadata(name, Some(owner), &[]),
        spec: Some(ServiceSpec {
            selector: Some(BTreeMap::from([("app".to_string(), name.to_string())])),
            ports: Some(vec![ServicePort {
                port: 5432,
                ..ServicePort::default()
            }]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

/// A Deployment of one replica controlled by `owner`: the cluster's deployment controller
/// makes a ReplicaSet of it, and the replicaset controller a Pod (which stays Pending).
pub fn deployment(name: &str, owner: &Database) -> Deployment {
    let labels = BTreeMap::from([("app".to_string(), name.to_string())]);
    Deployment {
        metadata: metadata(name, Some(owner), &[]),
        spec: DeploymentSpec {
            replicas: Some(1),
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
                        name: "postgres".into(),
                        image: Some("postgres:16".into()),
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

/// The name of the one object in `namespace` whose controller is `owner`, once there is one.
pub async fn controlled_by<K, O>(client: &Client, namespace: &str, owner: &O) -> String
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + std::fmt::Debug
        + DeserializeOwned,
    K::DynamicType: Default,
    O: Resource,
{
    let api = Api::<K>::namespaced(client.clone(), namespace);
    let uid = owner.meta().uid.clone().expect("a uid");
    let controlled = || async {
        let list = api.list(&Default::default()).await.expect("list");
        let mut names = list.items.into_iter().filter(|object| {
            let owners = object.meta().owner_references.iter().flatten();
            owners
                .into_iter()
                .any(|o| o.uid == uid && o.controller == Some(true))
        });
        names
            .next()
            .map(|object| object.meta().name.clone().expect("a name"))
    };
    wait_for("a controlled object", || async {
        controlled().await.is_some()
    })
    .await;
    controlled().await.expect("still there")
}

/// One rule: `verb` on `resource` of API group `group`.
pub fn rule(group: &str, resource: &str, verb: &str) -> PolicyRule {
    PolicyRule {
        api_groups: Some(vec![group.into()]),
        resources: Some(vec![resource.into()]),
        verbs: vec![verb.into()],
        ..PolicyRule::default()
    }
}

/// Binds `user` to a Role of `rules` in `namespace`, and waits until the kube-apiserver's
/// authoriser applies it (the server's access reviews would otherwise see the user without it).
pub async fn grant(client: &Client, namespace: &str, user: &str, rules: Vec<PolicyRule>) {
    let wanted = rules.clone();
    let role = Role {
        metadata: ObjectMeta {
            name: Some(user.into()),
            ..ObjectMeta::default()
        },
        rules: Some(rules),
    };
    create(client, namespace, role).await;
    let binding = RoleBinding {
        metadata: ObjectMeta {
            name: Some(user.into()),
            ..ObjectMeta::default()
        },
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "Role".into(),
            name: user.into(),
        },
        subjects: Some(vec![Subject {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "User".into(),
            name: user.into(),
            namespace: None,
        }]),
    };
    create(client, namespace, binding).await;
    let as_user = super::requests::as_user(user).await;
    for rule in wanted {
        let (group, resource) = (
            &rule.api_groups.expect("groups")[0],
            &rule.resources.expect("resources")[0],
        );
        let verb = &rule.verbs[0];
        wait_for("the role to be in force", || async {
            allowed(&as_user, namespace, group, resource, verb).await
        })
        .await;
    }
}

/// Whether the caller of `client` may `verb` `resource` of `group` in `namespace`.
pub async fn allowed(
    client: &Client,
    namespace: &str,
    group: &str,
    resource: &str,
    verb: &str,
) -> bool {
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                namespace: Some(namespace.into()),
                group: Some(group.into()),
                resource: Some(resource.into()),
                verb: Some(verb.into()),
                ..ResourceAttributes::default()
            }),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let reviewed = Api::<SelfSubjectAccessReview>::all(client.clone())
        .create(&PostParams::default(), &review)
        .await
        .expect("a self subject access review");
    reviewed.status.is_some_and(|status| status.allowed)
}
