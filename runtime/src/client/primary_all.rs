//! What the aggregated `primary-all` API answers: one primary and its children, grouped by kind.
//! The `kube-secondary-apiserver` crate serves it; [`crate::client`] reads it.
//!
//! A primary of API group `G` is served as its own plural in the group `primary-all.G`
//! ([`served_group`]), version `v1`, so kubectl can name it (`databases.primary-all.G`); the
//! answer is a Kubernetes object of the primary's kind with the primary's metadata.
//!
//! ```
//! use kube_secondary::primary_all::{KindChildren, PrimaryAll};
//!
//! let response: PrimaryAll = serde_json::from_value(serde_json::json!({
//!     "apiVersion": "primary-all.demo.example.com/v1",
//!     "kind": "Database",
//!     "metadata": { "name": "orders", "namespace": "prod" },
//!     "primary": { "apiVersion": "demo.example.com/v1", "kind": "Database", "metadata": { "name": "orders" } },
//!     "secondaries": [{
//!         "apiVersion": "v1", "kind": "ConfigMap", "resource": "configmaps", "resourceVersion": "812",
//!         "items": [{ "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": "orders-config" } }],
//!     }],
//!     "hidden": ["secrets"],
//! }))
//! .unwrap();
//! assert_eq!(response.metadata.name.as_deref(), Some("orders"));
//! assert_eq!(response.secondaries[0].items.len(), 1);
//! assert_eq!(response.hidden, ["secrets"]);
//! ```

use std::collections::BTreeSet;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The API group of core-group primaries (`namespaces`), and of the aliases kept from the first
/// version of the API: `plural.group` resources and the research prototype's route.
pub const GROUP: &str = "primary-all";
/// The one version of every primary-all group.
pub const VERSION: &str = "v1";
/// The `kind` of an answer on the alias routes of [`GROUP`].
pub const KIND: &str = "PrimaryAll";

/// The API group serving primaries of API group `group`: `primary-all.<group>`, or
/// `primary-all` for the core group.
///
/// ```
/// use kube_secondary::primary_all::served_group;
///
/// assert_eq!(served_group("demo.example.com"), "primary-all.demo.example.com");
/// assert_eq!(served_group(""), "primary-all");
/// ```
pub fn served_group(group: &str) -> String {
    if group.is_empty() {
        GROUP.to_string()
    } else {
        format!("{GROUP}.{group}")
    }
}

/// The API groups a server of primaries of `primary_groups` serves: [`GROUP`] and one
/// [`served_group`] per primary group, each with one `APIService` (`v1.<group>`).
///
/// ```
/// use kube_secondary::primary_all::served_groups;
///
/// let groups = served_groups(["demo.example.com", ""]);
/// assert_eq!(groups, ["primary-all", "primary-all.demo.example.com"].map(String::from).into());
/// ```
pub fn served_groups<'a>(primary_groups: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    let mut groups: BTreeSet<String> = primary_groups.into_iter().map(served_group).collect();
    groups.insert(GROUP.to_string());
    groups
}

/// The path of `name`'s primary-all view, for a primary of resource `plural` in API group
/// `group` (`""` for the core group), in `namespace` (`None` for a cluster-scoped primary).
///
/// ```
/// use kube_secondary::primary_all::path;
///
/// assert_eq!(
///     path("demo.example.com", "databases", Some("prod"), "orders"),
///     "/apis/primary-all.demo.example.com/v1/namespaces/prod/databases/orders"
/// );
/// assert_eq!(path("", "namespaces", None, "prod"), "/apis/primary-all/v1/namespaces/prod");
/// ```
pub fn path(group: &str, plural: &str, namespace: Option<&str>, name: &str) -> String {
    let served = served_group(group);
    match namespace {
        Some(namespace) => {
            format!("/apis/{served}/{VERSION}/namespaces/{namespace}/{plural}/{name}")
        }
        None => format!("/apis/{served}/{VERSION}/{plural}/{name}"),
    }
}

/// The name of the alias resource in [`GROUP`] for primaries of `plural` in `group`:
/// `plural.group`, or `plural` for the core group. kubectl cannot name it (it reads the first
/// dot as the start of the group); [`path`] is the route to use.
pub fn resource_name(group: &str, plural: &str) -> String {
    if group.is_empty() {
        plural.to_string()
    } else {
        format!("{plural}.{group}")
    }
}

/// One primary with its children, as the API server's watch caches hold them (managedFields
/// stripped). Not an atomic snapshot: each kind is as fresh as its own watch, whose
/// resourceVersion [`KindChildren::resource_version`] reports.
///
/// The alias routes of [`GROUP`] answer the first version's shape, `apiVersion: primary-all/v1`,
/// `kind: PrimaryAll`, the primary as `prim_res` and the children as `sec_res`; both read
/// into this type.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrimaryAll {
    /// `primary-all.<group>/v1`.
    pub api_version: String,
    /// The primary's kind (`Database`).
    pub kind: String,
    /// The primary's name, namespace, uid, resourceVersion, creationTimestamp, labels and
    /// annotations.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The primary.
    #[serde(alias = "prim_res")]
    pub primary: Value,
    /// Its children, one entry per kind, including the children of children down to the
    /// requested depth; each child's ownerReferences say whose it is.
    #[serde(alias = "sec_res")]
    pub secondaries: Vec<KindChildren>,
    /// The child kinds the caller may not list where the primary's children would be, by
    /// resource (`secrets`), whether or not it has any: their children are neither shown nor
    /// counted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hidden: Vec<String>,
}

/// The children of one kind.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KindChildren {
    /// `apps/v1`, or `v1` for the core group.
    pub api_version: String,
    /// `Deployment`.
    pub kind: String,
    /// `deployments`.
    pub resource: String,
    /// The resourceVersion this kind's watch cache had reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
    /// The children, sorted by namespace and name.
    #[serde(default)]
    pub items: Vec<Value>,
    /// Why this kind could not be served, if it could not (its items are then empty); the rest
    /// of the response is still whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_version_s_shape_reads_into_the_same_type() {
        let legacy: PrimaryAll = serde_json::from_value(serde_json::json!({
            "apiVersion": "primary-all/v1",
            "kind": "PrimaryAll",
            "prim_res": { "kind": "Database", "metadata": { "name": "orders" } },
            "sec_res": [{ "apiVersion": "v1", "kind": "ConfigMap", "resource": "configmaps" }],
        }))
        .unwrap();
        assert_eq!(legacy.primary["metadata"]["name"], "orders");
        assert_eq!(legacy.secondaries[0].resource, "configmaps");
        assert_eq!(legacy.metadata, ObjectMeta::default());
    }
}
