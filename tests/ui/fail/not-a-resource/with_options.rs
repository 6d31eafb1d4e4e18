//! A kind that is not a resource is one error whatever its options: they are not checked again
//! for it (no error about `PartialObjectMeta<String>`, the predicates or the status summary).

use k8s_openapi::api::core::v1::Service;
use kube::CustomResource;
use kube::core::PartialObjectMeta;
use kube_secondary::SecondaryAware;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

fn named(meta: &PartialObjectMeta<String>) -> Option<u64> {
    meta.metadata.name.as_ref().map(|name| name.len() as u64)
}

#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "demo.example.com",
    version = "v1",
    kind = "Database",
    namespaced
)]
#[secondaries(status_summary)]
#[secondary(Service)]
#[secondary(String, metadata_only, predicate = labels | named, map = label("app"), selector = "app=db")]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn main() {
    let _ = DatabaseSecondaries::default().strings;
}
