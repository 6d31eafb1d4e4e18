//! Whether a cached object has drifted from the object an operator wants, judged only on the
//! fields the operator's field manager owns through server-side apply.
//!
//! The matcher of java-operator-sdk (`SSABasedGenericKubernetesResourceMatcher`), as one walk of
//! three trees at once: the manager's field set (the `fieldsV1` of its `Apply` entry in
//! `metadata.managedFields`), the desired value and the cached value. Fields the API server
//! defaults and fields other managers own are never compared, keyed lists (containers, ports, env)
//! pair their elements by key whatever their order, and resource quantities compare as amounts.
//!
//! [`Context::apply`](crate::Context::apply) calls it before every write; the caches keep the
//! `managedFields` entries of the controller's [field manager](crate::Controller::field_manager)
//! for it and drop the others.
//!
//! # What counts as drift
//! - **A change of what the operator wants**, always: `apply` keeps the [`digest`] of each desired
//!   child in its [`APPLIED_DIGEST`] annotation, and a desired child whose digest is not the
//!   cached one's is [`DriftKind::DesiredChanged`]. That covers what the field set cannot show: a
//!   key removed from an atomic map (a Service's `selector: {app, role}` shrunk to `{app}`), a
//!   dropped field whose value was `0`, `false` or `""` (`runAsUser: 0`), a shorter atomic list.
//! - **A field the manager owns, changed or removed by someone else** ([`DriftKind::ValueDiffers`]),
//!   or taken over by another manager ([`DriftKind::NotOwned`]); a field it owns that the desired
//!   object dropped ([`DriftKind::NoLongerWanted`]), whatever its value.
//! - **Not drift**: fields the server defaulted (a port's `protocol`, `imagePullPolicy`, keys it
//!   adds inside an atomic struct) and fields other managers own; keyed lists in another order; a
//!   desired Go zero value the server omits.
//! - **Quantities** compare as amounts (`"500m"` = `"0.5"`, `"1Gi"` = `"1024Mi"`) where the type
//!   says so: [`drift_of`] serialises typed objects marking every k8s-openapi `Quantity` (resource
//!   limits, HPA targets, LimitRange values, RuntimeClass overhead, CRD fields of that type); a
//!   string that looks like one is text. A Secret's write-only `stringData` compares with the
//!   `data` the server stored it as.
//! - **A field handed to another controller** (an HPA's `replicas`): stop setting it; the next
//!   apply gives up this manager's ownership, and from then on its changes are not drift. The
//!   server removes a field whose only owner gave it up, so let the other controller own it first.
//!
//! ```
//! use serde_json::json;
//!
//! let desired = json!({ "metadata": { "name": "db" }, "data": { "mode": "replica" } });
//! let cached = json!({
//!     "metadata": {
//!         "name": "db",
//!         "managedFields": [{
//!             "manager": "database-controller",
//!             "operation": "Apply",
//!             "fieldsType": "FieldsV1",
//!             "fieldsV1": { "f:data": { "f:mode": {} } },
//!         }],
//!     },
//!     "data": { "mode": "primary" },
//! });
//! let drift = kube_secondary::matcher::drift(&desired, &cached, "database-controller");
//! assert_eq!(drift.unwrap().to_string(), "data.mode: value differs");
//! ```

use std::fmt;

use serde_json::{Map, Value};

mod digest;
mod lists;
mod quantity;
mod secret;
mod typed;
mod values;

use digest::DIGEST_POINTER;
pub use digest::{APPLIED_DIGEST, digest};
use values::{is_empty, is_unset, join, same_json};

/// Where and how a cached object differs from the desired one (for one debug log line).
///
/// It names no values: they may be the data of a Secret or a ConfigMap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift {
    /// The field, like `spec.template.spec.containers[name=db].image`: list elements by key
    /// (`[name=db]`), set members by value (`[=a]`) or by index (`[0]`), and field names with a dot
    /// quoted (`metadata.labels["app.kubernetes.io/name"]`). Empty for the whole object.
    pub path: String,
    /// How it differs.
    pub kind: DriftKind,
}

/// How a cached object differs from the desired one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DriftKind {
    /// The manager has no `Apply` entry on the object: it never applied it.
    NoApplyEntry,
    /// The desired object is not the one this manager last applied: its digest
    /// ([`APPLIED_DIGEST`]) differs from the cached object's.
    DesiredChanged,
    /// The manager owns the field and the cached value is not the desired one.
    ValueDiffers,
    /// The desired object sets a field the manager does not own: new in the desired object, or
    /// taken over or removed by another manager.
    NotOwned,
    /// The manager owns a field the desired object no longer has: an apply would remove it.
    NoLongerWanted,
    /// The cached value or the field set does not have the shape the other implies.
    UnexpectedShape,
}

impl Drift {
    fn at(path: String, kind: DriftKind) -> Self {
        Drift { path, kind }
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            DriftKind::NoApplyEntry => "no server-side apply entry of this field manager",
            DriftKind::DesiredChanged => {
                "the desired object changed since this field manager applied it"
            }
            DriftKind::ValueDiffers => "value differs",
            DriftKind::NotOwned => "desired but not owned by this field manager",
            DriftKind::NoLongerWanted => "owned by this field manager but no longer desired",
            DriftKind::UnexpectedShape => "unexpected shape",
        };
        match self.path.as_str() {
            "" => f.write_str(what),
            path => write!(f, "{path}: {what}"),
        }
    }
}

/// `None` when `cached`, pruned to the fields `manager` owns through server-side apply, equals
/// `desired`, and `desired` is the object last applied.
///
/// When `desired` carries the annotation [`APPLIED_DIGEST`] (as
/// [`Context::apply`](crate::Context::apply) sets it, from [`digest`]), a cached object whose
/// annotation differs is drift before any field is compared: the operator wants something else
/// than it last applied, whatever the field set shows.
///
/// Top-level `apiVersion`, `kind` and `status` are not compared, nor any part of `metadata` but
/// `labels`, `annotations`, `ownerReferences` and `finalizers`. Quantities compare as amounts
/// only in values from [`drift_of`], which knows their type.
pub fn drift(desired: &Value, cached: &Value, manager: &str) -> Option<Drift> {
    let Some(entry) = apply_entry(cached, manager) else {
        return Some(Drift::at(String::new(), DriftKind::NoApplyEntry));
    };
    let wanted = desired.pointer(DIGEST_POINTER);
    if wanted.is_some() && wanted != cached.pointer(DIGEST_POINTER) {
        return Some(Drift::at(String::new(), DriftKind::DesiredChanged));
    }
    let (nothing, parsed): (Value, Value);
    let set = match entry.get("fieldsV1") {
        None => {
            nothing = Value::Object(Map::new());
            &nothing
        }
        // The caches keep a field set as its JSON text (a fraction of the tree's memory).
        Some(Value::String(text)) => match serde_json::from_str(text) {
            Ok(set) => {
                parsed = set;
                &parsed
            }
            Err(_) => return Some(shape("metadata.managedFields")),
        },
        Some(set) => set,
    };
    let cached = secret::string_data_as_written(desired, cached);
    compare_object(set, desired, &cached).err()
}

/// [`drift`] for typed objects. Values typed as k8s-openapi's `Quantity` compare as amounts
/// (`"500m"` and `"0.5"`, `"1Gi"` and `"1024Mi"`), wherever they are.
pub fn drift_of<K: serde::Serialize>(desired: &K, cached: &K, manager: &str) -> Option<Drift> {
    match (
        typed::to_marked_value(desired),
        typed::to_marked_value(cached),
    ) {
        (Ok(desired), Ok(cached)) => drift(&desired, &cached, manager),
        _ => Some(Drift::at(String::new(), DriftKind::UnexpectedShape)),
    }
}

/// The entry of `manager`'s server-side applies to the object itself (not to a subresource).
fn apply_entry<'a>(cached: &'a Value, manager: &str) -> Option<&'a Value> {
    let text = |entry: &'a Value, name: &str| entry.get(name).and_then(Value::as_str);
    let entries = cached.pointer("/metadata/managedFields")?.as_array()?;
    entries.iter().find(|entry| {
        text(entry, "manager") == Some(manager)
            && text(entry, "operation") == Some("Apply")
            && text(entry, "subresource").unwrap_or("").is_empty()
    })
}

/// The outcome of comparing one node: `Err` at the first drift.
type Walk = Result<(), Drift>;

/// The top level but `apiVersion`, `kind`, `status` and `metadata`, then the parts of `metadata`
/// an operator sets; the rest of `metadata` is identity or written by the server.
fn compare_object(set: &Value, desired: &Value, cached: &Value) -> Walk {
    let set = set.as_object().ok_or_else(|| shape(""))?;
    let compared = |name: &str| !matches!(name, "apiVersion" | "kind" | "status" | "metadata");
    fields("", set, Some(desired), Some(cached), &compared)?;

    let nothing = Map::new();
    let metadata_set = match set.get("f:metadata") {
        None => &nothing,
        Some(metadata) => metadata.as_object().ok_or_else(|| shape("metadata"))?,
    };
    let compared = |name: &str| {
        matches!(
            name,
            "labels" | "annotations" | "ownerReferences" | "finalizers"
        )
    };
    fields(
        "metadata",
        metadata_set,
        desired.get("metadata"),
        cached.get("metadata"),
        &compared,
    )
}

/// Compares the value at `path` with the part of the field set that describes it. A part with no
/// `f:`, `k:`, `v:` or `i:` children (only `.`, or nothing) is owned whole.
fn node(path: &str, set: &Value, desired: Option<&Value>, cached: Option<&Value>) -> Walk {
    let set = set.as_object().ok_or_else(|| shape(path))?;
    let desired = desired.filter(|value| !value.is_null());
    let cached = cached.filter(|value| !value.is_null());
    let mut prefixes = set.keys().filter(|key| *key != ".").map(|key| key.get(..2));
    let Some(prefix) = prefixes.next() else {
        return leaf(path, desired, cached);
    };
    if prefixes.any(|other| other != prefix) {
        return Err(shape(path));
    }
    match prefix {
        Some("f:") => fields(path, set, desired, cached, &|_| true),
        Some("k:") => lists::keyed(path, set, desired, cached),
        Some("v:") => lists::values(path, set, desired, cached),
        Some("i:") => lists::indexed(path, set, desired, cached),
        _ => Err(shape(path)),
    }
}

/// A map or struct the manager owns field by field (`f:` children); `compared` picks the fields
/// that count.
fn fields(
    path: &str,
    set: &Map<String, Value>,
    desired: Option<&Value>,
    cached: Option<&Value>,
    compared: &dyn Fn(&str) -> bool,
) -> Walk {
    let desired = object(path, desired)?;
    let cached = object(path, cached)?;
    for (key, child) in set {
        let Some(field) = key.strip_prefix("f:").filter(|field| compared(field)) else {
            continue;
        };
        let desired = desired.and_then(|map| map.get(field));
        let cached = cached.and_then(|map| map.get(field));
        node(&join(path, field), child, desired, cached)?;
    }
    for (field, value) in desired.into_iter().flatten() {
        if compared(field) && !set.contains_key(&format!("f:{field}")) && !is_empty(value) {
            return Err(Drift::at(join(path, field), DriftKind::NotOwned));
        }
    }
    Ok(())
}

/// A value the manager owns whole: an atomic struct or list, or a scalar. A value the desired
/// object no longer has is drift whatever it is (`0`, `false` and `""` included), unless it is
/// empty: applying without it would remove it.
fn leaf(path: &str, desired: Option<&Value>, cached: Option<&Value>) -> Walk {
    match (desired, cached) {
        (None, Some(cached)) if !is_empty(cached) => {
            Err(Drift::at(path.to_owned(), DriftKind::NoLongerWanted))
        }
        (None, _) => Ok(()),
        (Some(_), _) if same(desired, cached) => Ok(()),
        (Some(_), _) => Err(Drift::at(path.to_owned(), DriftKind::ValueDiffers)),
    }
}

/// Equality of values owned whole. The cached object may have keys the desired one lacks (the
/// server's defaults inside an atomic struct); a desired Go zero value (`""`, `false`, `0`, which
/// the API server omits for some fields) matches its absence; quantities compare as amounts.
///
/// A key or element the operator stopped wanting inside an atomic value is caught before this,
/// by the digest of the desired object ([`APPLIED_DIGEST`]); a change by someone else takes the
/// field from this manager, which the field set shows.
fn same(desired: Option<&Value>, cached: Option<&Value>) -> bool {
    let desired = desired.filter(|value| !value.is_null());
    let cached = cached.filter(|value| !value.is_null());
    if let (Some(desired), Some(cached)) = (desired, cached)
        && let Some(same) = quantity::same(desired, cached)
    {
        return same;
    }
    match (desired, cached) {
        (None, None) => true,
        (Some(value), None) | (None, Some(value)) => is_unset(value),
        (Some(Value::Object(desired)), Some(Value::Object(cached))) => desired
            .iter()
            .all(|(key, value)| same(Some(value), cached.get(key))),
        (Some(Value::Array(desired)), Some(Value::Array(cached))) => {
            desired.len() == cached.len()
                && desired
                    .iter()
                    .zip(cached)
                    .all(|(desired, cached)| same(Some(desired), Some(cached)))
        }
        (Some(desired), Some(cached)) => same_json(desired, cached),
    }
}

/// The value as a map (`None` when absent); anything else but a map is drift.
fn object<'a>(
    path: &str,
    value: Option<&'a Value>,
) -> Result<Option<&'a Map<String, Value>>, Drift> {
    value
        .map(|value| value.as_object().ok_or_else(|| shape(path)))
        .transpose()
}

pub(super) fn shape(path: &str) -> Drift {
    Drift::at(path.to_owned(), DriftKind::UnexpectedShape)
}

#[cfg(test)]
mod fixtures;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod desired_tests;

#[cfg(test)]
mod shape_tests;

#[cfg(test)]
mod trust_tests;
