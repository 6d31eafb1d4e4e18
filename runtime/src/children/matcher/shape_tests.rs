//! The matcher on hand-built field sets, for shapes the captured objects do not show: lists owned
//! by index, Go zero values, and field sets or values that disagree.

use super::fixtures::{MANAGER, drifted};
use super::*;
use serde_json::json;

/// A cached object whose only managed-fields entry is an Apply of `MANAGER` owning `fields`.
fn applied(fields: Value, spec: Value) -> Value {
    json!({
        "metadata": {
            "managedFields": [{
                "manager": MANAGER,
                "operation": "Apply",
                "fieldsType": "FieldsV1",
                "fieldsV1": fields,
            }],
        },
        "spec": spec,
    })
}

#[test]
fn lists_owned_by_index_compare_position_by_position() {
    let cached = applied(
        json!({ "f:spec": { "f:steps": { "i:0": {}, "i:1": { "f:run": {} } } } }),
        json!({ "steps": ["build", { "run": "test", "image": "rust" }] }),
    );
    let desired = json!({ "spec": { "steps": ["build", { "run": "test" }] } });
    assert_eq!(drift(&desired, &cached, MANAGER), None);

    let desired = json!({ "spec": { "steps": ["build", { "run": "lint" }] } });
    assert_eq!(
        drift(&desired, &cached, MANAGER),
        drifted("spec.steps[1].run", DriftKind::ValueDiffers)
    );

    let desired = json!({ "spec": { "steps": ["build", { "run": "test" }, "deploy"] } });
    assert_eq!(
        drift(&desired, &cached, MANAGER),
        drifted("spec.steps[2]", DriftKind::NotOwned)
    );
}

#[test]
fn go_zero_values_the_server_omits_match_their_absence() {
    // Applying `hostNetwork: false` and an env value `""` stores neither, while the Apply entry
    // owns both (seen on a real API server).
    let cached = applied(
        json!({ "f:spec": {
            "f:hostNetwork": {},
            "f:env": { r#"k:{"name":"E"}"#: { ".": {}, "f:name": {}, "f:value": {} } },
        } }),
        json!({ "env": [{ "name": "E" }] }),
    );
    let desired =
        json!({ "spec": { "hostNetwork": false, "env": [{ "name": "E", "value": "" }] } });
    assert_eq!(drift(&desired, &cached, MANAGER), None);

    let desired = json!({ "spec": { "hostNetwork": true, "env": [{ "name": "E", "value": "" }] } });
    assert_eq!(
        drift(&desired, &cached, MANAGER),
        drifted("spec.hostNetwork", DriftKind::ValueDiffers)
    );
}

#[test]
fn a_value_that_is_not_what_the_field_set_says_drifts() {
    let fields = json!({ "f:spec": { "f:data": { "f:mode": {} } } });
    let desired = json!({ "spec": { "data": { "mode": "replica" } } });
    assert_eq!(
        drift(
            &desired,
            &applied(fields.clone(), json!({ "data": { "mode": "replica" } })),
            MANAGER
        ),
        None
    );

    let cached = applied(fields.clone(), json!({ "data": "not a map" }));
    assert_eq!(
        drift(&desired, &cached, MANAGER),
        drifted("spec.data", DriftKind::UnexpectedShape)
    );

    let cached = applied(fields, json!({ "data": { "mode": "replica" } }));
    let desired = json!({ "spec": { "data": ["mode", "replica"] } });
    assert_eq!(
        drift(&desired, &cached, MANAGER),
        drifted("spec.data", DriftKind::UnexpectedShape)
    );
    assert_eq!(
        drift(&json!("not an object"), &cached, MANAGER),
        drifted("", DriftKind::UnexpectedShape)
    );
}

#[test]
fn a_field_set_that_cannot_be_read_drifts() {
    let spec = json!({ "ports": [{ "port": 80 }] });
    let desired = json!({ "spec": { "ports": [{ "port": 80 }] } });
    let readable = json!({ "f:spec": { "f:ports": { r#"k:{"port":80}"#: { "f:port": {} } } } });
    assert_eq!(
        drift(&desired, &applied(readable, spec.clone()), MANAGER),
        None
    );

    let key_not_json = json!({ "f:spec": { "f:ports": { "k:{port": { "f:port": {} } } } });
    assert_eq!(
        drift(&desired, &applied(key_not_json, spec.clone()), MANAGER),
        drifted("spec.ports", DriftKind::UnexpectedShape)
    );

    let mixed = json!({ "f:spec": { "f:ports": { r#"k:{"port":80}"#: {}, "i:0": {} } } });
    assert_eq!(
        drift(&desired, &applied(mixed, spec.clone()), MANAGER),
        drifted("spec.ports", DriftKind::UnexpectedShape)
    );

    let not_a_map = json!({ "f:spec": { "f:ports": ["k:{\"port\":80}"] } });
    assert_eq!(
        drift(&desired, &applied(not_a_map, spec), MANAGER),
        drifted("spec.ports", DriftKind::UnexpectedShape)
    );
}
