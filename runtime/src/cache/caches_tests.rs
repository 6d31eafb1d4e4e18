use super::*;
use crate::cache::expectations::kind_of;
use crate::cache::packed::Packed;
use crate::testing::{Kind, Primary, child, primary};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::runtime::reflector;
use kube::runtime::watcher::Event;

#[test]
fn a_cache_gives_the_versions_of_a_primarys_children_and_which_children_are_live() {
    let db = primary("db", "u1");
    let (store, mut writer) = reflector::store::<Packed<ConfigMap>>();
    let cfg = child("cfg", &db, "7");
    writer.apply_watcher_event(&Event::Apply(Packed::pack(&cfg).unwrap()));
    let index = Arc::new(OwnerIndex::<ConfigMap, Primary>::default());
    index.set(
        ObjectRef::from_obj(&cfg),
        Some(ObjectRef::from_obj(&db)),
        None,
    );
    let mut caches = Caches::default();
    caches.push(KindCache::<ConfigMap, Primary> {
        kind: Kind::ConfigMap,
        store,
        index,
        mapping: Mapping::Owner,
        drift: None,
        selector: None,
        namespace: None,
        expectations: Arc::default(),
    });
    assert_eq!(
        caches.versions_of(&db),
        vec![Version::of(&child("cfg", &db, "7")).unwrap()],
        "what a run of db is given"
    );
    assert!(caches.versions_of(&primary("other", "u2")).is_empty());
    assert!(caches.has_child(Kind::ConfigMap, &db, Some("ns"), "cfg"));
    assert!(!caches.has_child(Kind::ConfigMap, &db, Some("ns"), "other"));
    assert!(
        !caches.has_child(Kind::ConfigMap, &primary("other", "u2"), Some("ns"), "cfg"),
        "live, but another primary's child"
    );
}

#[test]
fn a_primarys_children_include_its_own_writes_the_cache_does_not_show_yet() {
    let db = primary("db", "u1");
    let (store, mut writer) = reflector::store::<Packed<ConfigMap>>();
    let index = Arc::new(OwnerIndex::<ConfigMap, Primary>::default());
    let mut gone = child("gone", &db, "8");
    gone.metadata.uid = Some("uid-gone".into());
    for cached in [child("kept", &db, "7"), gone.clone()] {
        writer.apply_watcher_event(&Event::Apply(Packed::pack(&cached).unwrap()));
        index.set(
            ObjectRef::from_obj(&cached),
            Some(ObjectRef::from_obj(&db)),
            None,
        );
    }
    let expectations = Arc::new(Expectations::new([kind_of::<ConfigMap>()]));
    let cache = KindCache::<ConfigMap, Primary> {
        kind: Kind::ConfigMap,
        store,
        index,
        mapping: Mapping::Owner,
        drift: None,
        selector: None,
        namespace: None,
        expectations: expectations.clone(),
    };
    let written = |obj: ConfigMap| {
        let version = Version::of(&obj).unwrap();
        expectations.expect(version, false, Some(Arc::new(obj)));
    };
    written(child("created", &db, "9"));
    written(child("kept", &db, "10"));
    written(child("others", &primary("other", "u2"), "11"));
    expectations.expect_deletion(&gone);

    let seen: Vec<_> = cache
        .children(&db)
        .iter()
        .map(|c| {
            (
                c.metadata.name.clone().unwrap(),
                c.metadata.resource_version.clone().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![("created".into(), "9".into()), ("kept".into(), "10".into())],
        "created and changed as written, deleted gone, another primary's not"
    );
}
