//! `ctx.create_if_absent` creates only kinds the primary declares with `#[secondary(...)]`.

use std::sync::Arc;

use k8s_openapi::api::core::v1::{ConfigMap, Service};
use kube::CustomResource;
use kube::api::ObjectMeta;
use kube_secondary::{Action, Context, Reconciler, SecondaryAware};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "demo.example.com",
    version = "v1",
    kind = "Database",
    namespaced
)]
#[secondary(Service)]
pub struct DatabaseSpec {
    pub replicas: i32,
}

struct Operator;

impl Reconciler<Database> for Operator {
    type Error = kube_secondary::Error;

    async fn reconcile(
        &self,
        _db: Arc<Database>,
        _children: DatabaseSecondaries,
        ctx: &Context<Database>,
    ) -> Result<Action, Self::Error> {
        ctx.create_if_absent(ConfigMap {
            metadata: ObjectMeta {
                name: Some("settings".into()),
                ..ObjectMeta::default()
            },
            ..ConfigMap::default()
        })
        .await?;
        Ok(Action::await_change())
    }
}

fn main() {}
