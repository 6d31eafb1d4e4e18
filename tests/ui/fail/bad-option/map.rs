//! A mapping is `owner`, `label("...")` or `annotation("...")`.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use kube::CustomResource;
use kube_secondary::SecondaryAware;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "demo.example.com",
    version = "v1",
    kind = "Database",
    namespaced
)]
#[secondary(Deployment, map = owners)]
#[secondary(Service, map = label(app))]
#[secondary(ConfigMap, map = labels("app"))]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {}
