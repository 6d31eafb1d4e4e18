//! The objects read back: N `Database`s with five children each, created directly (no
//! operator runs), concurrently and with progress on stdout.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret, Service};
use kube::api::{ObjectMeta, PostParams};
use kube::{Api, Client, ResourceExt};
use kube_secondary_examples::database::desired::{self, INSTANCE_LABEL};
use kube_secondary_examples::database::{Database, DatabaseSpec};

use crate::scenario::db_name;

/// The field manager and `managed-by` label of what the benchmark writes.
const MANAGER: &str = "kube-secondary-bench";

/// Primaries being created at once; each creates its five children concurrently.
pub const PRIMARIES_IN_FLIGHT: usize = 16;

/// Children per primary: Deployment, Service, Secret, ConfigMap, and a second ConfigMap.
pub const CHILDREN_PER_PRIMARY: usize = 5;

/// A child by kind and name.
pub type ChildRef = (String, String);

/// The children `name` gets, by kind and name, sorted.
pub fn expected_children(name: &str) -> Vec<ChildRef> {
    let mut children = vec![
        ("Deployment".to_string(), name.to_string()),
        ("Service".to_string(), name.to_string()),
        ("Secret".to_string(), format!("{name}-credentials")),
        ("ConfigMap".to_string(), format!("{name}-config")),
        ("ConfigMap".to_string(), extra_name(name)),
    ];
    children.sort();
    children
}

fn extra_name(name: &str) -> String {
    format!("{name}-extra")
}

/// Creates `namespace` with one Database `probe` and no children: the server's first answer
/// for it tells when every kind's cache has synced, before the measured objects exist.
pub async fn create_namespace(client: &Client, namespace: &str) -> anyhow::Result<()> {
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(namespace.into()),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &ns)
        .await?;
    Api::<Database>::namespaced(client.clone(), namespace)
        .create(&PostParams::default(), &database("probe"))
        .await?;
    Ok(())
}

fn database(name: &str) -> Database {
    let spec = DatabaseSpec {
        image: "postgres:16".into(),
        // No pods: there is no scheduler, and the read path is what is measured.
        replicas: 0,
        port: 5432,
        config: BTreeMap::from([("max_connections".to_string(), "100".to_string())]),
    };
    Database::new(name, spec)
}

/// Creates Database `name` and its children: four with a controller ownerReference (as the
/// `database` operator makes them) and a ConfigMap that only the instance label maps to it.
async fn create_one(client: &Client, namespace: &str, name: &str) -> anyhow::Result<()> {
    let params = PostParams {
        field_manager: Some(MANAGER.into()),
        ..PostParams::default()
    };
    let db = Api::<Database>::namespaced(client.clone(), namespace)
        .create(&params, &database(name))
        .await?;
    let extra = ConfigMap {
        metadata: ObjectMeta {
            name: Some(extra_name(name)),
            namespace: Some(namespace.into()),
            labels: Some(BTreeMap::from([(
                INSTANCE_LABEL.to_string(),
                db.name_any(),
            )])),
            ..ObjectMeta::default()
        },
        data: Some(BTreeMap::from([(
            "note".to_string(),
            "mapped to its Database by label only".to_string(),
        )])),
        ..ConfigMap::default()
    };
    let deployments = Api::<Deployment>::namespaced(client.clone(), namespace);
    let services = Api::<Service>::namespaced(client.clone(), namespace);
    let secrets = Api::<Secret>::namespaced(client.clone(), namespace);
    let configs = Api::<ConfigMap>::namespaced(client.clone(), namespace);
    let (deployment, service) = (
        desired::deployment(&db, MANAGER),
        desired::service(&db, MANAGER),
    );
    let (secret, config) = (
        desired::secret(&db, MANAGER),
        desired::config_map(&db, MANAGER),
    );
    tokio::try_join!(
        deployments.create(&params, &deployment),
        services.create(&params, &service),
        secrets.create(&params, &secret),
        configs.create(&params, &config),
        configs.create(&params, &extra),
    )?;
    Ok(())
}

/// Creates `count` Databases (`db-0`…) with their children, [`PRIMARIES_IN_FLIGHT`] at a time,
/// printing progress every tenth; returns how long it took.
pub async fn create_all(
    client: &Client,
    namespace: &str,
    count: usize,
) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let objects = count * (1 + CHILDREN_PER_PRIMARY);
    let step = count.div_ceil(10).max(1);
    println!(
        "    creating {count} Databases × {CHILDREN_PER_PRIMARY} children ({objects} objects), {PRIMARIES_IN_FLIGHT} Databases at a time"
    );
    let mut created = futures::stream::iter(0..count)
        .map(|i| async move { create_one(client, namespace, &db_name(i)).await })
        .buffer_unordered(PRIMARIES_IN_FLIGHT);
    let mut done = 0;
    while created.try_next().await?.is_some() {
        done += 1;
        if done % step == 0 || done == count {
            let seconds = start.elapsed().as_secs_f64();
            println!(
                "    … {done}/{count} Databases, {} objects, {seconds:.0} s ({:.0} objects/s)",
                done * (1 + CHILDREN_PER_PRIMARY),
                (done * (1 + CHILDREN_PER_PRIMARY)) as f64 / seconds.max(1e-9),
            );
        }
    }
    Ok(start.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_primary_expects_five_children() {
        let children = expected_children("db-7");
        assert_eq!(children.len(), CHILDREN_PER_PRIMARY);
        assert!(children.contains(&("ConfigMap".to_string(), "db-7-extra".to_string())));
        assert!(children.is_sorted());
    }
}
