//! The matcher on changes other managers made to objects captured from a real API server.

use super::fixtures::*;
use super::*;
use k8s_openapi::api::apps::v1::Deployment;
use serde_json::json;

#[test]
fn our_field_changed_by_someone_drifts() {
    // Another manager's update takes the field out of our Apply entry.
    let cached = parse(include_str!(
        "fixtures/configmap-mode-changed-by-someone.json"
    ));
    assert_eq!(cached["data"]["mode"], "primary");
    assert_eq!(
        drift(&desired_configmap(), &cached, MANAGER),
        drifted("data.mode", DriftKind::NotOwned)
    );

    let cached = parse(include_str!(
        "fixtures/deployment-image-changed-by-someone.json"
    ));
    assert_eq!(
        drift(&desired_deployment(), &cached, MANAGER),
        drifted(
            "spec.template.spec.containers[name=db].image",
            DriftKind::NotOwned
        )
    );

    // `kubectl scale` writes through the scale subresource, and still takes `spec.replicas`.
    let cached = parse(include_str!("fixtures/deployment-scaled-by-someone.json"));
    assert_eq!(
        drift(&desired_deployment(), &cached, MANAGER),
        drifted("spec.replicas", DriftKind::NotOwned)
    );

    assert_eq!(drift(&desired_deployment(), &deployment(), MANAGER), None);
}

#[test]
fn our_field_removed_by_someone_drifts() {
    let cached = parse(include_str!(
        "fixtures/configmap-key-removed-by-someone.json"
    ));
    assert_eq!(
        drift(&desired_configmap(), &cached, MANAGER),
        drifted("data.max_connections", DriftKind::NotOwned)
    );

    let cached = parse(include_str!(
        "fixtures/configmap-label-removed-by-someone.json"
    ));
    assert_eq!(
        drift(&desired_configmap(), &cached, MANAGER),
        drifted(
            r#"metadata.labels["app.kubernetes.io/managed-by"]"#,
            DriftKind::NotOwned
        )
    );

    assert_eq!(drift(&desired_configmap(), &configmap(), MANAGER), None);
}

#[test]
fn other_managers_fields_changed_match_and_claiming_them_drifts() {
    // `someone` and `someone-else` own the `team` label and the `example.com/oncall` annotation.
    let cached = parse(include_str!("fixtures/configmap-others-label-changed.json"));
    assert_eq!(cached["metadata"]["labels"]["team"], "platform");
    assert_eq!(drift(&desired_configmap(), &cached, MANAGER), None);

    // kube-controller-manager's revision annotation and the deployment's status.
    assert_eq!(drift(&desired_deployment(), &deployment(), MANAGER), None);

    let mut desired = desired_configmap();
    desired["metadata"]["labels"]["team"] = json!("platform");
    assert_eq!(
        drift(&desired, &cached, MANAGER),
        drifted("metadata.labels.team", DriftKind::NotOwned)
    );
}

#[test]
fn a_key_someone_added_to_a_configmap_matches_until_we_want_it() {
    let cached = parse(include_str!("fixtures/configmap-key-added-by-someone.json"));
    assert_eq!(cached["data"]["extra"], "added by hand");
    assert_eq!(drift(&desired_configmap(), &cached, MANAGER), None);

    let mut desired = desired_configmap();
    desired["data"]["extra"] = json!("added by hand");
    assert_eq!(
        drift(&desired, &cached, MANAGER),
        drifted("data.extra", DriftKind::NotOwned)
    );
}

#[test]
fn no_apply_entry_of_ours_drifts() {
    // Made with `kubectl create`: one Update entry of `kubectl-create`.
    let cached = parse(include_str!("fixtures/owner-configmap.json"));
    let desired = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": { "name": "database-owner", "namespace": "matcher-fixtures" },
        "data": { "purpose": "owner" },
    });
    let no_entry = drifted("", DriftKind::NoApplyEntry);
    assert_eq!(drift(&desired, &cached, MANAGER), no_entry);
    assert_eq!(drift(&desired, &cached, "kubectl-create"), no_entry);

    let mut stripped = configmap();
    stripped["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("managedFields");
    assert_eq!(drift(&desired_configmap(), &stripped, MANAGER), no_entry);

    let mut status_only = configmap();
    status_only["metadata"]["managedFields"][0]["subresource"] = json!("status");
    assert_eq!(drift(&desired_configmap(), &status_only, MANAGER), no_entry);

    assert_eq!(drift(&desired_configmap(), &configmap(), MANAGER), None);
}

#[test]
fn drift_of_compares_typed_objects() {
    let typed = |text: &str| -> Deployment { serde_json::from_str(text).unwrap() };
    let desired = typed(include_str!("fixtures/desired-deployment.json"));
    let cached = typed(include_str!("fixtures/deployment.json"));
    assert_eq!(drift_of(&desired, &cached, MANAGER), None);

    let scaled = typed(include_str!("fixtures/deployment-scaled-by-someone.json"));
    assert_eq!(
        drift_of(&desired, &scaled, MANAGER),
        drifted("spec.replicas", DriftKind::NotOwned)
    );
}

#[test]
fn a_drift_displays_its_path_and_kind() {
    let cached = parse(include_str!(
        "fixtures/deployment-image-changed-by-someone.json"
    ));
    let image = drift(&desired_deployment(), &cached, MANAGER).expect("the image was taken over");
    assert_eq!(
        image.to_string(),
        "spec.template.spec.containers[name=db].image: desired but not owned by this field manager"
    );

    let cached = parse(include_str!("fixtures/owner-configmap.json"));
    let no_entry = drift(&desired_configmap(), &cached, MANAGER).expect("kubectl created it");
    assert_eq!(
        no_entry.to_string(),
        "no server-side apply entry of this field manager"
    );

    assert_eq!(drift(&desired_configmap(), &configmap(), MANAGER), None);
}
