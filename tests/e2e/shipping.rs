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

/// The primary-all server's manifests, placeholders filled in as its README says.
const APISERVER: &[&str] = &[
    include_str!("../../apiserver/deploy/00-namespace.yaml"),
    include_str!("../../apiserver/deploy/10-rbac.yaml"),
    include_str!("../../apiserver/deploy/20-deployment.yaml"),
    include_str!("../../apiserver/deploy/30-service.yaml"),
    include_str!("../../apiserver/deploy/40-apiservice.yaml"),
    include_str!("../../apiserver/deploy/50-example-reader.yaml"),
    include_str!("../../apiserver/deploy/60-disruption-budget.yaml"),
    include_str!("../../apiserver/deploy/70-network-policy.yaml"),
];

fn objects() -> Vec<DynamicObject> {
    objects_of(MANIFESTS)
}

fn objects_of(manifests: &str) -> Vec<DynamicObject> {
    serde_yaml::Deserializer::from_str(manifests)
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

/// A server-side dry run of every object: namespaced ones in `namespace`, which exists;
/// nothing is stored.
async fn dry_run(client: &kube::Client, namespace: &str, objects: Vec<DynamicObject>) {
    let params = PatchParams::apply("e2e").dry_run().force();
    for mut object in objects {
        let types = object.types.clone().expect("apiVersion and kind");
        let gvk = GroupVersionKind::try_from(&types).expect("a group, version and kind");
        let (resource, capabilities) = pinned_kind(client, &gvk).await.expect("a served kind");
        let api: Api<DynamicObject> = match capabilities.scope {
            kube::discovery::Scope::Namespaced => {
                object.metadata.namespace = Some(namespace.to_string());
                Api::namespaced_with(client.clone(), namespace, &resource)
            }
            kube::discovery::Scope::Cluster => Api::all_with(client.clone(), &resource),
        };
        let name = object.name_any();
        api.patch(&name, &params, &Patch::Apply(&object))
            .await
            .unwrap_or_else(|e| panic!("{} {name} refused: {e}", types.kind));
    }
}

#[tokio::test]
async fn the_api_server_accepts_every_object_of_the_manifests_in_a_dry_run() {
    let (client, ns) = setup::<Database>("shipping").await;
    dry_run(&client, ns.name(), objects()).await;
    ns.delete().await;
}

#[tokio::test]
async fn the_api_server_accepts_every_object_of_the_primary_all_manifests_in_a_dry_run() {
    let (client, ns) = setup::<Database>("shipping-pa").await;
    for manifest in APISERVER {
        let filled = manifest
            .replace("REPLACE-WITH-BASE64-PEM-OF-THE-SERVING-CA", "Y2E=")
            .replace("REPLACE-WITH-THE-CONTROL-PLANE-CIDR", "10.0.0.0/8");
        dry_run(&client, ns.name(), objects_of(&filled)).await;
    }
    ns.delete().await;
}
