//! The matcher on changes to the desired object, against objects captured from a real API server.

use super::fixtures::*;
use super::*;
use serde_json::json;

#[test]
fn objects_as_applied_match_and_a_changed_desired_value_drifts() {
    assert_eq!(drift(&desired_configmap(), &configmap(), MANAGER), None);
    assert_eq!(drift(&desired_deployment(), &deployment(), MANAGER), None);
    assert_eq!(drift(&desired_service(), &service(), MANAGER), None);

    let mut desired = desired_configmap();
    desired["data"]["mode"] = json!("primary");
    assert_eq!(
        drift(&desired, &configmap(), MANAGER),
        drifted("data.mode", DriftKind::ValueDiffers)
    );
}

#[test]
fn server_defaulted_fields_match_unless_desired_sets_them() {
    let cached = deployment();
    let db = &cached["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(db["ports"][0]["protocol"], "TCP");
    assert_eq!(db["imagePullPolicy"], "IfNotPresent");
    assert_eq!(
        cached["spec"]["template"]["spec"]["terminationGracePeriodSeconds"],
        30
    );
    assert_eq!(cached["spec"]["revisionHistoryLimit"], 10);
    assert_eq!(drift(&desired_deployment(), &cached, MANAGER), None);

    let cached = service();
    assert_eq!(cached["spec"]["sessionAffinity"], "None");
    assert_eq!(drift(&desired_service(), &cached, MANAGER), None);

    // Setting a defaulted field, even to its default, is taking it over.
    let mut desired = desired_deployment();
    desired["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = json!("IfNotPresent");
    assert_eq!(
        drift(&desired, &deployment(), MANAGER),
        drifted(
            "spec.template.spec.containers[name=db].imagePullPolicy",
            DriftKind::NotOwned
        )
    );
    let mut desired = desired_service();
    desired["spec"]["sessionAffinity"] = json!("ClientIP");
    assert_eq!(
        drift(&desired, &service(), MANAGER),
        drifted("spec.sessionAffinity", DriftKind::NotOwned)
    );
}

#[test]
fn quantities_compare_as_amounts() {
    let desired = desired_deployment();
    let cached = deployment();
    let resources = "/spec/template/spec/containers/0/resources";
    let cpu = |value: &Value| {
        let cpu = &value.pointer(resources).unwrap()["limits"]["cpu"];
        super::typed::marked_quantity(cpu).unwrap().to_owned()
    };
    assert_eq!(cpu(&desired), "1000m");
    assert_eq!(cpu(&cached), "1");
    assert_eq!(drift(&desired, &cached, MANAGER), None);

    let mut desired = desired_deployment();
    let db = desired.pointer_mut(resources).unwrap();
    db["limits"]["memory"] = json!("1024Mi");
    db["requests"]["cpu"] = json!("0.5");
    assert_eq!(drift(&desired, &cached, MANAGER), None);

    let db = desired.pointer_mut(resources).unwrap();
    db["limits"]["cpu"] = json!("1001m");
    assert_eq!(
        drift(&desired, &cached, MANAGER),
        drifted(
            "spec.template.spec.containers[name=db].resources.limits.cpu",
            DriftKind::ValueDiffers
        )
    );
}

#[test]
fn keyed_lists_reordered_in_desired_match() {
    let mut desired = desired_deployment();
    let pod = &mut desired["spec"]["template"]["spec"];
    pod["containers"].as_array_mut().unwrap().reverse();
    assert_eq!(pod["containers"][1]["name"], "db");
    pod["containers"][1]["ports"]
        .as_array_mut()
        .unwrap()
        .reverse();
    pod["containers"][1]["env"]
        .as_array_mut()
        .unwrap()
        .reverse();
    assert_eq!(drift(&desired, &deployment(), MANAGER), None);

    let mut desired = desired_service();
    desired["spec"]["ports"].as_array_mut().unwrap().reverse();
    assert_eq!(drift(&desired, &service(), MANAGER), None);

    // Pairing is by key, not by position: swapping two values is drift.
    let mut desired = desired_deployment();
    let env = &mut desired["spec"]["template"]["spec"]["containers"][0]["env"];
    env[0]["value"] = json!("/var/lib/postgresql/data/pgdata");
    env[1]["value"] = json!("app");
    assert_eq!(
        drift(&desired, &deployment(), MANAGER),
        drifted(
            "spec.template.spec.containers[name=db].env[name=POSTGRES_DB].value",
            DriftKind::ValueDiffers
        )
    );
}

#[test]
fn a_port_without_protocol_pairs_with_the_entry_keyed_by_the_defaulted_protocol() {
    let desired = desired_service();
    assert_eq!(desired["spec"]["ports"][0].get("protocol"), None);
    // The cache keeps the field set as text.
    let set = service()["metadata"]["managedFields"][0]["fieldsV1"].clone();
    let set: serde_json::Value = serde_json::from_str(set.as_str().unwrap()).unwrap();
    assert!(
        set["f:spec"]["f:ports"]
            .get(r#"k:{"port":5432,"protocol":"TCP"}"#)
            .is_some()
    );
    assert_eq!(drift(&desired, &service(), MANAGER), None);

    let mut desired = desired_service();
    desired["spec"]["ports"][0]["protocol"] = json!("UDP");
    assert_eq!(
        drift(&desired, &service(), MANAGER),
        drifted("spec.ports[port=5432,protocol=UDP]", DriftKind::NotOwned)
    );
}

#[test]
fn a_field_newly_added_to_desired_drifts() {
    let mut desired = desired_deployment();
    desired["spec"]["minReadySeconds"] = json!(10);
    assert_eq!(
        drift(&desired, &deployment(), MANAGER),
        drifted("spec.minReadySeconds", DriftKind::NotOwned)
    );

    let mut desired = desired_deployment();
    let env = &mut desired["spec"]["template"]["spec"]["containers"][1]["env"];
    env.as_array_mut()
        .unwrap()
        .push(json!({ "name": "PG_EXPORTER_WEB_TELEMETRY_PATH", "value": "/metrics" }));
    assert_eq!(
        drift(&desired, &deployment(), MANAGER),
        drifted(
            "spec.template.spec.containers[name=metrics].env[name=PG_EXPORTER_WEB_TELEMETRY_PATH]",
            DriftKind::NotOwned
        )
    );

    assert_eq!(drift(&desired_deployment(), &deployment(), MANAGER), None);
}

#[test]
fn empty_desired_fields_are_not_drift() {
    let mut desired = desired_deployment();
    desired["spec"]["template"]["spec"]["volumes"] = json!([]);
    desired["spec"]["template"]["spec"]["nodeSelector"] = json!({});
    desired["spec"]["paused"] = Value::Null;
    desired["spec"]["template"]["spec"]["affinity"] =
        json!({ "nodeAffinity": null, "podAffinity": {} });
    assert_eq!(drift(&desired, &deployment(), MANAGER), None);

    desired["spec"]["template"]["spec"]["nodeSelector"] = json!({ "disk": "ssd" });
    assert_eq!(
        drift(&desired, &deployment(), MANAGER),
        drifted("spec.template.spec.nodeSelector", DriftKind::NotOwned)
    );
}

#[test]
fn a_field_we_own_that_desired_dropped_drifts() {
    let mut desired = desired_configmap();
    desired["data"]
        .as_object_mut()
        .unwrap()
        .remove("max_connections");
    assert_eq!(
        drift(&desired, &configmap(), MANAGER),
        drifted("data.max_connections", DriftKind::NoLongerWanted)
    );

    let mut desired = desired_deployment();
    desired["spec"]["template"]["spec"]["containers"]
        .as_array_mut()
        .unwrap()
        .remove(1);
    assert_eq!(
        drift(&desired, &deployment(), MANAGER),
        drifted(
            "spec.template.spec.containers[name=metrics]",
            DriftKind::NoLongerWanted
        )
    );

    let mut desired = desired_service();
    desired["spec"]["selector"] = Value::Null;
    assert_eq!(
        drift(&desired, &service(), MANAGER),
        drifted("spec.selector", DriftKind::NoLongerWanted)
    );

    assert_eq!(drift(&desired_service(), &service(), MANAGER), None);
}

#[test]
fn finalizers_are_a_set_of_owned_values() {
    let desired = parse(include_str!(
        "fixtures/desired-configmap-with-finalizers.json"
    ));
    let cached = parse(include_str!("fixtures/configmap-with-finalizers.json"));
    // The cached object also carries other managers' label, annotation and data key.
    assert_eq!(drift(&desired, &cached, MANAGER), None);

    let mut reordered = desired.clone();
    reordered["metadata"]["finalizers"]
        .as_array_mut()
        .unwrap()
        .reverse();
    assert_eq!(drift(&reordered, &cached, MANAGER), None);

    let mut fewer = desired.clone();
    fewer["metadata"]["finalizers"]
        .as_array_mut()
        .unwrap()
        .pop();
    assert_eq!(
        drift(&fewer, &cached, MANAGER),
        drifted(
            "metadata.finalizers[=example.com/backup]",
            DriftKind::NoLongerWanted
        )
    );

    let mut more = desired;
    more["metadata"]["finalizers"]
        .as_array_mut()
        .unwrap()
        .push(json!("example.com/audit"));
    assert_eq!(
        drift(&more, &cached, MANAGER),
        drifted(
            "metadata.finalizers[=example.com/audit]",
            DriftKind::NotOwned
        )
    );
}
