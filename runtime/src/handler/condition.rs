//! A primary whose handlers fail says so where people look: the `ReconcileFailed` condition in
//! its status, `True` with the cause while runs fail, `False` once one succeeds again.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::Client;
use kube::api::{Patch, PatchParams};
use kube::runtime::reflector::ObjectRef;
use serde_json::{Value, json};

use crate::aware::SecondaryAware;
use crate::kinds::resource::dynamic_api;

/// The condition's type.
pub const CONDITION: &str = "ReconcileFailed";

/// The condition the runtime sets on every primary while a watch of its kinds has been failing
/// for [`WATCH_FAILING_BOUND`](crate::metrics::WATCH_FAILING_BOUND): `True` naming the watches
/// and their latest errors, `False` (reason `Watching`) once every watch works again.
pub const STALE: &str = "SecondariesStale";

/// Sets `condition` in `conditions` as apimachinery's `meta.SetStatusCondition` does: it
/// replaces the condition of its type, keeping that one's `lastTransitionTime` while the status
/// stays the same, so setting an unchanged condition again leaves `conditions` as it was.
///
/// ```
/// use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
/// use k8s_openapi::jiff::Timestamp;
/// use kube_secondary::condition;
///
/// let ready = |status: &str, at: i64| Condition {
///     type_: "Ready".into(),
///     status: status.into(),
///     reason: "Applied".into(),
///     message: String::new(),
///     observed_generation: Some(1),
///     last_transition_time: Time(Timestamp::from_second(at).unwrap()),
/// };
/// let mut conditions = vec![ready("True", 100)];
/// condition::set(&mut conditions, ready("True", 200));
/// assert_eq!(conditions, vec![ready("True", 100)], "same status: no transition");
/// condition::set(&mut conditions, ready("False", 300));
/// assert_eq!(conditions, vec![ready("False", 300)]);
/// ```
pub fn set(conditions: &mut Vec<Condition>, mut condition: Condition) {
    match conditions.iter_mut().find(|c| c.type_ == condition.type_) {
        Some(stored) => {
            if stored.status == condition.status {
                condition.last_transition_time = stored.last_transition_time.clone();
            }
            *stored = condition;
        }
        None => conditions.push(condition),
    }
}

/// A condition of `primary` in one call: `type_` is `True` or `False` (`status`) for `reason`,
/// with `message`; `observedGeneration` is the primary's generation and `lastTransitionTime` now
/// (which [`set`] replaces with the stored one while the status holds).
///
/// ```
/// use k8s_openapi::api::apps::v1::Deployment;
/// use kube_secondary::condition;
///
/// let mut primary = Deployment::default();
/// primary.metadata.generation = Some(4);
/// let mut conditions = Vec::new();
/// condition::set(&mut conditions, condition::new(&primary, "Available", true, "Scaled", "3 of 3 ready"));
/// assert_eq!((conditions[0].status.as_str(), conditions[0].observed_generation), ("True", Some(4)));
/// ```
pub fn new<P: kube::Resource>(
    primary: &P,
    type_: &str,
    status: bool,
    reason: &str,
    message: impl Into<String>,
) -> Condition {
    Condition {
        type_: type_.to_string(),
        status: if status { "True" } else { "False" }.to_string(),
        reason: reason.to_string(),
        message: message.into(),
        observed_generation: primary.meta().generation,
        last_transition_time: k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
            k8s_openapi::jiff::Timestamp::now(),
        ),
    }
}

/// The longest message written; a longer cause chain is cut.
const MAX_MESSAGE: usize = 1024;

/// A failed run: the handler's name (`reconcile`, …) and its cause chain.
pub(crate) struct Failure {
    pub(crate) handler: &'static str,
    pub(crate) message: String,
}

fn reason(handler: &str) -> &'static str {
    match handler {
        "reconcile" => "ReconcileError",
        "reconcile_secondaries" => "ReconcileSecondariesError",
        _ => "PeriodicError",
    }
}

/// What a condition the runtime manages is to say.
pub(crate) struct Says {
    pub(crate) type_: &'static str,
    pub(crate) status: &'static str,
    pub(crate) reason: &'static str,
    pub(crate) message: String,
}

/// The merge patch of `status.conditions` that makes the stored condition say `failure` (or
/// clears it after a failure), or `None` when it already does. `primary` is the primary as JSON.
pub(crate) fn patch(primary: &Value, failure: Option<&Failure>, now: &str) -> Option<Value> {
    let failing = stored(primary, CONDITION).is_some_and(|condition| condition["status"] == "True");
    let (status, reason, message) = match failure {
        Some(failure) => {
            let message = crate::error::cut(failure.message.clone(), MAX_MESSAGE);
            ("True", reason(failure.handler), message)
        }
        None if failing => ("False", "Succeeded", String::new()),
        None => return None,
    };
    let says = Says {
        type_: CONDITION,
        status,
        reason,
        message,
    };
    says_patch(primary, &says, now)
}

/// The stored condition of `type_` in `primary` (as JSON).
pub(crate) fn stored<'a>(primary: &'a Value, type_: &str) -> Option<&'a Value> {
    let conditions = primary.pointer("/status/conditions")?.as_array()?;
    conditions
        .iter()
        .find(|condition| condition["type"] == type_)
}

/// The merge patch of `status.conditions` that makes the stored condition of its type say
/// `says`, keeping `lastTransitionTime` while the status holds; `None` when it already does.
pub(crate) fn says_patch(primary: &Value, says: &Says, now: &str) -> Option<Value> {
    let mut conditions = primary
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let position = conditions
        .iter()
        .position(|condition| condition["type"] == says.type_);
    let stored = position.map(|at| &conditions[at]);
    if stored.is_some_and(|condition| {
        condition["status"] == says.status
            && condition["reason"] == says.reason
            && condition["message"] == says.message.as_str()
    }) {
        return None;
    }
    let since = match stored {
        Some(condition) if condition["status"] == says.status => {
            condition["lastTransitionTime"].clone()
        }
        _ => Value::from(now),
    };
    let mut condition = json!({
        "type": says.type_,
        "status": says.status,
        "reason": says.reason,
        "message": says.message,
        "lastTransitionTime": since,
    });
    if let Some(generation) = primary.pointer("/metadata/generation") {
        condition["observedGeneration"] = generation.clone();
    }
    match position {
        Some(at) => conditions[at] = condition,
        None => conditions.push(condition),
    }
    Some(json!({
        "metadata": { "resourceVersion": primary.pointer("/metadata/resourceVersion") },
        "status": { "conditions": conditions },
    }))
}

/// The conditions of `status` (as it will be written) with a `ReconcileFailed` that says `True`
/// turned `False`, for the status write of a run that got that far; `None` when there is none
/// to clear.
pub(crate) fn cleared(generation: Option<i64>, status: &Value) -> Option<Value> {
    let mut primary = json!({ "metadata": {}, "status": status });
    if let Some(generation) = generation {
        primary["metadata"]["generation"] = generation.into();
    }
    let now = k8s_openapi::jiff::Timestamp::now().to_string();
    let mut cleared = patch(&primary, None, &now)?;
    Some(cleared["status"]["conditions"].take())
}

/// Writes the condition of `primary` after a run that failed (`failure`) or succeeded, and
/// returns the primary as written, for the runs that follow to start from (a next run computing
/// its condition from a copy the cache has not updated yet would conflict). The patch carries the
/// resourceVersion it was computed from; when the primary changed since, it is computed again
/// once from a fresh read. A failure to write is logged, not returned: the next run tries again.
pub(crate) async fn report<P: SecondaryAware>(
    client: &Client,
    primary: &P,
    failure: Option<&Failure>,
    field_manager: &str,
) -> Option<P> {
    let compute = |current: &Value, now: &str| patch(current, failure, now);
    write(client, primary, field_manager, CONDITION, compute).await
}

/// Writes the condition `type_` of `primary` as `compute` patches it from the primary (as JSON)
/// and the time; see [`report`].
pub(crate) async fn write<P: SecondaryAware>(
    client: &Client,
    primary: &P,
    field_manager: &str,
    type_: &str,
    compute: impl Fn(&Value, &str) -> Option<Value>,
) -> Option<P> {
    let mut current = serde_json::to_value(primary).ok()?;
    let now = k8s_openapi::jiff::Timestamp::now().to_string();
    let key = ObjectRef::from_obj(primary);
    let api = dynamic_api(client, primary);
    let params = PatchParams {
        field_manager: Some(field_manager.to_string()),
        ..PatchParams::default()
    };
    for attempt in 0..2 {
        let patch = compute(&current, &now)?;
        match api
            .patch_status(&key.name, &params, &Patch::Merge(&patch))
            .await
        {
            Ok(written) => {
                if stored(&written.data, type_).is_none() {
                    tracing::warn!(primary = %key, "the API server did not keep status.conditions; declare `conditions` in the status of the CRD to see the runtime's conditions on the primary");
                }
                return serde_json::to_value(written)
                    .and_then(serde_json::from_value)
                    .ok();
            }
            Err(kube::Error::Api(status)) if status.code == 409 && attempt == 0 => {
                current = serde_json::to_value(api.get_status(&key.name).await.ok()?).ok()?;
            }
            // Gone, or no status subresource.
            Err(kube::Error::Api(status)) if matches!(status.code, 404 | 409) => {
                tracing::debug!(primary = %key, code = status.code, "condition not written");
                return None;
            }
            Err(error) => {
                let quiet = crate::error::unreachable(&error);
                let error = crate::error::chain(&error);
                match quiet {
                    true => {
                        tracing::debug!(primary = %key, %error, "could not write the {type_} condition")
                    }
                    false => {
                        tracing::warn!(primary = %key, %error, "could not write the {type_} condition")
                    }
                }
                return None;
            }
        }
    }
    None
}

#[cfg(test)]
#[path = "condition_tests.rs"]
mod tests;
