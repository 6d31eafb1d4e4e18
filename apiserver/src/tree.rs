//! A primary's children from the caches: those its uid controls and those labelled with its
//! name, then, down to the requested depth, whatever each child controls; grouped by kind,
//! with the kinds the caller may not list named instead of shown.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use kube::ResourceExt;
use kube::api::DynamicObject;
use kube_secondary::primary_all::KindChildren;

use crate::freshness::Problem;
use crate::index::ObjectKey;
use crate::kinds::Kinds;

/// What the tree is built from: the caches, or a hand-filled index in tests.
pub trait Cached {
    /// Objects of child kinds whose controller ownerReference names `uid`.
    fn owned_by(&self, uid: &str) -> Vec<ObjectKey>;
    /// Objects that a mapping declared for primary kind `primary` maps to the primary named
    /// `name`: of the mapping's child kind, with `name` under its key, in `namespace` (anywhere
    /// when `None`).
    fn mapped_to(&self, primary: usize, name: &str, namespace: Option<&str>) -> Vec<ObjectKey>;
    /// The cached object at `key`.
    fn object(&self, key: &ObjectKey) -> Option<Arc<DynamicObject>>;
}

/// Children found, by key (kind, namespace, name).
pub type Found = BTreeMap<ObjectKey, Arc<DynamicObject>>;

/// The children of `primary`, of kind `kind`, down to `depth` (1: direct children).
/// Label-mapped children are those of the kinds declared for `kind`, looked for in the
/// primary's namespace, or everywhere for a cluster-scoped primary, as the runtime maps them;
/// deeper levels follow controller ownerReferences only. Each object is taken once, and the
/// primary itself never.
pub fn collect(source: &impl Cached, kind: usize, primary: &DynamicObject, depth: usize) -> Found {
    let mut found = Found::new();
    let mut seen: HashSet<String> = primary.uid().into_iter().collect();
    let mut level: Vec<ObjectKey> = primary
        .uid()
        .map(|uid| source.owned_by(&uid))
        .unwrap_or_default();
    let namespace = primary.namespace();
    level.extend(source.mapped_to(kind, &primary.name_any(), namespace.as_deref()));
    for _ in 0..depth {
        let mut next = Vec::new();
        for key in level {
            if found.contains_key(&key) {
                continue;
            }
            let Some(obj) = source.object(&key) else {
                continue;
            };
            let Some(uid) = obj.uid() else { continue };
            if !seen.insert(uid.clone()) {
                continue;
            }
            found.insert(key, obj);
            next.extend(source.owned_by(&uid));
        }
        level = next;
    }
    found
}

/// Where a list permission is needed: a kind in a namespace, or cluster-wide (`None`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ListScope {
    /// The kind id.
    pub kind: usize,
    /// The namespace, `None` for cluster-wide.
    pub namespace: Option<String>,
}

/// Child kinds whose caches are not current, with why: unsynced kinds are answered with their
/// error only, stale ones with what the cache holds and their error.
pub type Unavailable = Vec<(usize, Problem)>;

/// Where the caller must be allowed to list `kind` to see the primary's children of it: the
/// primary's namespace for a namespaced kind of a namespaced primary, else cluster-wide.
pub fn primary_scope(kinds: &Kinds, kind: usize, primary_namespace: Option<&str>) -> ListScope {
    ListScope {
        kind,
        namespace: primary_namespace
            .filter(|_| kinds.get(kind).namespaced)
            .map(str::to_string),
    }
}

/// The list permissions the answer needs: every child kind where the primary's children would
/// be (whether or not it has any), and each found child's kind in its own namespace.
pub fn scopes(
    kinds: &Kinds,
    found: &Found,
    primary_namespace: Option<&str>,
) -> BTreeSet<ListScope> {
    let children = kinds.iter().filter(|(_, kind)| kind.child);
    let kind_scopes = children.map(|(id, _)| primary_scope(kinds, id, primary_namespace));
    let found_scopes = found.keys().map(|key| ListScope {
        kind: key.kind,
        namespace: key.namespace.clone(),
    });
    kind_scopes.chain(found_scopes).collect()
}

/// The response's children, and the child kinds the caller may not list where the primary's
/// children would be, by plural. Which kinds are hidden depends on the caller's permissions
/// alone, never on what exists: nothing about objects the caller may not list is told, not
/// even whether there are any. A child is shown when the caller may list its kind in its
/// namespace. An unsynced kind the caller may list is answered with its error and no items, a
/// stale one with its items and its error. Kinds are sorted by kind then group, items by
/// namespace and name.
pub fn assemble(
    kinds: &Kinds,
    found: Found,
    unavailable: &Unavailable,
    primary_namespace: Option<&str>,
    allowed: impl Fn(&ListScope) -> bool,
    resource_version: impl Fn(usize) -> Option<String>,
) -> (Vec<KindChildren>, Vec<String>) {
    let hidden: BTreeSet<String> = kinds
        .iter()
        .filter(|(id, kind)| kind.child && !allowed(&primary_scope(kinds, *id, primary_namespace)))
        .map(|(_, kind)| kind.resource.plural.clone())
        .collect();
    let mut by_kind: BTreeMap<usize, KindChildren> = BTreeMap::new();
    let skipped: HashSet<usize> = unavailable
        .iter()
        .filter(|(_, problem)| matches!(problem, Problem::Unsynced(_)))
        .map(|(kind, _)| *kind)
        .collect();
    for (key, obj) in found {
        let scope = ListScope {
            kind: key.kind,
            namespace: key.namespace.clone(),
        };
        if skipped.contains(&key.kind) || !allowed(&scope) {
            continue;
        }
        let children = by_kind.entry(key.kind).or_insert_with(|| KindChildren {
            resource_version: resource_version(key.kind),
            ..kind_children(kinds, key.kind)
        });
        let item = serde_json::to_value(&*obj).expect("a cached object serialises");
        children.items.push(item);
    }
    for (id, why) in unavailable {
        if allowed(&primary_scope(kinds, *id, primary_namespace)) {
            let children = by_kind.entry(*id).or_insert_with(|| KindChildren {
                resource_version: resource_version(*id),
                ..kind_children(kinds, *id)
            });
            if matches!(why, Problem::Unsynced(_)) {
                children.resource_version = None;
            }
            children.error = Some(why.message().to_string());
        }
    }
    let mut secondaries: Vec<KindChildren> = by_kind.into_values().collect();
    secondaries.sort_by(|a, b| (&a.kind, &a.api_version).cmp(&(&b.kind, &b.api_version)));
    (secondaries, hidden.into_iter().collect())
}

fn kind_children(kinds: &Kinds, id: usize) -> KindChildren {
    let resource = &kinds.get(id).resource;
    KindChildren {
        api_version: resource.api_version.clone(),
        kind: resource.kind.clone(),
        resource: resource.plural.clone(),
        ..KindChildren::default()
    }
}

#[cfg(test)]
#[path = "tree_tests.rs"]
mod tests;
