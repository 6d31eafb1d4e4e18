//! Replicas of the `database` operator, run as processes of their own with leader election: one
//! leads, the others stand by with warm caches; a killed leader is replaced and the drift made
//! in the gap is repaired; a stopped leader hands over at once; no two replicas write in the
//! same period.

use std::time::Instant;

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use kube::api::{DeleteParams, PostParams};
use kube::{Api, Client};
use kube_secondary_examples::database::{Database, DatabaseSpec};

use crate::replica::Replica;
use crate::support::{exists, setup, wait_for};

const LEASE: &str = "database-operator";

fn replica(name: &'static str, namespace: &str) -> Replica {
    let lease = format!("{namespace}/{LEASE}");
    Replica::start(name, namespace, &["--leader-election", &lease])
}

/// Who holds the Lease now: the replica's name, without the suffix that makes it unique.
async fn holder(client: &Client, namespace: &str) -> Option<String> {
    let leases: Api<Lease> = Api::namespaced(client.clone(), namespace);
    let lease = leases.get_opt(LEASE).await.ok()??;
    let holder = lease.spec?.holder_identity?;
    Some(
        holder
            .split_once('_')
            .map_or(holder.clone(), |(name, _)| name.to_string()),
    )
}

async fn wait_for_leader(client: &Client, namespace: &str, replica: &Replica) -> f64 {
    let start = Instant::now();
    wait_for(&format!("{} to lead", replica.name), || async {
        holder(client, namespace).await.as_deref() == Some(replica.name)
    })
    .await;
    start.elapsed().as_secs_f64()
}

async fn wait_for_standby(replica: &Replica) {
    wait_for(&format!("{} to stand by", replica.name), || async {
        replica.log().contains("standing by")
    })
    .await;
}

#[tokio::test]
async fn a_standby_takes_over_from_a_killed_leader_and_at_once_from_a_stopped_one() {
    let (client, ns) = setup::<Database>("leader").await;
    let namespace = ns.name();
    let a = replica("replica-a", namespace);
    wait_for_leader(&client, namespace, &a).await;
    let mut b = replica("replica-b", namespace);
    wait_for_standby(&b).await;

    let dbs: Api<Database> = Api::namespaced(client.clone(), namespace);
    let spec = DatabaseSpec {
        image: "postgres:16".into(),
        replicas: 1,
        port: 5432,
        config: Default::default(),
    };
    dbs.create(&PostParams::default(), &Database::new("db", spec))
        .await
        .expect("create a Database");
    let services: Api<Service> = Api::namespaced(client.clone(), namespace);
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
    wait_for("the leader to create the children", || async {
        exists(&services, "db").await && exists(&configs, "db-config").await
    })
    .await;
    assert!(!a.writes().is_empty(), "the leader wrote the children");
    assert!(
        b.writes().is_empty(),
        "the standby writes nothing:\n{}",
        b.log()
    );

    // The leader dies without a word; a child goes missing in the gap.
    a.signal("-KILL");
    let killed = Instant::now();
    services
        .delete("db", &DeleteParams::default())
        .await
        .expect("delete the Service");
    let failover = wait_for_leader(&client, namespace, &b).await;
    wait_for("the new leader to repair the gap's drift", || async {
        exists(&services, "db").await
    })
    .await;
    let repaired = killed.elapsed().as_secs_f64();

    // A rolling update: a new standby comes up, the leader is asked to stop.
    let c = replica("replica-c", namespace);
    wait_for_standby(&c).await;
    b.signal("-TERM");
    let handover = wait_for_leader(&client, namespace, &c).await;
    let exited = b.child.wait().expect("wait for the stopped leader");
    assert!(
        exited.success(),
        "the stopped leader exits cleanly: {exited}\n{}",
        b.log()
    );
    configs
        .delete("db-config", &DeleteParams::default())
        .await
        .expect("delete the ConfigMap");
    wait_for("the third leader to repair", || async {
        exists(&configs, "db-config").await
    })
    .await;

    // Each replica wrote only in its own term.
    let (wa, wb, wc) = (a.writes(), b.writes(), c.writes());
    assert!(!wb.is_empty() && !wc.is_empty(), "every leader repaired");
    assert!(wa.last() < wb.first(), "a {wa:?} and b {wb:?} overlap");
    assert!(wb.last() < wc.first(), "b {wb:?} and c {wc:?} overlap");
    eprintln!(
        "failover after SIGKILL: leads after {failover:.1} s, the gap's drift repaired {repaired:.1} s after the kill (lease 15 s); handover after SIGTERM: {handover:.1} s"
    );
    drop(c);
    ns.delete().await;
}
