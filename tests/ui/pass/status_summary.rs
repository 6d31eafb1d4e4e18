//! `#[secondaries(status_summary)]`: the status struct lists the secondaries, and the CRD schema
//! declares the list, so the API server keeps it.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Secret;
use kube::{CustomResource, CustomResourceExt};
use kube_secondary::SecondaryAware;
use kube_secondary::summary::SecondarySummary;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "demo.example.com",
    version = "v1",
    kind = "App",
    namespaced,
    status = "AppStatus"
)]
#[secondaries(status_summary)]
#[secondary(Deployment)]
#[secondary(Secret, metadata_only)]
pub struct AppSpec {
    pub image: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct AppStatus {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secondaries: Vec<SecondarySummary>,
}

fn main() {
    assert!(<App as SecondaryAware>::options().status_summary);

    let crd = serde_json::to_value(App::crd()).unwrap();
    let listed = &crd.pointer("/spec/versions/0/schema/openAPIV3Schema/properties/status/properties/secondaries/items/properties").unwrap();
    for field in ["kind", "namespace", "name", "resourceVersion", "ready"] {
        assert!(
            listed.get(field).is_some(),
            "the CRD schema declares `{field}`"
        );
    }
}
