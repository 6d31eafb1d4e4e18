use super::*;
use crate::cache::expectations::kind_of;
use crate::testing::{Kind, Primary, child, primary};
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

pub(super) fn key(name: &str) -> ObjectRef<Primary> {
    ObjectRef::new(name).within("ns")
}

pub(super) fn db() -> Primary {
    primary("db", "u1")
}

pub(super) fn change(name: &str) -> Change<Kind> {
    Change {
        kind: Kind::ConfigMap,
        namespace: Some("ns".into()),
        name: name.into(),
        op: ChangeOp::Applied,
    }
}

pub(super) fn deleted(name: &str) -> Change<Kind> {
    Change {
        op: ChangeOp::Deleted,
        ..change(name)
    }
}

pub(super) fn expectations() -> Expectations {
    Expectations::new([kind_of::<ConfigMap>()])
}

/// Every child in the cache.
pub(super) fn all_live(_: Kind, _: Option<&str>, _: &str) -> bool {
    true
}

pub(super) fn begin(ledger: &Ledger<Primary>, now: Instant) -> Plan<Kind> {
    ledger.begin(&db(), now, &expectations(), &all_live)
}

pub(super) fn ledger() -> Ledger<Primary> {
    Ledger::new(
        Options::new(Duration::from_secs(1800), None),
        Backoff::default(),
        RepairBudget::default(),
    )
}

pub(super) fn full_run(ledger: &Ledger<Primary>, now: Instant) -> Option<Duration> {
    finish_full(ledger, now, Ok(Action::await_change()))
}

pub(super) fn finish_full(
    ledger: &Ledger<Primary>,
    now: Instant,
    result: Result<Action, Action>,
) -> Option<Duration> {
    let outcome = Outcome {
        full: Some(result),
        ..Outcome::default()
    };
    ledger.finish(&key("db"), now, outcome)
}

/// A ledger whose primary had its first full run.
pub(super) fn reconciled(now: Instant) -> Ledger<Primary> {
    let ledger = ledger();
    begin(&ledger, now);
    full_run(&ledger, now);
    ledger
}

pub(super) fn version(name: &str, rv: &str) -> Version {
    Version::of(&child(name, &db(), rv)).unwrap()
}

pub(super) fn secondaries(plan: Plan<Kind>) -> Vec<(String, ChangeOp)> {
    match plan.main {
        Some(Main::Secondaries(changes)) => changes.iter().map(|c| (c.name, c.op)).collect(),
        other => panic!("expected reconcile_secondaries, got {other:?}"),
    }
}

#[test]
fn first_sight_runs_the_full_reconcile_even_if_only_children_were_seen() {
    let ledger = ledger();
    ledger.record_child(key("db"), change("cfg"), None, None);
    let plan = begin(&ledger, Instant::now());
    assert_eq!(plan.main, Some(Main::Full(Trigger::Primary)));
}

#[test]
fn only_children_changed_runs_reconcile_secondaries_with_every_change_coalesced() {
    let now = Instant::now();
    let ledger = reconciled(now);
    ledger.record_child(key("db"), change("a"), None, Some(version("a", "1")));
    ledger.record_child(key("db"), change("b"), None, Some(version("b", "2")));
    ledger.record_child(key("db"), deleted("a"), None, None);
    let live = |_: Kind, _: Option<&str>, name: &str| name != "a";
    let plan = ledger.begin(&db(), now, &expectations(), &live);
    assert_eq!(
        secondaries(plan),
        vec![
            ("a".to_string(), ChangeOp::Deleted),
            ("b".to_string(), ChangeOp::Applied)
        ]
    );
}

#[test]
fn an_echo_of_our_own_write_noticed_only_at_drain_time_wakes_nothing() {
    let now = Instant::now();
    let ledger = reconciled(now);
    // The watch event arrived before the write's response was recorded.
    ledger.record_child(key("db"), change("cfg"), None, Some(version("cfg", "8")));
    let expectations = expectations();
    expectations.expect(version("cfg", "8"), false, None);
    let plan = ledger.begin(&db(), now, &expectations, &all_live);
    assert_eq!(plan.main, None);
    assert_eq!(
        plan.drained,
        vec![(Kind::ConfigMap, EventOutcome::OwnEcho, 1)]
    );
}

#[test]
fn a_coalesced_change_is_dropped_only_if_every_version_in_it_was_ours() {
    let now = Instant::now();
    let ledger = reconciled(now);
    // Someone's edit (5), then the event of our own write (6) folded into the same entry.
    ledger.record_child(key("db"), change("cfg"), None, Some(version("cfg", "5")));
    ledger.record_child(key("db"), change("cfg"), None, Some(version("cfg", "6")));
    let expectations = expectations();
    expectations.expect(version("cfg", "6"), false, None);
    let plan = ledger.begin(&db(), now, &expectations, &all_live);
    assert_eq!(
        plan.drained,
        vec![
            (Kind::ConfigMap, EventOutcome::OwnEcho, 1),
            (Kind::ConfigMap, EventOutcome::Woke, 1)
        ]
    );
    assert_eq!(
        secondaries(plan),
        vec![("cfg".to_string(), ChangeOp::Applied)]
    );
}

#[test]
fn a_change_naming_another_uid_is_not_this_primarys() {
    let now = Instant::now();
    let ledger = reconciled(now);
    ledger.record_child(
        key("db"),
        change("rogue"),
        Some("other-uid".into()),
        Some(version("rogue", "3")),
    );
    ledger.record_child(
        key("db"),
        change("own"),
        Some("u1".into()),
        Some(version("own", "4")),
    );
    let plan = begin(&ledger, now);
    assert_eq!(
        secondaries(plan),
        vec![("own".to_string(), ChangeOp::Applied)]
    );
}

#[test]
fn a_deleted_change_of_a_child_live_again_is_reported_applied() {
    let now = Instant::now();
    let ledger = reconciled(now);
    ledger.record_child(key("db"), deleted("cfg"), None, None);
    // The cache holds a new object of that name: what was deleted is back.
    let plan = begin(&ledger, now);
    assert_eq!(
        secondaries(plan),
        vec![("cfg".to_string(), ChangeOp::Applied)]
    );
}

#[test]
fn a_primary_being_deleted_gets_the_full_reconcile_for_child_changes() {
    let now = Instant::now();
    let ledger = reconciled(now);
    ledger.record_child(key("db"), deleted("cfg"), None, None);
    let mut deleting = db();
    deleting.metadata.deletion_timestamp = Some(Time(Default::default()));
    let plan = ledger.begin(&deleting, now, &expectations(), &|_, _, _| false);
    assert_eq!(plan.main, Some(Main::Full(Trigger::Primary)));
}

#[test]
fn a_primary_change_wins_over_child_changes() {
    let now = Instant::now();
    let ledger = reconciled(now);
    ledger.record_child(key("db"), change("a"), None, None);
    ledger.record_primary(key("db"));
    assert_eq!(begin(&ledger, now).main, Some(Main::Full(Trigger::Primary)));
    assert_eq!(
        begin(&ledger, now).main,
        None,
        "the child change was subsumed"
    );
}

#[test]
fn a_run_with_nothing_left_does_nothing() {
    let now = Instant::now();
    let ledger = reconciled(now);
    assert_eq!(
        begin(&ledger, now),
        Plan {
            main: None,
            periodic: false,
            drained: Vec::new()
        }
    );
}

#[test]
fn at_most_one_request_per_primary_waits_in_the_channel() {
    let ledger = ledger();
    assert!(ledger.record_primary(key("db")), "the first reason sends");
    assert!(!ledger.record_child(key("db"), change("a"), None, None));
    assert!(!ledger.record_primary(key("db")));
    assert!(ledger.is_queued(&key("db")));
    ledger.received(&key("db"));
    assert!(
        ledger.record_child(key("db"), change("b"), None, None),
        "taken by the scheduler: the next reason sends again"
    );
}

#[test]
fn a_request_for_a_primary_never_seen_is_dropped_but_one_seen_keeps_its_reasons() {
    let ledger = ledger();
    ledger.record_child(key("ghost"), change("pod"), None, None);
    assert_eq!(
        ledger.drop_unserved(&key("ghost")),
        vec![(Kind::ConfigMap, 1)]
    );
    assert_eq!(ledger.len(), 0);

    ledger.record_primary(key("db"));
    assert!(ledger.drop_unserved(&key("db")).is_empty());
    assert_eq!(
        begin(&ledger, Instant::now()).main,
        Some(Main::Full(Trigger::Primary))
    );
}

#[test]
fn a_deleted_primary_leaves_no_state() {
    let ledger = ledger();
    ledger.record_primary(key("db"));
    ledger.record_child(key("db"), change("a"), None, None);
    assert_eq!(ledger.forget(&key("db")), vec![(Kind::ConfigMap, 1)]);
    assert_eq!(ledger.len(), 0);
    assert_eq!(
        full_run(&ledger, Instant::now()),
        None,
        "finishing a forgotten run recreates nothing"
    );
}
