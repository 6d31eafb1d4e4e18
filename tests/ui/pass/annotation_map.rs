//! `map = annotation("key")` and the explicit default `map = owner`.

use std::sync::Arc;

use k8s_openapi::api::core::v1::{ConfigMap, Service};
use kube::CustomResource;
use kube_secondary::SecondaryAware;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "demo.example.com",
    version = "v1",
    kind = "Gateway",
    namespaced
)]
#[secondary(ConfigMap, map = annotation("demo.example.com/gateway"))]
#[secondary(Service, map = owner)]
pub struct GatewaySpec {
    pub host: String,
}

fn main() {
    let children = GatewaySecondaries::default();
    let config_maps: Vec<Arc<ConfigMap>> = children.config_maps;
    let services: Vec<Arc<Service>> = children.services;
    assert!(config_maps.is_empty() && services.is_empty());
    // The primary, its status and its finalizers, one rule per kind, then Events.
    assert_eq!(kube_secondary::rbac::policy_rules::<Gateway>().len(), 6);
    let _ = <Gateway as SecondaryAware>::options();
}
