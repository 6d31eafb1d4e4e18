//! What the aggregated `primary-all` API answers: one primary and its children, grouped by kind.
//! The `kube-secondary-apiserver` crate serves it; [`crate::client`] reads it.
//!
//! ```
//! use kube_secondary::primary_all::{KindChildren, PrimaryAll};
//!
//! let response: PrimaryAll = serde_json::from_value(serde_json::json!({
//!     "apiVersion": "primary-all/v1",
//!     "kind": "PrimaryAll",
//!     "prim_res": { "apiVersion": "demo.example.com/v1", "kind": "Database", "metadata": { "name": "orders" } },
//!     "sec_res": [{
//!         "apiVersion": "v1", "kind": "ConfigMap", "resource": "configmaps", "resourceVersion": "812",
//!         "items": [{ "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": "orders-config" } }],
//!     }],
//!     "hidden": ["secrets"],
//! }))
//! .unwrap();
//! assert_eq!(response.secondaries[0].items.len(), 1);
//! assert_eq!(response.hidden, ["secrets"]);
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The API group of the aggregated API.
pub const GROUP: &str = "primary-all";
/// Its one version.
pub const VERSION: &str = "v1";
/// The `kind` of a [`PrimaryAll`].
pub const KIND: &str = "PrimaryAll";

/// The path of `name`'s primary-all view, for a primary of resource `plural` in API group
/// `group` (`""` for the core group), in `namespace` (`None` for a cluster-scoped primary).
///
/// ```
/// use kube_secondary::primary_all::path;
///
/// assert_eq!(
///     path("demo.example.com", "databases", Some("prod"), "orders"),
///     "/apis/primary-all/v1/namespaces/prod/databases.demo.example.com/orders"
/// );
/// assert_eq!(path("", "namespaces", None, "prod"), "/apis/primary-all/v1/namespaces/prod");
/// ```
pub fn path(group: &str, plural: &str, namespace: Option<&str>, name: &str) -> String {
    let resource = resource_name(group, plural);
    match namespace {
        Some(namespace) => {
            format!("/apis/{GROUP}/{VERSION}/namespaces/{namespace}/{resource}/{name}")
        }
        None => format!("/apis/{GROUP}/{VERSION}/{resource}/{name}"),
    }
}

/// The resource the API serves for primaries of `plural` in `group`: `plural.group`, or
/// `plural` for the core group. RBAC rules name it in the `primary-all` group.
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
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrimaryAll {
    /// `primary-all/v1`.
    pub api_version: String,
    /// `PrimaryAll`.
    pub kind: String,
    /// The primary.
    #[serde(rename = "prim_res")]
    pub primary: Value,
    /// Its children, one entry per kind, including the children of children down to the
    /// requested depth; each child's ownerReferences say whose it is.
    #[serde(rename = "sec_res")]
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
