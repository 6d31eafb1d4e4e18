//! The `Database` custom resource and the children it declares.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use kube_secondary::SecondaryAware;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A database instance: the operator runs it as a Deployment behind a Service, with generated
/// credentials in a Secret and its settings in a ConfigMap.
#[derive(
    CustomResource,
    SecondaryAware,
    Clone,
    Debug,
    Default,
    PartialEq,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[kube(
    group = "demo.kube-secondary.dev",
    version = "v1",
    kind = "Database",
    namespaced,
    status = "DatabaseStatus",
    shortname = "db"
)]
#[secondary(Deployment)]
#[secondary(Service)]
#[secondary(Secret, metadata_only)]
#[secondary(ConfigMap)]
pub struct DatabaseSpec {
    /// The container image.
    #[serde(default = "default_image")]
    pub image: String,
    /// Number of database pods.
    #[serde(default = "default_replicas")]
    pub replicas: i32,
    /// The port the database listens on.
    #[serde(default = "default_port")]
    pub port: i32,
    /// Settings written to the ConfigMap.
    #[serde(default)]
    pub config: BTreeMap<String, String>,
}

fn default_image() -> String {
    "postgres:16".into()
}

fn default_replicas() -> i32 {
    1
}

fn default_port() -> i32 {
    5432
}

/// What the operator observed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseStatus {
    /// The generation the children were last brought to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `Ready` is `False` with reason `InvalidSpec` when the spec cannot be applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}

impl DatabaseSpec {
    /// Why the spec cannot be applied, if it cannot.
    pub fn invalid(&self) -> Option<String> {
        if self.replicas < 0 {
            return Some(format!(
                "spec.replicas must not be negative, got {}",
                self.replicas
            ));
        }
        if !(1..=65535).contains(&self.port) {
            return Some(format!(
                "spec.port must be between 1 and 65535, got {}",
                self.port
            ));
        }
        if self.image.trim().is_empty() {
            return Some("spec.image must not be empty".into());
        }
        None
    }
}
