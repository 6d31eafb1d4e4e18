//! What an operator's next version changes in its desired objects is drift: removed keys of
//! atomic maps, dropped fields whose value was a Go zero value, and quantities wherever their type
//! says so.

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::LimitRange;
use k8s_openapi::api::node::v1::RuntimeClass;
use serde_json::{Value, json};

use super::fixtures::{MANAGER, drifted};
use super::*;

/// `desired` as `Context::apply` sends it: with the digest of its content in an annotation.
fn stamped(mut desired: Value) -> Value {
    let digest = digest(&desired);
    desired["metadata"]["annotations"][APPLIED_DIGEST] = json!(digest);
    desired
}

/// `applied` as the API server stores it: with an `Apply` entry of `MANAGER` owning `fields`
/// (its `fieldsV1`), which always include the digest annotation.
fn stored(applied: &Value, mut fields: Value) -> Value {
    fields["f:metadata"]["f:annotations"][format!("f:{APPLIED_DIGEST}")] = json!({});
    let mut stored = applied.clone();
    stored["metadata"]["managedFields"] = json!([{
        "manager": MANAGER,
        "operation": "Apply",
        "fieldsType": "FieldsV1",
        "fieldsV1": fields,
    }]);
    stored
}

fn service(selector: Value) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": { "name": "db", "namespace": "ns" },
        "spec": { "selector": selector, "ports": [{ "port": 5432, "protocol": "TCP" }] },
    })
}

/// A Service's selector is an atomic map (`f:selector: {}`): owned whole.
fn service_fields() -> Value {
    json!({ "f:spec": {
        "f:selector": {},
        "f:ports": { r#"k:{"port":5432,"protocol":"TCP"}"#: { ".": {}, "f:port": {}, "f:protocol": {} } },
    } })
}

#[test]
fn a_key_removed_from_an_atomic_map_drifts() {
    let before = stamped(service(json!({ "app": "a1", "role": "primary" })));
    let cached = stored(&before, service_fields());
    assert_eq!(drift(&before, &cached, MANAGER), None, "as applied");

    let shrunk = stamped(service(json!({ "app": "a1" })));
    assert_eq!(
        drift(&shrunk, &cached, MANAGER),
        drifted("", DriftKind::DesiredChanged)
    );

    let grown = stamped(service(
        json!({ "app": "a1", "role": "primary", "zone": "a" }),
    ));
    assert_eq!(
        drift(&grown, &cached, MANAGER),
        drifted("", DriftKind::DesiredChanged)
    );
}

#[test]
fn the_field_set_alone_cannot_show_a_key_removed_from_an_atomic_map() {
    // Why the digest exists: the server may add keys inside an atomic value (defaults), so the
    // cached value is compared as a superset of the desired one.
    let before = service(json!({ "app": "a1", "role": "primary" }));
    let cached = stored(&before, service_fields());
    let shrunk = service(json!({ "app": "a1" }));
    assert_eq!(drift(&shrunk, &cached, MANAGER), None);
}

#[test]
fn a_dropped_field_whose_value_was_a_go_zero_value_drifts() {
    let pod = |security: Value| json!({ "metadata": { "name": "p" }, "spec": { "securityContext": security } });
    let fields = json!({ "f:spec": { "f:securityContext": {
        "f:runAsUser": {}, "f:runAsNonRoot": {},
    } } });
    let as_root = pod(json!({ "runAsUser": 0, "runAsNonRoot": false }));
    let cached = stored(&stamped(as_root.clone()), fields);

    // Without the digest, the field set shows it too: owned, no longer desired.
    let dropped = pod(json!({ "runAsNonRoot": false }));
    assert_eq!(
        drift(&dropped, &cached, MANAGER),
        drifted("spec.securityContext.runAsUser", DriftKind::NoLongerWanted)
    );
    let dropped = pod(json!({ "runAsUser": 0 }));
    assert_eq!(
        drift(&dropped, &cached, MANAGER),
        drifted(
            "spec.securityContext.runAsNonRoot",
            DriftKind::NoLongerWanted
        )
    );
    assert_eq!(
        drift(&stamped(pod(json!({ "runAsUser": 0 }))), &cached, MANAGER),
        drifted("", DriftKind::DesiredChanged)
    );
    assert_eq!(drift(&stamped(as_root), &cached, MANAGER), None);
}

#[test]
fn a_dropped_label_or_key_whose_value_was_empty_drifts() {
    let config = |labels: Value, data: Value| json!({ "metadata": { "name": "c", "labels": labels }, "data": data });
    let fields = json!({
        "f:metadata": { "f:labels": { "f:tier": {} } },
        "f:data": { "f:flag": {}, "f:mode": {} },
    });
    let cached = stored(
        &config(json!({ "tier": "" }), json!({ "flag": "", "mode": "a" })),
        fields,
    );
    assert_eq!(
        drift(
            &config(json!({}), json!({ "flag": "", "mode": "a" })),
            &cached,
            MANAGER
        ),
        drifted(r#"metadata.labels.tier"#, DriftKind::NoLongerWanted)
    );
    assert_eq!(
        drift(
            &config(json!({ "tier": "" }), json!({ "mode": "a" })),
            &cached,
            MANAGER
        ),
        drifted("data.flag", DriftKind::NoLongerWanted)
    );
}

#[test]
fn quantities_are_recognised_by_their_type_wherever_they_are() {
    let hpa = |average: &str, managed: bool| -> HorizontalPodAutoscaler {
        let mut hpa = json!({
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": { "name": "db" },
            "spec": {
                "scaleTargetRef": { "kind": "Deployment", "name": "db" },
                "maxReplicas": 3,
                "metrics": [{ "type": "Resource", "resource": { "name": "cpu",
                    "target": { "type": "AverageValue", "averageValue": average } } }],
            },
        });
        if managed {
            hpa = stored(
                &hpa,
                json!({ "f:spec": { "f:maxReplicas": {}, "f:metrics": {},
                "f:scaleTargetRef": { "f:kind": {}, "f:name": {} } } }),
            );
        }
        serde_json::from_value(hpa).unwrap()
    };
    assert_eq!(
        drift_of(&hpa("0.5", false), &hpa("500m", true), MANAGER),
        None
    );
    assert_eq!(
        drift_of(&hpa("0.6", false), &hpa("500m", true), MANAGER),
        drifted("spec.metrics", DriftKind::ValueDiffers)
    );

    let limits = |max: &str, managed: bool| -> LimitRange {
        let mut range = json!({
            "metadata": { "name": "l" },
            "spec": { "limits": [{ "type": "Container", "max": { "memory": max } }] },
        });
        if managed {
            range = stored(&range, json!({ "f:spec": { "f:limits": {} } }));
        }
        serde_json::from_value(range).unwrap()
    };
    assert_eq!(
        drift_of(&limits("1Gi", false), &limits("1024Mi", true), MANAGER),
        None
    );
    assert!(drift_of(&limits("1G", false), &limits("1024Mi", true), MANAGER).is_some());

    let runtime = |cpu: &str, managed: bool| -> RuntimeClass {
        let mut class = json!({
            "metadata": { "name": "r" },
            "handler": "runc",
            "overhead": { "podFixed": { "cpu": cpu } },
        });
        if managed {
            class = stored(
                &class,
                json!({ "f:handler": {},
                "f:overhead": { "f:podFixed": { "f:cpu": {} } } }),
            );
        }
        serde_json::from_value(class).unwrap()
    };
    assert_eq!(
        drift_of(&runtime("0.25", false), &runtime("250m", true), MANAGER),
        None
    );
    assert_eq!(
        drift_of(&runtime("0.3", false), &runtime("250m", true), MANAGER),
        drifted("overhead.podFixed.cpu", DriftKind::ValueDiffers)
    );
}

#[test]
fn a_string_that_looks_like_a_quantity_is_a_string() {
    // A ConfigMap value is text: "0.5" and "500m" are different settings.
    let config = |value: &str| json!({ "metadata": { "name": "c" }, "data": { "cpu": value } });
    let cached = stored(&config("500m"), json!({ "f:data": { "f:cpu": {} } }));
    let desired: k8s_openapi::api::core::v1::ConfigMap =
        serde_json::from_value(config("0.5")).unwrap();
    let cached: k8s_openapi::api::core::v1::ConfigMap = serde_json::from_value(cached).unwrap();
    assert_eq!(
        drift_of(&desired, &cached, MANAGER),
        drifted("data.cpu", DriftKind::ValueDiffers)
    );
}

#[test]
fn a_secrets_string_data_compares_with_the_data_it_was_stored_as() {
    // As the API server stores `stringData: {pw: hello}` applied by MANAGER (seen on a real one).
    let cached: k8s_openapi::api::core::v1::Secret = serde_json::from_value(stored(
        &json!({ "metadata": { "name": "s" }, "data": { "pw": "aGVsbG8=" } }),
        json!({ "f:stringData": { "f:pw": {} } }),
    ))
    .unwrap();
    let desired = |pw: &str| -> k8s_openapi::api::core::v1::Secret {
        serde_json::from_value(json!({ "metadata": { "name": "s" }, "stringData": { "pw": pw } }))
            .unwrap()
    };
    assert_eq!(drift_of(&desired("hello"), &cached, MANAGER), None);
    assert_eq!(
        drift_of(&desired("changed"), &cached, MANAGER),
        drifted("stringData.pw", DriftKind::ValueDiffers)
    );
}
