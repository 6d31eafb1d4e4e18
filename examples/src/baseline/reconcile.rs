//! The full reconcile of both baselines, as a careful kube-rs user writes it: server-side apply
//! every child, create the Secret if missing, and write the status if it changed.

use std::fmt::Debug;

use k8s_openapi::NamespaceResourceScope;
use kube::api::{Patch, PatchParams, PostParams};
use kube::{Api, Client, Resource, ResourceExt};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::database::{Database, desired};

/// Server-side applies `obj` as `manager`, forcing ownership of its fields.
async fn apply<K>(client: &Client, manager: &str, obj: K) -> kube::Result<K>
where
    K: Resource<DynamicType = (), Scope = NamespaceResourceScope>,
    K: Clone + Serialize + DeserializeOwned + Debug,
{
    let api = Api::<K>::namespaced(client.clone(), &obj.namespace().unwrap_or_default());
    let params = PatchParams::apply(manager).force();
    api.patch(&obj.name_any(), &params, &Patch::Apply(&obj))
        .await
}

/// Applies every child, creates the Secret unless it exists, and writes the status if it changed.
pub async fn reconcile_all(client: &Client, manager: &str, db: &Database) -> kube::Result<()> {
    let namespace = db.namespace().unwrap_or_default();
    if db.spec.invalid().is_none() {
        apply(client, manager, desired::deployment(db, manager)).await?;
        apply(client, manager, desired::service(db, manager)).await?;
        apply(client, manager, desired::config_map(db, manager)).await?;
        let params = PostParams {
            field_manager: Some(manager.to_string()),
            ..PostParams::default()
        };
        let secrets = Api::namespaced(client.clone(), &namespace);
        match secrets.create(&params, &desired::secret(db, manager)).await {
            Err(kube::Error::Api(status)) if status.code == 409 => {}
            result => drop(result?),
        }
    }
    if let Some(status) = desired::status_update(db) {
        let patch = Patch::Merge(serde_json::json!({ "status": status }));
        Api::<Database>::namespaced(client.clone(), &namespace)
            .patch_status(&db.name_any(), &PatchParams::default(), &patch)
            .await?;
    }
    Ok(())
}
