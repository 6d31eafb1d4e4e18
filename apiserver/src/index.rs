//! Who points at whom, kept from each kind's watch events beside its reflector store: the
//! controller ownerReference uid of every cached object, and its value under each label or
//! annotation that a mapping declares for its kind. Answers "children of uid U" and "objects
//! whose `key` is `name`" without a scan.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, RwLock};

use kube::api::DynamicObject;
use kube::runtime::watcher::Event;

use crate::mapping::MapKey;

/// A cached object: its kind (a position in the server's kind table), namespace and name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey {
    /// The kind's position in [`crate::kinds::Kinds`].
    pub kind: usize,
    /// `None` for a cluster-scoped object.
    pub namespace: Option<String>,
    /// The object's name.
    pub name: String,
}

/// The index of one kind.
#[derive(Debug, Default)]
pub struct KindIndex {
    /// Controller owner uid -> objects.
    by_owner: HashMap<String, BTreeSet<ObjectKey>>,
    /// Mapped key and value -> objects carrying that value under that key.
    by_mapped_name: HashMap<(MapKey, String), BTreeSet<ObjectKey>>,
    /// What each object was indexed under, to unindex it when it changes or goes.
    entries: HashMap<ObjectKey, Entry>,
}

#[derive(Debug, PartialEq, Eq)]
struct Entry {
    owner: Option<String>,
    mapped_names: BTreeSet<(MapKey, String)>,
}

impl KindIndex {
    /// Indexes `obj` of kind `kind` by its owner and its values under `map_keys`, replacing
    /// what it was indexed under before.
    pub fn apply(&mut self, kind: usize, map_keys: &[MapKey], obj: &DynamicObject) {
        let key = key(kind, obj);
        let entry = entry(map_keys, obj);
        if self.entries.get(&key) == Some(&entry) {
            return;
        }
        self.remove(&key);
        if let Some(owner) = &entry.owner {
            self.by_owner
                .entry(owner.clone())
                .or_default()
                .insert(key.clone());
        }
        for name in &entry.mapped_names {
            self.by_mapped_name
                .entry(name.clone())
                .or_default()
                .insert(key.clone());
        }
        self.entries.insert(key, entry);
    }

    /// Forgets `obj`.
    pub fn delete(&mut self, kind: usize, obj: &DynamicObject) {
        self.remove(&key(kind, obj));
    }

    /// The objects whose controller ownerReference names `uid`.
    pub fn owned_by(&self, uid: &str) -> impl Iterator<Item = &ObjectKey> {
        self.by_owner.get(uid).into_iter().flatten()
    }

    /// The objects whose value under `map_key` is `name`; in `namespace` when given, else
    /// anywhere.
    pub fn mapped_to<'a>(
        &'a self,
        map_key: &MapKey,
        name: &str,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = &'a ObjectKey> {
        let at = (map_key.clone(), name.to_string());
        let matches = self.by_mapped_name.get(&at).into_iter().flatten();
        matches.filter(move |key| namespace.is_none() || key.namespace.as_deref() == namespace)
    }

    fn remove(&mut self, key: &ObjectKey) {
        let Some(old) = self.entries.remove(key) else {
            return;
        };
        if let Some(owner) = old.owner {
            unlink(&mut self.by_owner, owner, key);
        }
        for name in old.mapped_names {
            unlink(&mut self.by_mapped_name, name, key);
        }
    }
}

fn unlink<K: Eq + std::hash::Hash>(
    map: &mut HashMap<K, BTreeSet<ObjectKey>>,
    at: K,
    key: &ObjectKey,
) {
    if let Some(keys) = map.get_mut(&at) {
        keys.remove(key);
        if keys.is_empty() {
            map.remove(&at);
        }
    }
}

fn key(kind: usize, obj: &DynamicObject) -> ObjectKey {
    ObjectKey {
        kind,
        namespace: obj.metadata.namespace.clone(),
        name: obj.metadata.name.clone().unwrap_or_default(),
    }
}

fn entry(map_keys: &[MapKey], obj: &DynamicObject) -> Entry {
    let meta = &obj.metadata;
    let owner = meta
        .owner_references
        .iter()
        .flatten()
        .find(|reference| reference.controller == Some(true))
        .map(|reference| reference.uid.clone());
    let mapped_names = map_keys
        .iter()
        .filter_map(|key| Some((key.clone(), key.value(meta)?.clone())))
        .collect();
    Entry {
        owner,
        mapped_names,
    }
}

/// The index of one kind as its watch feeds it: a relist is gathered aside and swapped in
/// whole when it is done, as the reflector does with its store.
#[derive(Debug, Default)]
pub struct Indexer {
    live: RwLock<KindIndex>,
    relisting: Mutex<Option<KindIndex>>,
}

impl Indexer {
    /// Folds one watch event of kind `kind` into the index.
    pub fn event(&self, kind: usize, map_keys: &[MapKey], event: &Event<DynamicObject>) {
        match event {
            Event::Apply(obj) => self.write().apply(kind, map_keys, obj),
            Event::Delete(obj) => self.write().delete(kind, obj),
            Event::Init => *self.relisting() = Some(KindIndex::default()),
            Event::InitApply(obj) => {
                if let Some(index) = self.relisting().as_mut() {
                    index.apply(kind, map_keys, obj);
                }
            }
            Event::InitDone => {
                if let Some(index) = self.relisting().take() {
                    *self.write() = index;
                }
            }
        }
    }

    /// Reads the live index.
    pub fn read(&self) -> std::sync::RwLockReadGuard<'_, KindIndex> {
        self.live
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, KindIndex> {
        self.live
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn relisting(&self) -> std::sync::MutexGuard<'_, Option<KindIndex>> {
        self.relisting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ConfigMap with a uid, maybe a controller owner, and labels.
    fn object(
        namespace: &str,
        name: &str,
        uid: &str,
        owner: Option<&str>,
        labels: &[(&str, &str)],
    ) -> DynamicObject {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "namespace": namespace,
                "name": name,
                "uid": uid,
                "labels": labels.iter().copied().collect::<std::collections::BTreeMap<_, _>>(),
                "ownerReferences": owner.map(|uid| vec![serde_json::json!({
                    "apiVersion": "v1", "kind": "Thing", "name": "owner", "uid": uid, "controller": true,
                })]).unwrap_or_default(),
            },
        }))
        .unwrap()
    }

    const INSTANCE: &str = "app.kubernetes.io/instance";

    fn instance() -> MapKey {
        MapKey::Label(INSTANCE.into())
    }

    fn keys<'a>(found: impl Iterator<Item = &'a ObjectKey>) -> Vec<&'a str> {
        found.map(|key| key.name.as_str()).collect()
    }

    #[test]
    fn objects_are_found_by_controller_uid_and_by_mapped_name() {
        let labels = vec![instance()];
        let mut index = KindIndex::default();
        index.apply(0, &labels, &object("prod", "a", "ua", Some("db"), &[]));
        index.apply(
            0,
            &labels,
            &object("prod", "b", "ub", None, &[(INSTANCE, "orders")]),
        );
        index.apply(
            0,
            &labels,
            &object("test", "c", "uc", None, &[(INSTANCE, "orders")]),
        );
        index.apply(
            0,
            &labels,
            &object("prod", "d", "ud", None, &[("other", "orders")]),
        );

        assert_eq!(keys(index.owned_by("db")), ["a"]);
        assert_eq!(
            keys(index.mapped_to(&instance(), "orders", Some("prod"))),
            ["b"]
        );
        assert_eq!(
            keys(index.mapped_to(&instance(), "orders", None)),
            ["b", "c"]
        );
        assert_eq!(index.entries.len(), 4);
    }

    #[test]
    fn a_change_reindexes_and_a_delete_forgets() {
        let labels = vec![instance()];
        let mut index = KindIndex::default();
        index.apply(
            0,
            &labels,
            &object("prod", "a", "ua", Some("db1"), &[(INSTANCE, "x")]),
        );
        index.apply(0, &labels, &object("prod", "a", "ua", Some("db2"), &[]));
        assert_eq!(keys(index.owned_by("db1")).len(), 0);
        assert_eq!(keys(index.owned_by("db2")), ["a"]);
        assert_eq!(keys(index.mapped_to(&instance(), "x", None)).len(), 0);

        index.delete(0, &object("prod", "a", "ua", Some("db2"), &[]));
        assert!(index.entries.is_empty());
        assert!(index.by_owner.is_empty() && index.by_mapped_name.is_empty());
    }

    #[test]
    fn a_relist_replaces_the_index_only_when_it_is_done() {
        let labels = vec![instance()];
        let indexer = Indexer::default();
        indexer.event(
            0,
            &labels,
            &Event::Apply(object("prod", "gone", "u1", Some("db"), &[])),
        );
        indexer.event(0, &labels, &Event::Init);
        indexer.event(
            0,
            &labels,
            &Event::InitApply(object("prod", "new", "u2", Some("db"), &[])),
        );
        assert_eq!(keys(indexer.read().owned_by("db")), ["gone"]);
        indexer.event(0, &labels, &Event::InitDone);
        assert_eq!(keys(indexer.read().owned_by("db")), ["new"]);
    }
}
