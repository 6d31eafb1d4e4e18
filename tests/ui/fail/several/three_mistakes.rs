//! Every mistake is reported in one compile: three mistakes, three errors.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Service;
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
#[secondary(Deployment, predicate = genration)]
#[secondary(Service, metadata_onyl)]
#[secondary(Service)]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {}
