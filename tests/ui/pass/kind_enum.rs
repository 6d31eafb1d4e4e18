//! The kind enum's `ALL` and `name` are inherent: they need no `SecondaryKind` import.

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
#[secondary(Deployment)]
#[secondary(Service)]
pub struct DatabaseSpec {
    pub replicas: i32,
}

/// `name` is a `const fn`.
const FIRST: &str = DatabaseSecondaryKind::Deployment.name();

fn main() {
    assert_eq!(
        DatabaseSecondaryKind::ALL,
        [DatabaseSecondaryKind::Deployment, DatabaseSecondaryKind::Service]
    );
    let names: Vec<&str> = DatabaseSecondaryKind::ALL
        .iter()
        .map(|kind| kind.name())
        .collect();
    assert_eq!(names, ["Deployment", "Service"]);
    assert_eq!(FIRST, "Deployment");
    assert_eq!(DatabaseSecondaryKind::Service.to_string(), "Service");
}
