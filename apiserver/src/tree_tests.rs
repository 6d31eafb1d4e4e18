//! The tree built from a hand-filled index: depth, label mapping and deduplication; what the
//! answer shows of it in `assemble`.

use std::collections::BTreeMap;
use std::sync::Arc;

use kube::api::{ApiResource, DynamicObject, GroupVersionKind};
use kube::discovery::{ApiCapabilities, Scope};

use super::{Cached, Found, collect};
use crate::index::{KindIndex, ObjectKey};
use crate::kinds::Kinds;

const INSTANCE: &str = "app.kubernetes.io/instance";
const DATABASE: usize = 0;
const CONFIG_MAP: usize = 1;
const STATEFUL_SET: usize = 2;
const POD: usize = 3;
const SECRET: usize = 4;

/// The uid of `kind` `name` in the fixtures: `StatefulSet:orders`.
fn uid(kind: &str, name: &str) -> String {
    format!("{kind}:{name}")
}

/// Kinds, their indexes and their objects, filled by hand.
struct Fixture {
    kinds: Kinds,
    indexes: Vec<KindIndex>,
    objects: BTreeMap<ObjectKey, Arc<DynamicObject>>,
}

impl Fixture {
    fn new() -> Self {
        let mut kinds = Kinds::default();
        let namespaced = ApiCapabilities {
            scope: Scope::Namespaced,
            subresources: vec![],
            operations: vec!["get".into(), "list".into(), "watch".into()],
        };
        let kind = |group: &str, kind: &str, plural: &str| {
            let mut resource = ApiResource::from_gvk(&GroupVersionKind::gvk(group, "v1", kind));
            resource.plural = plural.into();
            resource
        };
        let db = kind("demo.kube-secondary.dev", "Database", "databases");
        // A primary kind that is a child kind too: the primary must not be its own child.
        kinds.add(db, &namespaced, true, true);
        kinds.add(
            kind("", "ConfigMap", "configmaps"),
            &namespaced,
            false,
            true,
        );
        kinds.add(
            kind("apps", "StatefulSet", "statefulsets"),
            &namespaced,
            false,
            true,
        );
        kinds.add(kind("", "Pod", "pods"), &namespaced, false, true);
        kinds.add(kind("", "Secret", "secrets"), &namespaced, false, true);
        // ConfigMaps and Secrets are label-mapped to Databases; Pods and StatefulSets are not.
        for child in ["v1/ConfigMap", "v1/Secret"] {
            let mapping = format!("demo.kube-secondary.dev/v1/Database:{child}:label({INSTANCE})");
            kinds.map(&mapping.parse().unwrap()).unwrap();
        }
        let indexes = (0..kinds.iter().count())
            .map(|_| KindIndex::default())
            .collect();
        Fixture {
            kinds,
            indexes,
            objects: BTreeMap::new(),
        }
    }

    /// Adds an object of kind `kind` to the index and the objects.
    fn add(
        &mut self,
        kind: usize,
        namespace: &str,
        name: &str,
        owner: Option<&str>,
        label: Option<&str>,
    ) {
        let resource = &self.kinds.get(kind).resource;
        let obj: DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": resource.api_version,
            "kind": resource.kind,
            "metadata": {
                "namespace": namespace,
                "name": name,
                "uid": uid(&resource.kind, name),
                "labels": label.map(|value| serde_json::json!({ INSTANCE: value })),
                "ownerReferences": owner.map(|uid| vec![serde_json::json!({
                    "apiVersion": "v1", "kind": "Owner", "name": "owner", "uid": uid, "controller": true,
                })]),
            },
        }))
        .unwrap();
        let map_keys = self.kinds.get(kind).map_keys.clone();
        self.indexes[kind].apply(kind, &map_keys, &obj);
        let key = ObjectKey {
            kind,
            namespace: Some(namespace.into()),
            name: name.into(),
        };
        self.objects.insert(key, Arc::new(obj));
    }

    fn primary(&self, name: &str) -> Arc<DynamicObject> {
        let key = ObjectKey {
            kind: DATABASE,
            namespace: Some("prod".into()),
            name: name.into(),
        };
        Arc::clone(&self.objects[&key])
    }
}

impl Cached for Fixture {
    fn owned_by(&self, uid: &str) -> Vec<ObjectKey> {
        let children = self.kinds.iter().filter(|(_, kind)| kind.child);
        children
            .flat_map(|(id, _)| self.indexes[id].owned_by(uid).cloned().collect::<Vec<_>>())
            .collect()
    }

    fn mapped_to(&self, primary: usize, name: &str, namespace: Option<&str>) -> Vec<ObjectKey> {
        self.kinds
            .mappings_to(primary)
            .flat_map(|mapping| {
                self.indexes[mapping.child]
                    .mapped_to(&mapping.key, name, namespace)
                    .cloned()
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn object(&self, key: &ObjectKey) -> Option<Arc<DynamicObject>> {
        self.objects.get(key).cloned()
    }
}

/// A database `orders` in `prod` with a StatefulSet (and its Pod), a Pod of its own, a
/// labelled ConfigMap, a Secret both owned and labelled, and objects that are not its children.
fn orders() -> Fixture {
    let mut fixture = Fixture::new();
    fixture.add(DATABASE, "prod", "orders", None, Some("orders"));
    fixture.add(
        STATEFUL_SET,
        "prod",
        "orders",
        Some("Database:orders"),
        None,
    );
    fixture.add(POD, "prod", "orders-0", Some("StatefulSet:orders"), None);
    fixture.add(POD, "prod", "orders-backup", Some("Database:orders"), None);
    fixture.add(CONFIG_MAP, "prod", "orders-config", None, Some("orders"));
    fixture.add(CONFIG_MAP, "test", "orders-config", None, Some("orders"));
    fixture.add(CONFIG_MAP, "prod", "unrelated", None, Some("billing"));
    fixture.add(
        SECRET,
        "prod",
        "orders-password",
        Some("Database:orders"),
        Some("orders"),
    );
    fixture
}

fn names(found: &Found) -> Vec<String> {
    found
        .keys()
        .map(|key| format!("{}/{}", key.kind, key.name))
        .collect()
}

#[test]
fn depth_one_is_owned_and_labelled_children_in_the_primarys_namespace_once_each() {
    let fixture = orders();
    let found = collect(&fixture, DATABASE, &fixture.primary("orders"), 1);
    assert_eq!(
        names(&found),
        [
            "1/orders-config",
            "2/orders",
            "3/orders-backup",
            "4/orders-password"
        ]
    );
}

#[test]
fn a_label_on_a_kind_not_mapped_to_the_primary_kind_makes_no_child() {
    let mut fixture = orders();
    // A Helm release named like the Database labels a Pod and a StatefulSet.
    fixture.add(POD, "prod", "helm-pod", None, Some("orders"));
    fixture.add(STATEFUL_SET, "prod", "helm-sts", None, Some("orders"));
    let found = collect(&fixture, DATABASE, &fixture.primary("orders"), 1);
    assert!(
        names(&found).iter().all(|name| !name.contains("helm")),
        "{:?}",
        names(&found)
    );
    // Another primary kind's objects of the same name get no label-mapped children.
    assert!(fixture.mapped_to(POD, "orders", Some("prod")).is_empty());
}

#[test]
fn depth_two_follows_each_childs_uid() {
    let fixture = orders();
    let found = collect(&fixture, DATABASE, &fixture.primary("orders"), 2);
    assert_eq!(
        names(&found),
        [
            "1/orders-config",
            "2/orders",
            "3/orders-0",
            "3/orders-backup",
            "4/orders-password"
        ]
    );
}

#[test]
fn a_cycle_of_owners_ends_and_the_primary_is_never_its_own_child() {
    let mut fixture = Fixture::new();
    fixture.add(DATABASE, "prod", "orders", None, Some("orders"));
    fixture.add(CONFIG_MAP, "prod", "x", Some("ConfigMap:y"), Some("orders"));
    fixture.add(CONFIG_MAP, "prod", "y", Some("ConfigMap:x"), None);
    let found = collect(
        &fixture,
        DATABASE,
        &fixture.primary("orders"),
        crate::target::MAX_DEPTH,
    );
    assert_eq!(names(&found), ["1/x", "1/y"]);
}

#[path = "tree_assemble_tests.rs"]
mod assemble;
