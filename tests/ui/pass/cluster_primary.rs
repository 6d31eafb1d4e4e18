//! A cluster-scoped primary may own namespaced children and cluster-scoped ones.

use std::sync::Arc;

use k8s_openapi::api::core::v1::{Namespace, ResourceQuota};
use k8s_openapi::api::rbac::v1::ClusterRole;
use kube::CustomResource;
use kube_secondary::SecondaryAware;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(group = "demo.example.com", version = "v1", kind = "Tenant")]
#[secondary(Namespace)]
#[secondary(ResourceQuota)]
#[secondary(ClusterRole, metadata_only)]
pub struct TenantSpec {
    pub owner: String,
}

fn main() {
    let children = TenantSecondaries::default();
    let namespaces: Vec<Arc<Namespace>> = children.namespaces;
    let quotas: Vec<Arc<ResourceQuota>> = children.resource_quotas;
    assert!(namespaces.is_empty() && quotas.is_empty());
    assert_eq!(children.cluster_roles.len(), 0);
    // The primary, its status and its finalizers, one rule per kind, then Events.
    assert_eq!(kube_secondary::rbac::policy_rules::<Tenant>().len(), 7);
    let _ = <Tenant as SecondaryAware>::options();
}
