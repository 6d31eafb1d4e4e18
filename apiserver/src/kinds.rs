//! The kinds the server caches, resolved by discovery once at start-up: plural and scope of
//! each primary and child kind, and every listable namespaced kind for `discover_children`.

use std::collections::BTreeSet;

use kube::Client;
use kube::api::{ApiResource, GroupVersionKind};
use kube::discovery::{self, ApiCapabilities, Discovery, Scope, verbs};
use kube_secondary::primary_all::{self, resource_name};

use crate::config::ServerConfig;
use crate::error::Error;
use crate::holding;
use crate::kind_spec::KindSpec;
use crate::mapping::{MapKey, Mapping};

/// One cached kind.
#[derive(Clone, Debug)]
pub struct Kind {
    /// Group, version, kind and plural.
    pub resource: ApiResource,
    /// Whether its objects live in namespaces.
    pub namespaced: bool,
    /// Served as a primary.
    pub primary: bool,
    /// Searched for children.
    pub child: bool,
    /// Why it is not watched: discovery did not know it.
    pub unresolved: Option<String>,
    /// Held as metadata only ([`crate::holding`]).
    pub metadata_only: bool,
    /// The labels and annotations its objects are indexed under: the keys of the mappings
    /// that declare it a child.
    pub map_keys: Vec<MapKey>,
}

/// A mapping with its kinds resolved: objects of kind `child` whose `key` names an object of
/// kind `primary` are that object's children.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedMapping {
    /// The primary kind's id.
    pub primary: usize,
    /// The child kind's id.
    pub child: usize,
    /// The label or annotation.
    pub key: MapKey,
}

impl Kind {
    /// The name of its alias resource in `primary-all`: `databases.demo.kube-secondary.dev`.
    pub fn served_name(&self) -> String {
        resource_name(&self.resource.group, &self.resource.plural)
    }
}

/// Every cached kind; a kind's position is its id in the index and the caches.
#[derive(Clone, Debug, Default)]
pub struct Kinds(Vec<Kind>, Vec<ResolvedMapping>);

impl Kinds {
    /// Resolves `config`'s kinds through discovery. A primary discovery does not know stops
    /// the start; a child kind it does not know is kept, unwatched, to be reported per request.
    pub async fn resolve(client: &Client, config: &ServerConfig) -> Result<Self, Error> {
        if config.primaries.is_empty() {
            return Err(Error::NoPrimaries);
        }
        let mut kinds = Kinds::default();
        for spec in &config.primaries {
            let (resource, caps) =
                pinned(client, spec)
                    .await
                    .map_err(|source| Error::PrimaryDiscovery {
                        kind: spec.to_string(),
                        source,
                    })?;
            kinds.add(resource, &caps, true, false);
        }
        let mappings = config.all_mappings()?;
        let mapped_children = mappings.iter().map(|mapping| &mapping.child);
        for spec in config.children.iter().chain(mapped_children) {
            if kinds.find(spec).is_some_and(|id| kinds.get(id).child) {
                continue;
            }
            match pinned(client, spec).await {
                Ok((resource, caps)) => kinds.add(resource, &caps, false, true),
                Err(error) => {
                    let why = not_served(spec, &error);
                    tracing::warn!("{why}");
                    kinds.add_unresolved(spec, why);
                }
            }
        }
        if config.discover_children {
            let served = kinds.served_groups();
            let served: Vec<&str> = served.iter().map(String::as_str).collect();
            let discovery = Discovery::new(client.clone())
                .exclude(&served)
                .run_aggregated()
                .await
                .map_err(Error::Discovery)?;
            for group in discovery.groups() {
                for (resource, caps) in group.recommended_resources() {
                    if is_discoverable_child(&resource, &caps) {
                        kinds.add(resource, &caps, false, true);
                    }
                }
            }
        }
        for mapping in &mappings {
            kinds.map(mapping)?;
        }
        for kind in &mut kinds.0 {
            let resource = &kind.resource;
            kind.metadata_only = holding::metadata_only(
                &resource.group,
                &resource.kind,
                &config.metadata_only,
                &config.full_objects,
            );
        }
        Ok(kinds)
    }

    /// Declares `mapping`, whose kinds are known.
    pub fn map(&mut self, mapping: &Mapping) -> Result<(), Error> {
        let primary = self
            .find(&mapping.primary)
            .filter(|id| self.get(*id).primary);
        let primary = primary.ok_or_else(|| Error::MappingPrimary(mapping.to_string()))?;
        let child = self
            .find(&mapping.child)
            .expect("every mapped child kind was added");
        let keys = &mut self.0[child].map_keys;
        if !keys.contains(&mapping.key) {
            keys.push(mapping.key.clone());
        }
        self.1.push(ResolvedMapping {
            primary,
            child,
            key: mapping.key.clone(),
        });
        Ok(())
    }

    /// The mappings that name objects of primary kind `primary`.
    pub fn mappings_to(&self, primary: usize) -> impl Iterator<Item = &ResolvedMapping> {
        self.1
            .iter()
            .filter(move |mapping| mapping.primary == primary)
    }

    /// The kind `spec` names (by group and kind), if cached.
    fn find(&self, spec: &KindSpec) -> Option<usize> {
        self.iter()
            .find(|(_, k)| k.resource.group == spec.group && k.resource.kind == spec.kind)
            .map(|(id, _)| id)
    }

    /// Adds a kind, or marks an already known one (same group and kind) primary or child too.
    pub fn add(
        &mut self,
        resource: ApiResource,
        caps: &ApiCapabilities,
        primary: bool,
        child: bool,
    ) {
        let namespaced = caps.scope == Scope::Namespaced;
        let known = self
            .0
            .iter_mut()
            .find(|k| k.resource.group == resource.group && k.resource.kind == resource.kind);
        match known {
            Some(kind) => {
                kind.primary |= primary;
                kind.child |= child;
            }
            None => self.0.push(Kind {
                resource,
                namespaced,
                primary,
                child,
                unresolved: None,
                metadata_only: false,
                map_keys: Vec::new(),
            }),
        }
    }

    fn add_unresolved(&mut self, spec: &KindSpec, why: String) {
        let gvk = GroupVersionKind::gvk(&spec.group, &spec.version, &spec.kind);
        self.0.push(Kind {
            resource: ApiResource::from_gvk(&gvk),
            namespaced: true,
            primary: false,
            child: true,
            unresolved: Some(why),
            metadata_only: false,
            map_keys: Vec::new(),
        });
    }

    /// All kinds, by id.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &Kind)> {
        self.0.iter().enumerate()
    }

    /// The kind with id `id`.
    pub fn get(&self, id: usize) -> &Kind {
        &self.0[id]
    }

    /// The primary kinds.
    pub fn primaries(&self) -> impl Iterator<Item = (usize, &Kind)> {
        self.iter().filter(|(_, kind)| kind.primary)
    }

    /// The API groups served: `primary-all` and `primary-all.<group>` of each primary group.
    pub fn served_groups(&self) -> BTreeSet<String> {
        let groups = self
            .primaries()
            .map(|(_, kind)| kind.resource.group.as_str());
        primary_all::served_groups(groups)
    }

    /// The primary kind served as `plural` in the API group `served` (`primary-all.<group>`).
    pub fn primary_in(&self, served: &str, plural: &str) -> Option<usize> {
        self.primaries()
            .find(|(_, kind)| {
                kind.resource.plural == plural
                    && primary_all::served_group(&kind.resource.group) == served
            })
            .map(|(id, _)| id)
    }

    /// The primary kind served as `resource` in `primary-all` (`databases.demo.kube-secondary.dev`).
    pub fn primary_by_served_name(&self, resource: &str) -> Option<usize> {
        self.primaries()
            .find(|(_, kind)| kind.served_name() == resource)
            .map(|(id, _)| id)
    }

    /// The primary kind of `group` named `kind`, by kind (any case) or plural, as the alias
    /// route writes it; the version is not compared.
    pub fn primary_by_kind(&self, group: &str, kind: &str) -> Option<usize> {
        self.primaries()
            .find(|(_, k)| {
                k.resource.group == group
                    && (k.resource.kind.eq_ignore_ascii_case(kind) || k.resource.plural == kind)
            })
            .map(|(id, _)| id)
    }
}

async fn pinned(client: &Client, spec: &KindSpec) -> kube::Result<(ApiResource, ApiCapabilities)> {
    let gvk = GroupVersionKind::gvk(&spec.group, &spec.version, &spec.kind);
    discovery::pinned_kind(client, &gvk).await
}

/// Why a kind is not cached, in words for the response: `demo.example.com/v1/Widget is not
/// served by this cluster (discovery: 404 page not found)`.
fn not_served(spec: &KindSpec, error: &kube::Error) -> String {
    let detail = match error {
        kube::Error::Api(status) => status.message.clone(),
        error => error.to_string(),
    };
    format!("{spec} is not served by this cluster (discovery: {detail})")
}

/// A namespaced kind that can be listed and watched, other than events: events point at
/// objects through `involvedObject`, never ownerReferences, and churn.
fn is_discoverable_child(resource: &ApiResource, caps: &ApiCapabilities) -> bool {
    caps.scope == Scope::Namespaced
        && caps.supports_operation(verbs::LIST)
        && caps.supports_operation(verbs::WATCH)
        && resource.plural != "events"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(scope: Scope, operations: &[&str]) -> ApiCapabilities {
        ApiCapabilities {
            scope,
            subresources: vec![],
            operations: operations.iter().map(|op| op.to_string()).collect(),
        }
    }

    fn resource(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
        let mut resource = ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind));
        resource.plural = plural.to_string();
        resource
    }

    #[test]
    fn a_kind_both_primary_and_child_is_cached_once() {
        let namespaced = caps(Scope::Namespaced, &["get", "list", "watch"]);
        let mut kinds = Kinds::default();
        kinds.add(
            resource("apps", "v1", "Deployment", "deployments"),
            &namespaced,
            true,
            false,
        );
        kinds.add(
            resource("apps", "v1", "Deployment", "deployments"),
            &namespaced,
            false,
            true,
        );
        kinds.add(
            resource("", "v1", "ConfigMap", "configmaps"),
            &namespaced,
            false,
            true,
        );
        assert_eq!(kinds.iter().count(), 2);
        let deployment = kinds.get(0);
        assert!(deployment.primary && deployment.child);
        assert_eq!(kinds.primary_by_served_name("deployments.apps"), Some(0));
        assert_eq!(kinds.primary_by_kind("apps", "deployment"), Some(0));
        assert_eq!(kinds.primary_in("primary-all.apps", "deployments"), Some(0));
        assert_eq!(kinds.primary_in("primary-all", "deployments"), None);
        assert_eq!(
            kinds.primary_by_served_name("configmaps"),
            None,
            "not a primary"
        );
    }

    #[test]
    fn discovered_children_are_namespaced_listable_and_not_events() {
        let watchable = caps(Scope::Namespaced, &["list", "watch"]);
        let secret = resource("", "v1", "Secret", "secrets");
        assert!(is_discoverable_child(&secret, &watchable));
        assert!(!is_discoverable_child(
            &resource("", "v1", "Event", "events"),
            &watchable
        ));
        assert!(!is_discoverable_child(
            &secret,
            &caps(Scope::Cluster, &["list", "watch"])
        ));
        assert!(!is_discoverable_child(
            &secret,
            &caps(Scope::Namespaced, &["create"])
        ));
    }
}
