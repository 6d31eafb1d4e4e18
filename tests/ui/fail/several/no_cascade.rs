//! With a mistake in the attributes, code that uses the generated items still type-checks: only
//! the mistake is reported, not every use of `DatabaseSecondaries`, `SecondaryAware` or a
//! declared kind written with `ctx.apply`.

use std::sync::Arc;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Service;
use kube::CustomResource;
use kube_secondary::{Context, SecondaryAware};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "demo.example.com",
    version = "v1",
    kind = "Database",
    namespaced
)]
#[secondary(Deployment, predicate = generation)]
#[secondary(Service, predicate = lables)]
pub struct DatabaseSpec {
    pub replicas: i32,
}

fn ready(children: &DatabaseSecondaries) -> bool {
    let services: &Vec<Arc<Service>> = &children.services;
    children
        .deployments
        .iter()
        .all(|deployment| deployment.status.is_some())
        && !services.is_empty()
}

fn describe(kind: DatabaseSecondaryKind) -> &'static str {
    match kind {
        DatabaseSecondaryKind::Deployment => "workload",
        DatabaseSecondaryKind::Service => "network",
    }
}

fn resync<P: SecondaryAware>() -> std::time::Duration {
    P::options().resync
}

async fn write(ctx: &Context<Database>) -> Result<Arc<Service>, kube_secondary::Error> {
    ctx.apply(Service::default()).await
}

fn main() {
    let _ = (
        ready(&DatabaseSecondaries::default()),
        describe(DatabaseSecondaryKind::ALL[0]),
    );
    let _ = resync::<Database>();
    let _ = write;
}
