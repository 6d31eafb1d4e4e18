//! The `database` example's deployment manifests: accepted by the API server (a server-side dry
//! run of every object), with the RBAC the runtime generates and the Lease rule leader election
//! needs.

use k8s_openapi::api::rbac::v1::{ClusterRole, Role};
use kube::api::{DynamicObject, GroupVersionKind, Patch, PatchParams};
use kube::discovery::pinned_kind;
use kube::{Api, ResourceExt};
use kube_secondary::rbac;
use kube_secondary_examples::database::Database;
use serde::Deserialize;

use crate::support::setup;

const MANIFESTS: &str = include_str!("../../examples/deploy/database-operator.yaml");

fn objects() -> Vec<DynamicObject> {
    serde_yaml::Deserializer::from_str(MANIFESTS)
        .map(|document| DynamicObject::deserialize(document).expect("a Kubernetes object"))
        .collect()
}

fn typed<K: serde::de::DeserializeOwned>(kind: &str) -> K {
    let object = objects()
        .into_iter()
        .find(|object| object.types.as_ref().is_some_and(|t| t.kind == kind))
        .unwrap_or_else(|| panic!("no {kind} in the manifests"));
    serde_json::from_value(serde_json::to_value(object).unwrap()).expect(kind)
}

#[test]
fn the_manifests_grant_what_the_runtime_generates_and_the_lease() {
    let cluster_role: ClusterRole = typed("ClusterRole");
    assert_eq!(
        cluster_role.rules,
        Some(rbac::policy_rules::<Database>()),
        "regenerate it with `database --print-rbac`"
    );
    let leases: Role = typed("Role");
    assert_eq!(leases.rules, Some(vec![rbac::lease_rule()]));
}

#[tokio::test]
async fn the_api_server_accepts_every_object_of_the_manifests_in_a_dry_run() {
    let (client, ns) = setup::<Database>("shipping").await;
    let params = PatchParams::apply("e2e").dry_run().force();
    for mut object in objects() {
        let types = object.types.clone().expect("apiVersion and kind");
        let gvk = GroupVersionKind::try_from(&types).expect("a group, version and kind");
        let (resource, capabilities) = pinned_kind(&client, &gvk).await.expect("a served kind");
        // Namespaced objects go to the test's namespace, which exists; nothing is stored.
        let api: Api<DynamicObject> = match capabilities.scope {
            kube::discovery::Scope::Namespaced => {
                object.metadata.namespace = Some(ns.name().to_string());
                Api::namespaced_with(client.clone(), ns.name(), &resource)
            }
            kube::discovery::Scope::Cluster => Api::all_with(client.clone(), &resource),
        };
        let name = object.name_any();
        api.patch(&name, &params, &Patch::Apply(&object))
            .await
            .unwrap_or_else(|e| panic!("{} {name} refused: {e}", types.kind));
    }
    ns.delete().await;
}
