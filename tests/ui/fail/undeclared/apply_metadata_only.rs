//! `ctx.apply` compares with the cached child, so it needs the kind cached in full: a kind
//! declared `metadata_only` is created with `ctx.create_if_absent`, never applied.

use std::sync::Arc;

use k8s_openapi::api::core::v1::Secret;
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
#[secondary(Secret, metadata_only)]
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
        ctx.apply(Secret {
            metadata: ObjectMeta {
                name: Some("password".into()),
                ..ObjectMeta::default()
            },
            ..Secret::default()
        })
        .await?;
        Ok(Action::await_change())
    }
}

fn main() {}
