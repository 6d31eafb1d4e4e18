//! A reconciler writes its children as data: `apply` for kinds cached in full (one of them with
//! its own drift rule), `apply_all` to apply a set and prune the rest, and `create_if_absent` for
//! a `metadata_only` Secret that is made once and never read back.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service};
use kube::api::ObjectMeta;
use kube::{CustomResource, ResourceExt};
use kube_secondary::{Action, Context, Reconciler, SecondaryAware};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod rules {
    use k8s_openapi::api::apps::v1::Deployment;

    /// Only the replica count is the operator's to keep.
    pub fn deployment_drifted(desired: &Deployment, cached: &Deployment) -> bool {
        desired.spec.replicas != cached.spec.replicas
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
#[secondary(Service)]
#[secondary(ConfigMap)]
#[secondary(Secret, metadata_only)]
pub struct DatabaseSpec {
    pub replicas: i32,
    pub shards: Vec<String>,
}

fn named(name: String) -> ObjectMeta {
    ObjectMeta {
        name: Some(name),
        ..ObjectMeta::default()
    }
}

struct Operator;

impl Reconciler<Database> for Operator {
    type Error = kube_secondary::Error;

    async fn reconcile(
        &self,
        db: Arc<Database>,
        _children: DatabaseSecondaries,
        ctx: &Context<Database>,
    ) -> Result<Action, Self::Error> {
        let mut deployment = Deployment {
            metadata: named(db.name_any()),
            ..Deployment::default()
        };
        deployment.spec.replicas = Some(db.spec.replicas);
        let _: Arc<Deployment> = ctx.apply(deployment).await?;
        ctx.apply(Service {
            metadata: named(db.name_any()),
            ..Service::default()
        })
        .await?;
        // A lazy iterator borrowing `db`: the handler's future stays `Send`.
        let shards = db.spec.shards.iter().map(|shard| ConfigMap {
            metadata: named(format!("{}-{shard}", db.name_any())),
            ..ConfigMap::default()
        });
        let _: Vec<Arc<ConfigMap>> = ctx.apply_all(shards).await?;
        let created: bool = ctx
            .create_if_absent(Secret {
                metadata: named(format!("{}-password", db.name_any())),
                string_data: Some(BTreeMap::from([("password".into(), "generated".into())])),
                ..Secret::default()
            })
            .await?;
        let _ = created;
        Ok(Action::await_change())
    }
}

fn main() {
    let _ = Operator;
}
