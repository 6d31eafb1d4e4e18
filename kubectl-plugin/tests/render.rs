//! The tree of a committed response, exactly: a Database with a ConfigMap, a Deployment with its
//! ReplicaSets and their Pods, a label-mapped Pod with no controller, a Service, a kind the API
//! could not serve, and Secrets the caller may not list.

use k8s_openapi::jiff::Timestamp;
use kube_secondary::primary_all::PrimaryAll;
use kubectl_secondaries::render;

#[test]
fn a_database_and_everything_it_made() {
    let response = include_str!("fixtures/database.json");
    let response: PrimaryAll = serde_json::from_str(response).expect("a PrimaryAll");
    let now: Timestamp = "2026-05-01T12:00:00Z".parse().unwrap();
    assert_eq!(
        render(&response, now),
        include_str!("fixtures/database.txt")
    );
}
