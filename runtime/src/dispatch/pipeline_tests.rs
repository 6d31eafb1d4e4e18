use super::*;
use crate::testing::{Kind, Primary, child, primary};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::runtime::reflector::{self, store::Writer};

/// A pipeline and the writer of its store; `feed` applies each event, packed, to the store
/// first, as the watch driver does before it passes the event on.
struct Fixture {
    pipeline: KindPipeline<ConfigMap, Primary>,
    writer: Writer<Packed<ConfigMap>>,
}

impl Fixture {
    fn new() -> Self {
        let (store, writer) = reflector::store();
        let pipeline = KindPipeline::new(
            Kind::ConfigMap,
            Mapping::Owner,
            Arc::new(crate::kinds::predicates::unowned::<ConfigMap>),
            store,
            Arc::default(),
            Arc::new(Expectations::new([kind_of::<ConfigMap>()])),
        );
        Self { pipeline, writer }
    }

    fn feed(&mut self, event: Event<ConfigMap>) -> Seen<Primary> {
        self.writer
            .apply_watcher_event(&Packed::event(&event).expect("a ConfigMap encodes"));
        self.pipeline.on_event(&event)
    }

    fn ops(&mut self, event: Event<ConfigMap>) -> Vec<(String, String, ChangeOp)> {
        ops(&self.feed(event).due)
    }

    /// How many children the owner index holds for `owner`.
    fn children_of(&self, owner: &Primary) -> usize {
        self.pipeline
            .index
            .children_of(&ObjectRef::from_obj(owner))
            .len()
    }

    fn relist(&mut self, listed: Vec<ConfigMap>) -> Vec<(String, String, ChangeOp)> {
        let mut due = self.ops(Event::Init);
        for obj in listed {
            due.extend(self.ops(Event::InitApply(obj)));
        }
        due.extend(self.ops(Event::InitDone));
        due
    }
}

fn ops(due: &[Due<Primary>]) -> Vec<(String, String, ChangeOp)> {
    due.iter()
        .map(|d| (d.primary.name.clone(), d.change.name.clone(), d.change.op))
        .collect()
}

fn applied(primary: &str, child: &str) -> (String, String, ChangeOp) {
    (primary.into(), child.into(), ChangeOp::Applied)
}

fn deleted(primary: &str, child: &str) -> (String, String, ChangeOp) {
    (primary.into(), child.into(), ChangeOp::Deleted)
}

#[test]
fn maps_a_child_to_its_controller_owner_and_filters_unchanged_versions() {
    let db = primary("db", "u1");
    let mut f = Fixture::new();
    let first = f.feed(Event::Apply(child("cfg", &db, "1")));
    assert_eq!(ops(&first.due), vec![applied("db", "cfg")]);
    assert_eq!(first.due[0].owner_uid.as_deref(), Some("u1"));
    let same = f.feed(Event::Apply(child("cfg", &db, "1")));
    assert!(same.due.is_empty(), "same resourceVersion");
    assert_eq!(same.outcome, Some(EventOutcome::Predicate));
    assert_eq!(f.ops(Event::Apply(child("cfg", &db, "2"))).len(), 1);
    assert_eq!(f.children_of(&db), 1);
}

#[test]
fn ignores_owner_references_without_controller_and_remembers_nothing_of_them() {
    let db = primary("db", "u1");
    let mut orphan = child("cfg", &db, "1");
    orphan.metadata.owner_references.as_mut().unwrap()[0].controller = None;
    let mut f = Fixture::new();
    let seen = f.feed(Event::Apply(orphan));
    assert!(seen.due.is_empty());
    assert_eq!(seen.outcome, Some(EventOutcome::NoOwner));
    assert!(
        f.pipeline.index.remembered().is_empty(),
        "no predicate memory for unmapped objects"
    );
}

#[test]
fn own_writes_do_not_wake_but_later_writes_do() {
    let db = primary("db", "u1");
    let mut f = Fixture::new();
    f.feed(Event::Apply(child("cfg", &db, "1")));
    let written = Version::of(&child("cfg", &db, "2")).unwrap();
    f.pipeline.expectations.expect(written, false, None);
    let echo = f.feed(Event::Apply(child("cfg", &db, "2")));
    assert!(echo.due.is_empty());
    assert_eq!(echo.outcome, Some(EventOutcome::OwnEcho));
    assert_eq!(f.ops(Event::Apply(child("cfg", &db, "3"))).len(), 1);
}

#[test]
fn delete_maps_through_the_last_known_owner_and_forgets_state() {
    let db = primary("db", "u1");
    let mut f = Fixture::new();
    f.feed(Event::Apply(child("cfg", &db, "1")));
    let mut gone = child("cfg", &db, "2");
    gone.metadata.owner_references = None;
    assert_eq!(f.ops(Event::Delete(gone)), vec![deleted("db", "cfg")]);
    assert!(f.pipeline.index.remembered().is_empty());
    assert_eq!(f.children_of(&db), 0);
}

#[test]
fn relist_reports_children_that_vanished_and_only_changed_survivors() {
    let db = primary("db", "u1");
    let mut f = Fixture::new();
    f.feed(Event::Apply(child("kept", &db, "1")));
    f.feed(Event::Apply(child("vanished", &db, "1")));
    f.feed(Event::Apply(child("edited", &db, "1")));
    let due = f.relist(vec![child("kept", &db, "1"), child("edited", &db, "5")]);
    assert_eq!(
        due,
        vec![applied("db", "edited"), deleted("db", "vanished")]
    );
    assert_eq!(f.children_of(&db), 2);
}

#[test]
fn a_relist_makes_nothing_due_before_the_store_holds_what_it_listed() {
    // The reflector's store swaps a relist in only at InitDone: a run started on an InitApply
    // would read the previous snapshot and consume the change.
    let db = primary("db", "u1");
    let mut f = Fixture::new();
    f.feed(Event::Apply(child("cfg", &db, "1")));
    f.feed(Event::Init);
    let during = f.feed(Event::InitApply(child("cfg", &db, "7")));
    assert!(during.due.is_empty(), "held until InitDone");
    assert_eq!(
        during.outcome, None,
        "counted when drained, not as filtered"
    );
    let done = f.feed(Event::InitDone);
    assert_eq!(ops(&done.due), vec![applied("db", "cfg")]);
    let cached = f
        .pipeline
        .store
        .get(&ObjectRef::new("cfg").within("ns"))
        .and_then(|packed| packed.unpack())
        .unwrap();
    assert_eq!(cached.metadata.resource_version.as_deref(), Some("7"));
}

#[test]
fn a_relist_forgets_the_predicate_values_and_expectations_of_objects_gone_in_the_gap() {
    let db = primary("db", "u1");
    let mut f = Fixture::new();
    f.feed(Event::Apply(child("kept", &db, "1")));
    f.feed(Event::Apply(child("gone", &db, "1")));
    let expectations = f.pipeline.expectations.clone();
    expectations.expect(Version::of(&child("gone", &db, "2")).unwrap(), false, None);
    expectations.expect(Version::of(&child("kept", &db, "2")).unwrap(), false, None);
    f.relist(vec![child("kept", &db, "1")]);
    assert_eq!(f.pipeline.index.remembered(), vec!["kept"]);
    assert_eq!(
        expectations.len(),
        1,
        "only the listed object's expectation is kept"
    );
}

#[test]
fn moving_a_label_mapped_child_tells_both_primaries() {
    let mut f = Fixture::new();
    f.pipeline.mapping = Mapping::Label("app.kubernetes.io/instance");
    let labelled = |owner: &str, rv: &str| {
        let mut cm = ConfigMap::default();
        cm.metadata.name = Some("pod-config".into());
        cm.metadata.namespace = Some("ns".into());
        cm.metadata.resource_version = Some(rv.into());
        cm.metadata.labels =
            Some([("app.kubernetes.io/instance".to_string(), owner.to_string())].into());
        cm
    };
    f.feed(Event::Apply(labelled("a", "1")));
    assert_eq!(
        f.ops(Event::Apply(labelled("b", "2"))),
        vec![deleted("a", "pod-config"), applied("b", "pod-config")]
    );
}

fn changed(name: &str, by_generation: bool) -> PrimaryEvent<Primary> {
    PrimaryEvent::Changed {
        primary: ObjectRef::new(name).within("ns"),
        by_generation,
    }
}

#[test]
fn primary_wakes_on_generation_not_on_status_writes() {
    let mut p = PrimaryPipeline::<Primary>::default();
    let mut db = primary("db", "u1");
    assert_eq!(
        p.on_event(&Event::Apply(db.clone())),
        vec![changed("db", true)]
    );
    db.metadata.resource_version = Some("9".into());
    assert!(
        p.on_event(&Event::Apply(db.clone())).is_empty(),
        "status-only write"
    );
    db.metadata.generation = Some(2);
    assert_eq!(p.on_event(&Event::Apply(db)), vec![changed("db", true)]);
}

#[test]
fn a_primary_without_generation_wakes_on_every_write_which_may_be_our_echo() {
    let mut p = PrimaryPipeline::<Primary>::default();
    let mut db = primary("db", "u1");
    db.metadata.generation = None;
    db.metadata.resource_version = Some("1".into());
    p.on_event(&Event::Apply(db.clone()));
    db.metadata.resource_version = Some("2".into());
    assert_eq!(p.on_event(&Event::Apply(db)), vec![changed("db", false)]);
}

#[test]
fn a_primary_recreated_under_the_same_name_is_a_deletion_and_a_new_primary() {
    let mut p = PrimaryPipeline::<Primary>::default();
    p.on_event(&Event::Apply(primary("db", "u1")));
    // Deleted and created again during a watch gap: same name and generation, another uid.
    let events = p.on_event(&Event::Apply(primary("db", "u2")));
    assert_eq!(
        events,
        vec![
            PrimaryEvent::Deleted(ObjectRef::new("db").within("ns")),
            changed("db", true)
        ]
    );
}

#[test]
fn a_primary_relist_releases_its_changes_at_init_done() {
    let mut p = PrimaryPipeline::<Primary>::default();
    p.on_event(&Event::Apply(primary("kept", "u1")));
    p.on_event(&Event::Apply(primary("gone", "u2")));
    let mut edited = primary("kept", "u1");
    edited.metadata.generation = Some(2);
    assert!(p.on_event(&Event::Init).is_empty());
    assert!(p.on_event(&Event::InitApply(edited)).is_empty());
    assert!(
        p.on_event(&Event::InitApply(primary("new", "u3")))
            .is_empty()
    );
    assert_eq!(
        p.on_event(&Event::InitDone),
        vec![
            PrimaryEvent::Deleted(ObjectRef::new("gone").within("ns")),
            changed("kept", true),
            changed("new", true)
        ]
    );
}

#[test]
fn a_spec_change_is_never_taken_for_the_echo_of_our_status_write() {
    // Our status patch, built from a stale snapshot, changed nothing and returned the current
    // object: someone's spec edit at generation 2. Its version must not hide that edit.
    let expectations = Expectations::new([kind_of::<Primary>()]);
    let mut p = PrimaryPipeline::<Primary>::default();
    p.on_event(&Event::Apply(primary("db", "u1")));
    let mut edited = primary("db", "u1");
    edited.metadata.generation = Some(2);
    edited.metadata.resource_version = Some("12".into());
    expectations.expect(Version::of(&edited).unwrap(), false, None);
    let event = Event::Apply(edited);
    let changes = p.on_event(&event);
    assert_eq!(changes, vec![changed("db", true)]);
    assert!(!changes[0].is_own_echo(&event, &expectations));

    // Without a generation, a write of ours is recognised.
    let mut plain = primary("plain", "u2");
    plain.metadata.generation = None;
    plain.metadata.resource_version = Some("1".into());
    p.on_event(&Event::Apply(plain.clone()));
    plain.metadata.resource_version = Some("2".into());
    expectations.expect(Version::of(&plain).unwrap(), false, None);
    let event = Event::Apply(plain);
    let changes = p.on_event(&event);
    assert!(changes[0].is_own_echo(&event, &expectations));
}

#[test]
fn our_own_deletion_does_not_wake_but_someone_elses_does() {
    let db = primary("db", "u1");
    let mut f = Fixture::new();
    let mut cfg = child("cfg", &db, "1");
    cfg.metadata.uid = Some("c1".into());
    f.feed(Event::Apply(cfg.clone()));
    f.pipeline.expectations.expect_deletion(&cfg);
    let ours = f.feed(Event::Delete(cfg.clone()));
    assert!(ours.due.is_empty());
    assert_eq!(ours.outcome, Some(EventOutcome::OwnEcho));
    assert_eq!(f.children_of(&db), 0, "the index follows the deletion");
    f.feed(Event::Apply(cfg.clone()));
    assert_eq!(
        f.ops(Event::Delete(cfg)),
        vec![deleted("db", "cfg")],
        "nothing expected: someone else's deletion"
    );
}
