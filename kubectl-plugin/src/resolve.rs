//! Which resource type `database`, `databases`, `db` or `databases.demo.example.com` names, as
//! kubectl resolves it: from the server's own discovery document, read once.

use kube::core::discovery::v2::APIGroupDiscoveryList;
use kube_secondary::primary_all;

/// One resource type the server serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// `demo.example.com`, or `""` for the core group.
    pub group: String,
    /// `v1`.
    pub version: String,
    /// `databases`.
    pub plural: String,
    /// `database`.
    pub singular: String,
    /// `Database`.
    pub kind: String,
    /// `db`.
    pub short_names: Vec<String>,
    /// Whether its objects live in a namespace.
    pub namespaced: bool,
}

/// The resource type a command names.
pub type Resolved = Candidate;

/// Every resource type the server serves, in its order of preference (core group first, each
/// group's preferred version first).
#[derive(Clone, Debug, Default)]
pub struct Discovered {
    /// The resource types.
    pub resources: Vec<Candidate>,
    /// The API groups, with or without resources.
    pub groups: Vec<String>,
}

impl Discovered {
    /// What aggregated discovery of `/api` (`core`) and `/apis` (`groups`) lists.
    pub fn from_lists(core: APIGroupDiscoveryList, groups: APIGroupDiscoveryList) -> Self {
        let mut discovered = Self::default();
        for group in core.items.into_iter().chain(groups.items) {
            let name = group
                .metadata
                .and_then(|meta| meta.name)
                .unwrap_or_default();
            for version in group.versions {
                let version_name = version.version.unwrap_or_default();
                for resource in version.resources {
                    let kind = resource
                        .response_kind
                        .and_then(|kind| kind.kind)
                        .unwrap_or_default();
                    discovered.resources.push(Candidate {
                        group: name.clone(),
                        version: version_name.clone(),
                        plural: resource.resource.unwrap_or_default(),
                        singular: resource
                            .singular_resource
                            .unwrap_or_else(|| kind.to_lowercase()),
                        kind,
                        short_names: resource.short_names,
                        namespaced: resource.scope.as_deref() == Some("Namespaced"),
                    });
                }
            }
            discovered.groups.push(name);
        }
        discovered
    }

    /// Whether the `primary-all` API group of `primary`'s group is registered.
    pub fn primary_all_registered(&self, primary: &Candidate) -> bool {
        let served = primary_all::served_group(&primary.group);
        self.groups.contains(&served)
    }

    /// Whether the `primary-all` API serves primaries of `primary`'s type.
    pub fn primary_all_serves(&self, primary: &Candidate) -> bool {
        let served = primary_all::served_group(&primary.group);
        self.resources
            .iter()
            .any(|resource| resource.group == served && resource.plural == primary.plural)
    }
}

/// Whether `group` is one the `primary-all` API serves: `primary-all` or `primary-all.<group>`.
fn is_primary_all(group: &str) -> bool {
    group == primary_all::GROUP
        || group
            .strip_prefix(primary_all::GROUP)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// The resource type `asked` names: a plural, singular, short name or kind (any case), or one
/// of those followed by `.GROUP` or `.VERSION.GROUP`. The first match in `discovered`'s order
/// wins, as in kubectl. The `primary-all` API's own resources are never a primary.
pub fn resolve<'a>(discovered: &'a Discovered, asked: &str) -> Option<&'a Resolved> {
    let asked = asked.to_lowercase();
    let resources = || {
        discovered
            .resources
            .iter()
            .filter(|resource| !is_primary_all(&resource.group))
    };
    if let Some(found) = resources().find(|resource| names(resource, &asked)) {
        return Some(found);
    }
    let (name, qualifier) = asked.split_once('.')?;
    resources().find(|resource| {
        let version_group = qualifier.split_once('.');
        names(resource, name)
            && (resource.group == qualifier
                || version_group.is_some_and(|(version, group)| {
                    resource.version == version && resource.group == group
                }))
    })
}

fn names(resource: &Candidate, name: &str) -> bool {
    resource.plural == name
        || resource.singular == name
        || resource.kind.to_lowercase() == name
        || resource.short_names.iter().any(|short| short == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(
        group: &str,
        version: &str,
        plural: &str,
        kind: &str,
        short: &[&str],
    ) -> Candidate {
        Candidate {
            group: group.into(),
            version: version.into(),
            plural: plural.into(),
            singular: kind.to_lowercase(),
            kind: kind.into(),
            short_names: short.iter().map(|s| s.to_string()).collect(),
            namespaced: true,
        }
    }

    fn discovered() -> Discovered {
        Discovered {
            resources: vec![
                candidate("", "v1", "events", "Event", &["ev"]),
                candidate("apps", "v1", "deployments", "Deployment", &["deploy"]),
                candidate("events.k8s.io", "v1", "events", "Event", &["ev"]),
                candidate("demo.example.com", "v1", "databases", "Database", &["db"]),
                candidate(
                    "demo.example.com",
                    "v1beta1",
                    "databases",
                    "Database",
                    &["db"],
                ),
                candidate(
                    "primary-all",
                    "v1",
                    "databases.demo.example.com",
                    "PrimaryAll",
                    &[],
                ),
                candidate(
                    "primary-all.demo.example.com",
                    "v1",
                    "databases",
                    "Database",
                    &[],
                ),
            ],
            groups: vec!["".into(), "apps".into(), "events.k8s.io".into()],
        }
    }

    fn resolved(asked: &str) -> Option<(String, String, String)> {
        let discovered = discovered();
        resolve(&discovered, asked).map(|r| (r.group.clone(), r.version.clone(), r.plural.clone()))
    }

    #[test]
    fn by_plural_singular_short_name_or_kind_in_the_preferred_version() {
        let database = Some(("demo.example.com".into(), "v1".into(), "databases".into()));
        for asked in ["databases", "database", "db", "Database", "DB"] {
            assert_eq!(resolved(asked), database, "{asked}");
        }
    }

    #[test]
    fn by_group_or_version_and_group() {
        assert_eq!(
            resolved("databases.demo.example.com"),
            Some(("demo.example.com".into(), "v1".into(), "databases".into()))
        );
        assert_eq!(
            resolved("db.v1beta1.demo.example.com"),
            Some((
                "demo.example.com".into(),
                "v1beta1".into(),
                "databases".into()
            ))
        );
        assert_eq!(
            resolved("ev.events.k8s.io"),
            Some(("events.k8s.io".into(), "v1".into(), "events".into()))
        );
        assert_eq!(
            resolved("events"),
            Some(("".into(), "v1".into(), "events".into())),
            "core first"
        );
        assert_eq!(
            resolved("deploy.apps").map(|r| r.2),
            Some("deployments".into())
        );
    }

    #[test]
    fn unknown_types_and_the_aggregated_api_itself_resolve_to_nothing() {
        assert_eq!(resolved("databse"), None);
        assert_eq!(resolved("databases.other.example.com"), None);
        assert_eq!(resolved("primaryall"), None);
        assert_eq!(
            resolved("databases.primary-all.demo.example.com"),
            None,
            "a primary-all resource is not a primary"
        );
    }

    #[test]
    fn whether_the_api_is_registered_and_serves_a_type() {
        let mut discovered = discovered();
        let database = candidate("demo.example.com", "v1", "databases", "Database", &[]);
        let deployment = candidate("apps", "v1", "deployments", "Deployment", &[]);
        assert!(!discovered.primary_all_registered(&database));
        discovered
            .groups
            .push("primary-all.demo.example.com".into());
        assert!(discovered.primary_all_registered(&database));
        assert!(!discovered.primary_all_registered(&deployment));
        assert!(discovered.primary_all_serves(&database));
        assert!(!discovered.primary_all_serves(&deployment));
    }
}
