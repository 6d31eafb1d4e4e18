//! Which primary a request names: the path below `/apis/<group>/v1/`, and `?depth=`.

use kube_secondary::primary_all::GROUP;

use crate::status::ApiError;

/// The deepest tree a request may ask for.
pub const MAX_DEPTH: usize = 5;

/// A primary named by a request path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `namespaces/{namespace}/{resource}/{name}` or `{resource}/{name}`: the RBAC-authorisable
    /// routes, `resource` being the primary's plural in its own group, or in `primary-all`
    /// [`kube_secondary::primary_all::resource_name`].
    Resource {
        /// `databases`, or `databases.demo.kube-secondary.dev` in `primary-all`.
        resource: String,
        /// `None` for a cluster-scoped primary.
        namespace: Option<String>,
        /// The primary's name.
        name: String,
    },
    /// `{group}/{version}/{kind}/{namespace}/{name}` in `primary-all`: the research prototype's
    /// route, kept as an alias. The core group is written `core` or left empty.
    Kind {
        /// `""` for the core group.
        group: String,
        /// `v1`.
        version: String,
        /// `Database`.
        kind: String,
        /// `None` for a cluster-scoped primary.
        namespace: Option<String>,
        /// The primary's name.
        name: String,
    },
}

/// Reads `rest`, the path after `/apis/{group}/v1/`. Empty segments (`//`) are skipped, so an
/// empty group in the alias reads as the core group; the alias is read in `primary-all` only.
pub fn parse(group: &str, rest: &str) -> Result<Target, ApiError> {
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let bad = || {
        ApiError::bad_request(format!(
            "cannot read the path /apis/{group}/v1/{rest}; use namespaces/{{namespace}}/{{resource}}/{{name}} or {{resource}}/{{name}}{}",
            if group == GROUP {
                ", or {group}/{version}/{kind}/{namespace}/{name}"
            } else {
                ""
            }
        ))
    };
    let owned = |s: &str| s.to_string();
    let core = |group: &str| if group == "core" { "" } else { group }.to_string();
    let kind = |group: String, version: &str, kind: &str, namespace: Option<&str>, name: &str| {
        Target::Kind {
            group,
            version: owned(version),
            kind: owned(kind),
            namespace: namespace.map(owned),
            name: owned(name),
        }
    };
    Ok(match segments.as_slice() {
        ["namespaces", namespace, resource, name] => Target::Resource {
            resource: owned(resource),
            namespace: Some(owned(namespace)),
            name: owned(name),
        },
        [resource, name] => Target::Resource {
            resource: owned(resource),
            namespace: None,
            name: owned(name),
        },
        ["namespaces", _, resource] | [resource] if group != GROUP => {
            return Err(ApiError::list_not_served(resource));
        }
        _ if group != GROUP => return Err(bad()),
        [version, k, name] if is_version(version) => kind(String::new(), version, k, None, name),
        ["core", version, k, name] => kind(String::new(), version, k, None, name),
        [version, k, namespace, name] if is_version(version) => {
            kind(String::new(), version, k, Some(namespace), name)
        }
        [group, version, k, name] => kind(owned(group), version, k, None, name),
        [group, version, k, namespace, name] => {
            kind(core(group), version, k, Some(namespace), name)
        }
        _ => return Err(bad()),
    })
}

/// Reads `?depth=`: 1 (the default) for direct children, 2 for their children too, up to
/// [`MAX_DEPTH`].
pub fn depth(value: Option<&str>) -> Result<usize, ApiError> {
    let Some(value) = value else { return Ok(1) };
    match value.parse::<usize>() {
        Ok(depth) if (1..=MAX_DEPTH).contains(&depth) => Ok(depth),
        _ => Err(ApiError::bad_request(format!(
            "depth must be a number from 1 to {MAX_DEPTH}, not {value:?}"
        ))),
    }
}

/// `v1`, `v1beta2`, `v2alpha1`: what an API version looks like, so that an alias with an
/// empty group is told from one with a group.
fn is_version(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('v') else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let (major, tail) = rest.split_at(digits);
    if major.is_empty() {
        return false;
    }
    let stage = tail
        .strip_prefix("alpha")
        .or_else(|| tail.strip_prefix("beta"));
    match stage {
        None => tail.is_empty(),
        Some(n) => !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(resource: &str, namespace: Option<&str>, name: &str) -> Target {
        Target::Resource {
            resource: resource.into(),
            namespace: namespace.map(Into::into),
            name: name.into(),
        }
    }

    fn kind(group: &str, version: &str, k: &str, namespace: Option<&str>, name: &str) -> Target {
        Target::Kind {
            group: group.into(),
            version: version.into(),
            kind: k.into(),
            namespace: namespace.map(Into::into),
            name: name.into(),
        }
    }

    #[test]
    fn the_resource_routes_name_namespace_resource_and_name() {
        assert_eq!(
            parse(
                GROUP,
                "namespaces/prod/databases.demo.kube-secondary.dev/orders"
            )
            .unwrap(),
            resource("databases.demo.kube-secondary.dev", Some("prod"), "orders")
        );
        assert_eq!(
            parse(GROUP, "clusterdatabases.demo.kube-secondary.dev/orders").unwrap(),
            resource("clusterdatabases.demo.kube-secondary.dev", None, "orders")
        );
        // The core group's Namespace, as `primary_all::path` writes it.
        assert_eq!(
            parse(GROUP, "namespaces/prod").unwrap(),
            resource("namespaces", None, "prod")
        );
    }

    #[test]
    fn the_alias_names_group_version_kind_namespace_and_name() {
        assert_eq!(
            parse(GROUP, "apps/v1/Deployment/prod/web").unwrap(),
            kind("apps", "v1", "Deployment", Some("prod"), "web")
        );
        assert_eq!(
            parse(GROUP, "core/v1/ConfigMap/prod/settings").unwrap(),
            kind("", "v1", "ConfigMap", Some("prod"), "settings")
        );
        assert_eq!(
            parse(GROUP, "demo.kube-secondary.dev/v1/ClusterDatabase/orders").unwrap(),
            kind(
                "demo.kube-secondary.dev",
                "v1",
                "ClusterDatabase",
                None,
                "orders"
            )
        );
        assert_eq!(
            parse(GROUP, "core/v1/Namespace/prod").unwrap(),
            kind("", "v1", "Namespace", None, "prod")
        );
    }

    #[test]
    fn the_alias_tolerates_an_empty_group_and_doubled_slashes() {
        let settings = kind("", "v1", "ConfigMap", Some("prod"), "settings");
        assert_eq!(
            parse(GROUP, "/v1/ConfigMap/prod/settings").unwrap(),
            settings
        );
        assert_eq!(
            parse(GROUP, "v1/ConfigMap//prod/settings").unwrap(),
            settings
        );
        assert_eq!(
            parse(GROUP, "/v1/Namespace/prod").unwrap(),
            kind("", "v1", "Namespace", None, "prod")
        );
        assert_eq!(
            parse(GROUP, "apps//v1/Deployment/prod/web/").unwrap(),
            kind("apps", "v1", "Deployment", Some("prod"), "web")
        );
    }

    #[test]
    fn a_group_of_its_own_names_plurals_and_has_no_alias() {
        let group = "primary-all.demo.kube-secondary.dev";
        assert_eq!(
            parse(group, "namespaces/prod/databases/orders").unwrap(),
            resource("databases", Some("prod"), "orders")
        );
        let alias = parse(group, "demo.kube-secondary.dev/v1/Database/prod/orders");
        assert_eq!(alias.unwrap_err().code, http::StatusCode::BAD_REQUEST);
        for list in ["namespaces/prod/databases", "databases"] {
            let error = parse(group, list).unwrap_err();
            assert_eq!(error.code, http::StatusCode::METHOD_NOT_ALLOWED, "{list}");
        }
    }

    #[test]
    fn other_paths_are_bad_requests() {
        for bad in [
            "",
            "namespaces/prod/databases.demo.kube-secondary.dev",
            "a/b/c/d/e/f",
        ] {
            assert_eq!(
                parse(GROUP, bad).unwrap_err().code,
                http::StatusCode::BAD_REQUEST,
                "{bad}"
            );
        }
    }

    #[test]
    fn depth_defaults_to_one_and_is_capped() {
        assert_eq!(depth(None).unwrap(), 1);
        assert_eq!(depth(Some("2")).unwrap(), 2);
        assert_eq!(depth(Some("5")).unwrap(), MAX_DEPTH);
        for bad in ["0", "6", "-1", "deep", ""] {
            assert_eq!(
                depth(Some(bad)).unwrap_err().code,
                http::StatusCode::BAD_REQUEST,
                "{bad}"
            );
        }
    }

    #[test]
    fn versions_are_told_from_groups() {
        for version in ["v1", "v2", "v1beta1", "v2alpha3", "v10"] {
            assert!(is_version(version), "{version}");
        }
        for other in ["apps", "v", "vx", "v1beta", "v1gamma1", "velero.io", "core"] {
            assert!(!is_version(other), "{other}");
        }
    }
}
