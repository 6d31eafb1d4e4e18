//! The discovery documents the aggregator and kubectl read: `/apis` (APIGroupList),
//! `/apis/primary-all` (APIGroup) and `/apis/primary-all/v1` (APIResourceList, one `get`-only
//! resource per primary kind).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    APIGroup, APIGroupList, APIResource, APIResourceList, GroupVersionForDiscovery,
};
use kube_secondary::primary_all::{GROUP, KIND, VERSION};

use crate::kinds::Kinds;

/// `/apis/primary-all`.
pub fn group() -> APIGroup {
    let version = GroupVersionForDiscovery {
        group_version: format!("{GROUP}/{VERSION}"),
        version: VERSION.to_string(),
    };
    APIGroup {
        name: GROUP.to_string(),
        preferred_version: Some(version.clone()),
        versions: vec![version],
        server_address_by_client_cidrs: None,
    }
}

/// `/apis`.
pub fn group_list() -> APIGroupList {
    APIGroupList {
        groups: vec![group()],
    }
}

/// `/apis/primary-all/v1`: for each primary kind, a resource named `plural.group` in the
/// primary's scope whose kind is `PrimaryAll`.
pub fn resource_list(kinds: &Kinds) -> APIResourceList {
    let resources = kinds
        .primaries()
        .map(|(_, kind)| APIResource {
            name: kind.served_name(),
            singular_name: String::new(),
            namespaced: kind.namespaced,
            kind: KIND.to_string(),
            verbs: vec!["get".to_string()],
            ..APIResource::default()
        })
        .collect();
    APIResourceList {
        group_version: format!("{GROUP}/{VERSION}"),
        resources,
    }
}

/// Whether an `Accept` header admits plain JSON. The aggregator asks `/apis` for aggregated
/// discovery only; answering 406 makes it fall back to `/apis/primary-all/v1`.
pub fn accepts_json(accept: Option<&str>) -> bool {
    let Some(accept) = accept else { return true };
    accept.split(',').any(|range| {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default();
        let typed = matches!(media, "application/json" | "application/*" | "*/*");
        // `g=`, `v=` and `as=` ask for another kind of document in JSON.
        typed && parts.all(|param| !["g=", "v=", "as="].iter().any(|p| param.starts_with(p)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::api::{ApiResource, GroupVersionKind};
    use kube::discovery::{ApiCapabilities, Scope};

    #[test]
    fn each_primary_kind_is_a_get_only_resource() {
        let mut kinds = Kinds::default();
        let caps = |scope| ApiCapabilities {
            scope,
            subresources: vec![],
            operations: vec![],
        };
        let mut db = ApiResource::from_gvk(&GroupVersionKind::gvk(
            "demo.kube-secondary.dev",
            "v1",
            "Database",
        ));
        db.plural = "databases".into();
        kinds.add(db, &caps(Scope::Namespaced), true, false);
        let ns = ApiResource::from_gvk(&GroupVersionKind::gvk("", "v1", "Namespace"));
        kinds.add(ns, &caps(Scope::Cluster), true, false);
        let cm = ApiResource::from_gvk(&GroupVersionKind::gvk("", "v1", "ConfigMap"));
        kinds.add(cm, &caps(Scope::Namespaced), false, true);

        let list = serde_json::to_value(resource_list(&kinds)).unwrap();
        assert_eq!(
            list,
            serde_json::json!({
                "apiVersion": "v1",
                "kind": "APIResourceList",
                "groupVersion": "primary-all/v1",
                "resources": [
                    { "name": "databases.demo.kube-secondary.dev", "singularName": "", "namespaced": true, "kind": "PrimaryAll", "verbs": ["get"] },
                    { "name": "namespaces", "singularName": "", "namespaced": false, "kind": "PrimaryAll", "verbs": ["get"] },
                ],
            })
        );
    }

    #[test]
    fn the_group_prefers_its_one_version() {
        let group = serde_json::to_value(group_list()).unwrap();
        assert_eq!(group["kind"], "APIGroupList");
        assert_eq!(group["groups"][0]["name"], "primary-all");
        assert_eq!(
            group["groups"][0]["preferredVersion"]["groupVersion"],
            "primary-all/v1"
        );
    }

    #[test]
    fn aggregated_discovery_alone_is_not_acceptable() {
        let aggregator = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";
        assert!(!accepts_json(Some(aggregator)));
        assert!(accepts_json(Some(&format!(
            "{aggregator},application/json"
        ))));
        assert!(accepts_json(Some("application/json, */*")));
        assert!(accepts_json(Some("application/json;q=0.9")));
        assert!(accepts_json(None));
        assert!(!accepts_json(Some("application/vnd.kubernetes.protobuf")));
    }
}
