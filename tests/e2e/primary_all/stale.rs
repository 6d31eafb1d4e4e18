//! A watch that keeps failing is not served as if it were current: once it has failed for the
//! configured bound, answers carry an `error` on its kind and `/readyz` fails. The watch is
//! broken for real: the child kind's CRD is deleted under a running server.

use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Api;
use kube::api::{DeleteParams, GroupVersionKind, PostParams};
use kube_secondary_apiserver::KindSpec;
use kube_secondary_examples::database::Database;

use super::fixtures::{create, database};
use super::pki::Pki;
use super::requests::{AS_ADMIN, Identity, database_path, direct, get};
use super::serving::start;
use super::shared::{DATABASES, server_config};
use crate::support::{setup, wait_for};

const GROUP: &str = "pa-stale.kube-secondary.dev";

/// A namespaced kind `Gadget` of [`GROUP`] that takes any content.
fn gadget_crd() -> CustomResourceDefinition {
    serde_json::from_value(serde_json::json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": { "name": format!("gadgets.{GROUP}") },
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": { "kind": "Gadget", "plural": "gadgets", "singular": "gadget" },
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "schema": { "openAPIV3Schema": {
                    "type": "object", "x-kubernetes-preserve-unknown-fields": true,
                } },
            }],
        },
    }))
    .expect("a CRD")
}

#[tokio::test]
async fn a_watch_that_keeps_failing_shows_as_an_error_on_its_kind_and_fails_readyz() {
    let (client, ns) = setup::<Database>("pa-stale").await;
    let crds = Api::<CustomResourceDefinition>::all(client.clone());
    let crd = gadget_crd();
    let crd_name = crd.metadata.name.clone().expect("a name");
    let _ = crds.delete(&crd_name, &DeleteParams::default()).await;
    wait_for("an earlier Gadget CRD to go", || async {
        crds.get_opt(&crd_name)
            .await
            .expect("get the CRD")
            .is_none()
    })
    .await;
    crds.create(&PostParams::default(), &crd)
        .await
        .expect("create the Gadget CRD");
    let gvk = GroupVersionKind::gvk(GROUP, "v1", "Gadget");
    wait_for("the Gadget kind to be served", || async {
        kube::discovery::pinned_kind(&client, &gvk).await.is_ok()
    })
    .await;
    create(&client, ns.name(), database("db")).await;

    let pki = Pki::from_env();
    let mut config = server_config(&pki, &[DATABASES]);
    config.children = vec![
        KindSpec::parse("v1/ConfigMap").expect("a kind"),
        KindSpec::parse(&format!("{GROUP}/v1/Gadget")).expect("a kind"),
    ];
    config.serving.stale_after = Duration::from_secs(1);
    config.serving.shutdown_delay = Duration::ZERO;
    let server = start(config).await;
    let addr = server.local_addr();
    let front_proxy = direct(addr, Identity::FrontProxy, &AS_ADMIN);
    let path = database_path(ns.name(), "db", 1);
    let reply = get(&front_proxy, &path).await;
    let answer = reply.primary_all();
    assert!(
        answer.secondaries.iter().all(|kind| kind.error.is_none()),
        "{}",
        reply.body
    );

    crds.delete(&crd_name, &DeleteParams::default())
        .await
        .expect("delete the Gadget CRD");
    let probe = direct(addr, Identity::Nobody, &[]);
    wait_for("/readyz to fail naming the Gadget cache", || async {
        let reply = get(&probe, "/readyz").await;
        reply.status == 503 && reply.body.contains("Gadget")
    })
    .await;
    let reply = get(&front_proxy, &path).await;
    let answer = reply.primary_all();
    let gadget = answer
        .secondaries
        .iter()
        .find(|kind| kind.kind == "Gadget")
        .unwrap_or_else(|| panic!("no Gadget entry: {}", reply.body));
    let error = gadget.error.as_deref().unwrap_or_default();
    assert!(error.starts_with("stale: "), "{}", reply.body);
    eprintln!("stale kind answered with: {error}");

    server.shutdown().await;
    ns.delete().await;
}
