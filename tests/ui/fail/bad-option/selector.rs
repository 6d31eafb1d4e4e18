//! A label selector is checked with the Kubernetes grammar at compile time: this one would
//! compile and then make every watch of Services fail at run time.

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
#[secondary(Service, selector = "app in (a,b")]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {
    // The rest of the declaration is still generated: no follow-on errors here.
    let _ = DatabaseSecondaries::default().services;
}
