use super::*;

fn primary(conditions: Value) -> Value {
    json!({
        "metadata": { "name": "db", "generation": 3, "resourceVersion": "41" },
        "status": { "conditions": conditions },
    })
}

fn failure(message: &str) -> Failure {
    Failure {
        handler: "reconcile_secondaries",
        message: message.into(),
    }
}

fn ready() -> Value {
    json!({"type": "Ready", "status": "True", "reason": "Up", "message": "", "lastTransitionTime": "2026-01-01T00:00:00Z"})
}

#[test]
fn a_failure_adds_the_condition_beside_the_others_with_a_version_precondition() {
    let patch = patch(
        &primary(json!([ready()])),
        Some(&failure("port 80 taken")),
        "NOW",
    )
    .unwrap();
    assert_eq!(patch["metadata"]["resourceVersion"], "41");
    let conditions = patch["status"]["conditions"].as_array().unwrap();
    assert_eq!(conditions[0], ready());
    assert_eq!(
        conditions[1],
        json!({"type": CONDITION, "status": "True", "reason": "ReconcileSecondariesError",
               "message": "port 80 taken", "lastTransitionTime": "NOW", "observedGeneration": 3})
    );
}

#[test]
fn the_same_failure_again_writes_nothing_and_a_new_cause_keeps_the_transition_time() {
    let written = patch(&primary(json!([])), Some(&failure("a")), "T1").unwrap();
    let stored = primary(written["status"]["conditions"].clone());
    assert_eq!(patch(&stored, Some(&failure("a")), "T2"), None);
    let changed = patch(&stored, Some(&failure("b")), "T2").unwrap();
    assert_eq!(
        changed["status"]["conditions"][0]["lastTransitionTime"],
        "T1"
    );
    assert_eq!(changed["status"]["conditions"][0]["message"], "b");
}

#[test]
fn success_clears_a_failure_and_writes_nothing_for_a_healthy_primary() {
    assert_eq!(patch(&primary(json!([ready()])), None, "T"), None);
    let failed = patch(&primary(json!([])), Some(&failure("a")), "T1").unwrap();
    let stored = primary(failed["status"]["conditions"].clone());
    let cleared = patch(&stored, None, "T2").unwrap();
    let condition = &cleared["status"]["conditions"][0];
    assert_eq!(condition["status"], "False");
    assert_eq!(condition["reason"], "Succeeded");
    assert_eq!(condition["lastTransitionTime"], "T2");
    let stored = primary(cleared["status"]["conditions"].clone());
    assert_eq!(patch(&stored, None, "T3"), None);
}

#[test]
fn a_status_write_clears_a_failure_it_carries_and_only_then() {
    let failed = patch(&primary(json!([ready()])), Some(&failure("a")), "T1").unwrap();
    let status = json!({ "size": 2, "conditions": failed["status"]["conditions"].clone() });
    let conditions = cleared(Some(4), &status).expect("a failure to clear");
    assert_eq!(conditions[0], ready(), "the others as they are");
    assert_eq!(
        (
            &conditions[1]["status"],
            &conditions[1]["observedGeneration"]
        ),
        (&json!("False"), &json!(4))
    );
    assert_eq!(cleared(Some(4), &json!({ "conditions": [ready()] })), None);
    assert_eq!(cleared(None, &json!({ "size": 2 })), None);
    let cleared = cleared(None, &status).expect("a failure to clear");
    assert!(cleared[1].get("observedGeneration").is_none());
}

#[test]
fn a_long_cause_is_cut() {
    let long = "é".repeat(MAX_MESSAGE);
    let patch = patch(&primary(json!([])), Some(&failure(&long)), "T").unwrap();
    let message = patch["status"]["conditions"][0]["message"]
        .as_str()
        .unwrap();
    assert!(message.len() <= MAX_MESSAGE);
}
