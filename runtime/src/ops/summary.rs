//! A compact summary of a primary's secondaries, written into its status so that it is stored in
//! etcd and shown by `kubectl get -o yaml`.
//!
//! Opt in per primary with `#[secondaries(status_summary)]` (this crate's `status-summary`
//! feature), and give the status struct a `secondaries` field: the API server prunes fields the
//! CRD schema does not declare, and the schema is generated from the struct.
//!
//! ```
//! use k8s_openapi::api::apps::v1::Deployment;
//! use k8s_openapi::api::core::v1::ConfigMap;
//! use kube::CustomResource;
//! use kube_secondary::SecondaryAware;
//! use kube_secondary::summary::SecondarySummary;
//! use schemars::JsonSchema;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
//! #[kube(group = "demo.example.com", version = "v1", kind = "App", namespaced, status = "AppStatus")]
//! #[secondaries(status_summary)]
//! #[secondary(Deployment)]
//! #[secondary(ConfigMap)]
//! pub struct AppSpec {}
//!
//! #[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
//! pub struct AppStatus {
//!     #[serde(default, skip_serializing_if = "Vec::is_empty")]
//!     pub secondaries: Vec<SecondarySummary>,
//! }
//!
//! assert!(<App as kube_secondary::SecondaryAware>::options().status_summary);
//! ```
//!
//! After every successful handler run the controller builds the summary from its watch caches
//! plus the objects the handler passed to [`Context::record_write`](crate::Context::record_write),
//! and merge-patches `status.secondaries` only when it changed; that write does not wake the
//! primary. The summary is as fresh as the last run: a child change the predicates ignore (a
//! Deployment's status heartbeat, say) does not refresh it by itself.

use std::sync::Arc;

use kube::api::{Patch, PatchParams};
use kube::core::PartialObjectMetaExt;
use kube::runtime::reflector::ObjectRef;
use kube::{Client, Resource};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::aware::SecondaryAware;
use crate::aware::Summarize;
use crate::cache::expectations::{Expectations, Version};
use crate::kinds::resource::SecondaryResource;
use crate::kinds::resource::dynamic_api;

/// One secondary as listed in the primary's `status.secondaries`, sorted by kind and name.
///
/// ```
/// use kube_secondary::summary::SecondarySummary;
///
/// let listed: SecondarySummary = serde_json::from_value(serde_json::json!({
///     "kind": "Deployment", "name": "db", "resourceVersion": "4711", "ready": true,
/// })).unwrap();
/// assert_eq!((listed.kind.as_str(), listed.ready), ("Deployment", Some(true)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SecondarySummary {
    /// The Kubernetes kind, e.g. `Deployment`.
    pub kind: String,
    /// The child's namespace when it is not the primary's (children of a cluster-scoped primary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The child's name.
    pub name: String,
    /// The child's resourceVersion when the summary was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
    /// Whether the child is ready, by [`readiness`]; absent for kinds that only exist (Services,
    /// ConfigMaps, Secrets) and for `metadata_only` kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready: Option<bool>,
}

/// Whether an object (as JSON) is ready, judged generically:
/// - a `Ready` or else `Available` condition: `True` is ready, `False` is not, `Unknown` is unknown;
/// - else a `Complete` condition that is `True` is ready, a `Failed` one that is `True` is not
///   (Jobs);
/// - else `status.readyReplicas` at least `spec.replicas` is ready (StatefulSets, ReplicaSets);
/// - else unknown (`None`): the object only exists.
///
/// ```
/// use kube_secondary::summary::readiness;
/// use serde_json::json;
///
/// let deployment = json!({ "status": { "conditions": [{ "type": "Available", "status": "True" }] } });
/// assert_eq!(readiness(&deployment), Some(true));
/// let stateful_set = json!({ "spec": { "replicas": 3 }, "status": { "readyReplicas": 2 } });
/// assert_eq!(readiness(&stateful_set), Some(false));
/// assert_eq!(readiness(&json!({ "data": { "key": "value" } })), None);
/// ```
pub fn readiness(object: &Value) -> Option<bool> {
    let conditions = object
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let condition = |wanted: &str| {
        conditions
            .iter()
            .find(|condition| condition.get("type").and_then(Value::as_str) == Some(wanted))
            .and_then(|condition| condition.get("status").and_then(Value::as_str))
    };
    if let Some(status) = condition("Ready").or_else(|| condition("Available")) {
        return match status {
            "True" => Some(true),
            "False" => Some(false),
            _ => None,
        };
    }
    if condition("Complete") == Some("True") {
        return Some(true);
    }
    if condition("Failed") == Some("True") {
        return Some(false);
    }
    let wanted = object.pointer("/spec/replicas").and_then(Value::as_i64)?;
    let ready = object
        .pointer("/status/readyReplicas")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    Some(ready >= wanted)
}

/// A child as seen in a cache or returned by a write, before it is placed relative to its primary.
#[derive(Clone, Debug)]
pub(crate) struct Observed {
    api_version: String,
    namespace: Option<String>,
    summary: SecondarySummary,
}

impl Observed {
    /// The summary of `object`; `None` for an object without a name.
    pub(crate) fn of<K: Resource<DynamicType = ()> + Serialize>(object: &K) -> Option<Self> {
        let meta = object.meta();
        let ready = serde_json::to_value(object)
            .ok()
            .and_then(|json| readiness(&json));
        Some(Self {
            api_version: K::api_version(&()).into_owned(),
            namespace: meta.namespace.clone(),
            summary: SecondarySummary {
                kind: K::kind(&()).into_owned(),
                namespace: None,
                name: meta.name.clone()?,
                resource_version: meta.resource_version.clone(),
                ready,
            },
        })
    }

    /// apiVersion, kind, namespace and name.
    fn key(&self) -> (&str, &str, Option<&str>, &str) {
        (
            &self.api_version,
            &self.summary.kind,
            self.namespace.as_deref(),
            &self.summary.name,
        )
    }
}

/// The summary of one primary in the making. Used by generated code, not public API.
#[doc(hidden)]
pub struct Summary {
    /// The primary's namespace: children in it are listed without one.
    namespace: Option<String>,
    /// The primary's `status.secondaries` as stored; `Null` when absent.
    current: Value,
    /// The declared kinds, as (apiVersion, kind).
    kinds: Vec<(String, String)>,
    children: Vec<Observed>,
}

impl Summary {
    /// An empty summary for `primary`, remembering what its status lists now.
    pub fn of<P: Resource + Serialize>(primary: &P) -> Self {
        let current = serde_json::to_value(primary)
            .ok()
            .and_then(|json| json.pointer("/status/secondaries").cloned())
            .unwrap_or(Value::Null);
        Self {
            namespace: primary.meta().namespace.clone(),
            current,
            kinds: Vec::new(),
            children: Vec::new(),
        }
    }

    /// Adds the cached children of one declared kind.
    pub fn add<C: Resource<DynamicType = ()> + Serialize>(&mut self, children: &[Arc<C>]) {
        self.kinds
            .push((C::api_version(&()).into_owned(), C::kind(&()).into_owned()));
        self.children.extend(
            children
                .iter()
                .filter_map(|child| Observed::of(child.as_ref())),
        );
    }

    /// Puts in the objects written during the run, newer than the cache's; objects of kinds not
    /// declared as secondaries are left out.
    pub(crate) fn merge_written(&mut self, written: Vec<Observed>) {
        for object in written {
            let declared = self.kinds.iter().any(|(api_version, kind)| {
                (api_version, kind) == (&object.api_version, &object.summary.kind)
            });
            if !declared {
                continue;
            }
            match self.children.iter_mut().find(|c| c.key() == object.key()) {
                Some(cached) => *cached = object,
                None => self.children.push(object),
            }
        }
    }

    /// The list for `status.secondaries`, sorted by kind, namespace and name.
    pub(crate) fn list(&self) -> Vec<SecondarySummary> {
        let mut list: Vec<SecondarySummary> = self
            .children
            .iter()
            .map(|child| SecondarySummary {
                namespace: child
                    .namespace
                    .clone()
                    .filter(|namespace| Some(namespace) != self.namespace.as_ref()),
                ..child.summary.clone()
            })
            .collect();
        list.sort_by(|a, b| {
            (&a.kind, &a.namespace, &a.name).cmp(&(&b.kind, &b.namespace, &b.name))
        });
        list
    }

    /// The merge patch of the status when the list differs from the stored one, else `None`.
    pub(crate) fn patch(&self) -> Option<Value> {
        let list = self.list();
        let stored = match &self.current {
            Value::Null => Value::Array(Vec::new()),
            stored => stored.clone(),
        };
        let wanted = serde_json::to_value(&list).ok()?;
        if wanted == stored {
            return None;
        }
        let wanted = if list.is_empty() { Value::Null } else { wanted };
        Some(json!({ "status": { "secondaries": wanted } }))
    }
}

impl Summarize for Summary {
    fn add<C: SecondaryResource + Serialize>(&mut self, children: &[Arc<C>]) {
        Summary::add(self, children);
    }
}

/// Merge-patches `patch` into the status of `primary` and records the write, so its watch event
/// does not wake the primary. A failure is logged, not returned: the summary is a report, and
/// the next run tries again.
pub(crate) async fn write<P: SecondaryAware>(
    client: &Client,
    primary: &P,
    patch: &Value,
    expectations: &Expectations,
    field_manager: &str,
) {
    let key = ObjectRef::from_obj(primary);
    let api = dynamic_api(client, primary);
    let params = PatchParams {
        field_manager: Some(field_manager.to_string()),
        ..PatchParams::default()
    };
    let written = match api
        .patch_status(&key.name, &params, &Patch::Merge(patch))
        .await
    {
        Ok(written) => written,
        Err(kube::Error::Api(status)) if status.code == 404 => {
            tracing::debug!(primary = %key, "primary gone before its summary was written");
            return;
        }
        Err(error) => {
            tracing::warn!(primary = %key, %error, "could not write the secondaries summary into the status");
            return;
        }
    };
    // A patch that changed nothing returns the stored object, maybe with someone else's newer
    // version: a version other than the one the run started from may be our echo.
    let meta = written.metadata.clone().into_request_partial::<P>();
    if let Some(version) = Version::of(&meta) {
        let unchanged = Version::of(primary).as_ref() == Some(&version);
        expectations.expect(version, unchanged, None);
    }
    let sent = patch
        .pointer("/status/secondaries")
        .filter(|list| !list.is_null());
    if written.data.pointer("/status/secondaries") != sent {
        tracing::warn!(
            primary = %key,
            "the API server did not keep status.secondaries; add `secondaries: Vec<SecondarySummary>` to the status struct so that the CRD schema declares it"
        );
    }
}

#[cfg(test)]
#[path = "summary_tests.rs"]
mod tests;
