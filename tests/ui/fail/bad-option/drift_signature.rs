//! A drift rule is `fn(&Kind, &Kind) -> bool`: the desired child, then the cached one.

use k8s_openapi::api::apps::v1::Deployment;
use kube::CustomResource;
use kube_secondary::SecondaryAware;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod rules {
    use k8s_openapi::api::apps::v1::Deployment;

    pub fn deployment_drifted(cached: &Deployment) -> bool {
        cached.spec.replicas != Some(3)
    }
}

#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "demo.example.com",
    version = "v1",
    kind = "Database",
    namespaced
)]
#[secondary(Deployment, drift = rules::deployment_drifted)]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {}
