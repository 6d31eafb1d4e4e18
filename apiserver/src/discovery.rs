//! The discovery documents the aggregator and kubectl read: `/apis` (APIGroupList), and for
//! each served group `/apis/<group>` (APIGroup) and `/apis/<group>/v1` (APIResourceList, one
//! `get`-only resource per primary kind).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    APIGroup, APIGroupList, APIResource, APIResourceList, GroupVersionForDiscovery,
};
use kube_secondary::primary_all::{GROUP, KIND, VERSION, served_group};

use crate::kinds::Kinds;

/// `/apis/<name>`.
pub fn group(name: &str) -> APIGroup {
    let version = GroupVersionForDiscovery {
        group_version: format!("{name}/{VERSION}"),
        version: VERSION.to_string(),
    };
    APIGroup {
        name: name.to_string(),
        preferred_version: Some(version.clone()),
        versions: vec![version],
        server_address_by_client_cidrs: None,
    }
}

/// `/apis`: every served group.
pub fn group_list(kinds: &Kinds) -> APIGroupList {
    APIGroupList {
        groups: kinds
            .served_groups()
            .iter()
            .map(|name| group(name))
            .collect(),
    }
}

/// `/apis/<group>/v1`. In `primary-all.<group>`, each primary kind of that group as its plural
/// and kind. In `primary-all`, the core group's primary kinds likewise, and the aliases kept
/// from the first version: each other primary kind as `plural.group`, of kind `PrimaryAll`.
pub fn resource_list(kinds: &Kinds, group: &str) -> APIResourceList {
    let resources = kinds
        .primaries()
        .filter_map(|(_, kind)| {
            let resource = &kind.resource;
            let (name, singular, answered) = if served_group(&resource.group) == group {
                let singular = resource.kind.to_lowercase();
                (resource.plural.clone(), singular, resource.kind.clone())
            } else if group == GROUP {
                (kind.served_name(), String::new(), KIND.to_string())
            } else {
                return None;
            };
            Some(APIResource {
                name,
                singular_name: singular,
                namespaced: kind.namespaced,
                kind: answered,
                verbs: vec!["get".to_string()],
                ..APIResource::default()
            })
        })
        .collect();
    APIResourceList {
        group_version: format!("{group}/{VERSION}"),
        resources,
    }
}

/// Whether an `Accept` header admits plain JSON. The aggregator asks `/apis` for aggregated
/// discovery only; answering 406 makes it fall back to `/apis/<group>/v1` of each `APIService`.
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
    fn each_primary_kind_is_a_get_only_resource_in_its_group_and_an_alias() {
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

        let list =
            serde_json::to_value(resource_list(&kinds, "primary-all.demo.kube-secondary.dev"))
                .unwrap();
        assert_eq!(
            list,
            serde_json::json!({
                "apiVersion": "v1",
                "kind": "APIResourceList",
                "groupVersion": "primary-all.demo.kube-secondary.dev/v1",
                "resources": [
                    { "name": "databases", "singularName": "database", "namespaced": true, "kind": "Database", "verbs": ["get"] },
                ],
            })
        );
        let list = serde_json::to_value(resource_list(&kinds, "primary-all")).unwrap();
        assert_eq!(
            list,
            serde_json::json!({
                "apiVersion": "v1",
                "kind": "APIResourceList",
                "groupVersion": "primary-all/v1",
                "resources": [
                    { "name": "databases.demo.kube-secondary.dev", "singularName": "", "namespaced": true, "kind": "PrimaryAll", "verbs": ["get"] },
                    { "name": "namespaces", "singularName": "namespace", "namespaced": false, "kind": "Namespace", "verbs": ["get"] },
                ],
            })
        );
        assert!(
            resource_list(&kinds, "primary-all.apps")
                .resources
                .is_empty()
        );
    }

    #[test]
    fn each_group_prefers_its_one_version() {
        let mut kinds = Kinds::default();
        let caps = ApiCapabilities {
            scope: Scope::Namespaced,
            subresources: vec![],
            operations: vec![],
        };
        let gvk = GroupVersionKind::gvk("demo.kube-secondary.dev", "v1", "Database");
        kinds.add(ApiResource::from_gvk(&gvk), &caps, true, false);
        let list = serde_json::to_value(group_list(&kinds)).unwrap();
        assert_eq!(list["kind"], "APIGroupList");
        assert_eq!(list["groups"][0]["name"], "primary-all");
        assert_eq!(
            list["groups"][1]["name"],
            "primary-all.demo.kube-secondary.dev"
        );
        assert_eq!(
            list["groups"][1]["preferredVersion"]["groupVersion"],
            "primary-all.demo.kube-secondary.dev/v1"
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
