use super::*;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::node::v1::RuntimeClass;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::collections::BTreeMap;

/// `value` with every marked quantity replaced by its text.
fn unmark(value: Value) -> Value {
    if let Some(text) = marked_quantity(&value) {
        return Value::String(text.to_owned());
    }
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(unmark).collect()),
        Value::Object(map) => map.into_iter().map(|(k, v)| (k, unmark(v))).collect(),
        other => other,
    }
}

/// The marked value of the `T` read from `json`, checked to un-mark to serde_json's value.
fn marked<T: Serialize + DeserializeOwned>(json: Value) -> Value {
    let object: T = serde_json::from_value(json).unwrap();
    let marked = to_marked_value(&object).unwrap();
    let plain = serde_json::to_value(&object).unwrap();
    assert_eq!(unmark(marked.clone()), plain);
    marked
}

#[test]
fn deployment_limits_are_marked() {
    let value = marked::<Deployment>(json!({
        "metadata": { "name": "web", "labels": { "app": "web" } },
        "spec": {
            "replicas": 2,
            "selector": { "matchLabels": { "app": "web" } },
            "template": { "spec": { "containers": [{
                "name": "web",
                "image": "nginx:1.27",
                "args": ["--port", "80"],
                "resources": { "limits": { "cpu": "500m" } },
            }] } },
        },
    }));
    let cpu = value.pointer("/spec/template/spec/containers/0/resources/limits/cpu");
    assert_eq!(cpu, Some(&json!({ QUANTITY: "500m" })));
}

#[test]
fn hpa_target_and_runtime_class_overhead_are_marked() {
    let hpa = marked::<HorizontalPodAutoscaler>(json!({
        "spec": {
            "maxReplicas": 5,
            "scaleTargetRef": { "kind": "Deployment", "name": "web" },
            "metrics": [{
                "type": "Resource",
                "resource": {
                    "name": "memory",
                    "target": { "type": "AverageValue", "averageValue": "1Gi" },
                },
            }],
        },
    }));
    let target = hpa.pointer("/spec/metrics/0/resource/target/averageValue");
    assert_eq!(target, Some(&json!({ QUANTITY: "1Gi" })));

    let runtime_class = marked::<RuntimeClass>(json!({
        "metadata": { "name": "sandboxed" },
        "handler": "runsc",
        "overhead": { "podFixed": { "cpu": "250m", "memory": "120Mi" } },
    }));
    let pod_fixed = &runtime_class["overhead"]["podFixed"];
    assert_eq!(pod_fixed["cpu"], json!({ QUANTITY: "250m" }));
    assert_eq!(pod_fixed["memory"], json!({ QUANTITY: "120Mi" }));
}

#[test]
fn marked_quantity_only_reads_marked_values() {
    assert_eq!(marked_quantity(&json!({ QUANTITY: "0.5" })), Some("0.5"));
    assert_eq!(marked_quantity(&json!("0.5")), None);
    assert_eq!(marked_quantity(&json!({ "cpu": "0.5" })), None);
    assert_eq!(marked_quantity(&json!({ QUANTITY: "0.5", "x": 1 })), None);
    assert_eq!(marked_quantity(&json!({ QUANTITY: 1 })), None);
}

#[test]
fn plain_values_serialise_as_serde_json_does() {
    #[derive(Serialize)]
    enum Shape {
        Point,
        Circle(f64),
        Pair(u8, char),
        Square { side: u32 },
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Plain {
        shapes: Vec<Shape>,
        missing: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<String>,
        counts: BTreeMap<String, i32>,
        by_number: BTreeMap<i64, bool>,
        big: u64,
        ratio: f64,
        not_a_number: f64,
        wide: (i128, u128),
        unit: (),
    }
    let plain = Plain {
        shapes: vec![
            Shape::Point,
            Shape::Circle(1.5),
            Shape::Pair(7, 'x'),
            Shape::Square { side: 2 },
        ],
        missing: None,
        skipped: None,
        counts: BTreeMap::from([("a".to_owned(), 1), ("b".to_owned(), -2)]),
        by_number: BTreeMap::from([(-1, true), (10, false)]),
        big: u64::MAX,
        ratio: 0.25,
        not_a_number: f64::NAN,
        wide: (-5, 1 << 40),
        unit: (),
    };
    let expected = serde_json::to_value(&plain).unwrap();
    assert_eq!(to_marked_value(&plain).unwrap(), expected);
}
