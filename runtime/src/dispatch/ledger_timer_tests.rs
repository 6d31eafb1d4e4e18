//! The ledger's clock: resync, requeue, retry with backoff, the periodic check.

use super::tests::*;
use super::*;
use crate::testing::Primary;

#[test]
fn resync_is_due_no_sooner_than_the_configured_interval_and_at_most_a_tenth_later() {
    let ledger = ledger();
    let now = Instant::now();
    begin(&ledger, now);
    let next = full_run(&ledger, now).expect("a resync is scheduled");
    assert!(
        next >= Duration::from_secs(1800) && next <= Duration::from_secs(1980),
        "{next:?}"
    );
    assert_eq!(
        begin(&ledger, now + next - Duration::from_secs(1)).main,
        None
    );
    assert_eq!(
        begin(&ledger, now + next).main,
        Some(Main::Full(Trigger::Resync))
    );
}

#[test]
fn requeue_and_retry_are_reported_as_their_own_triggers() {
    let ledger = ledger();
    let now = Instant::now();
    begin(&ledger, now);
    assert_eq!(
        finish_full(&ledger, now, Ok(Action::requeue(Duration::from_secs(10)))),
        Some(Duration::from_secs(10))
    );
    let later = now + Duration::from_secs(10);
    assert_eq!(
        begin(&ledger, later).main,
        Some(Main::Full(Trigger::Requeue))
    );
    finish_full(&ledger, later, Err(Action::requeue(Duration::from_secs(5))));
    assert_eq!(
        begin(&ledger, later + Duration::from_secs(5)).main,
        Some(Main::Full(Trigger::Retry))
    );
}

#[test]
fn a_requeue_of_duration_max_is_clamped_not_a_panic() {
    let ledger = ledger();
    let now = Instant::now();
    begin(&ledger, now);
    let next = finish_full(&ledger, now, Ok(Action::requeue(Duration::MAX)))
        .expect("the resync is still scheduled");
    assert!(next <= Duration::from_secs(1980), "{next:?}");
    let next = finish_full(&ledger, now, Err(Action::requeue(Duration::MAX)));
    assert!(next.is_some());
}

#[test]
fn failures_back_off_exponentially_up_to_the_cap_and_reset_on_success() {
    let ledger = Ledger::<Primary>::new(
        Options::new(Duration::from_secs(1800), None),
        Backoff {
            min: Duration::from_millis(100),
            max: Duration::from_secs(2),
        },
        RepairBudget::default(),
    );
    let now = Instant::now();
    begin(&ledger, now);
    let delays: Vec<Duration> = (0..8)
        .map(|_| finish_full(&ledger, now, Err(Action::backoff())).unwrap())
        .collect();
    // Each delay is the doubled base plus jitter below the base, capped at the maximum.
    let bases = [100, 200, 400, 800, 1600, 2000, 2000, 2000].map(Duration::from_millis);
    for (delay, base) in delays.iter().zip(bases) {
        assert!(
            *delay >= base && *delay <= (base * 2).min(Duration::from_secs(2)),
            "{delays:?}"
        );
    }
    assert_eq!(
        begin(&ledger, now + delays[7]).main,
        Some(Main::Full(Trigger::Retry))
    );
    full_run(&ledger, now);
    let first_again = finish_full(&ledger, now, Err(Action::backoff())).unwrap();
    assert!(first_again < Duration::from_millis(200), "{first_again:?}");
}

#[test]
fn periodic_check_runs_on_its_own_interval() {
    let ledger = Ledger::<Primary>::new(
        Options::new(Duration::from_secs(1800), Some(Duration::from_secs(60))),
        Backoff::default(),
        RepairBudget::default(),
    );
    let now = Instant::now();
    begin(&ledger, now);
    assert_eq!(full_run(&ledger, now), Some(Duration::from_secs(60)));
    let plan = begin(&ledger, now + Duration::from_secs(60));
    assert_eq!(
        plan,
        Plan {
            main: None,
            periodic: true,
            drained: Vec::new()
        }
    );
}

/// One repair of the children of `db` at `now`, as a run does it: begin, then finish.
fn repair(ledger: &Ledger<Primary>, now: Instant, name: &str) -> (bool, Option<Duration>) {
    secondaries_run(ledger, now, name, true)
}

/// One run of `reconcile_secondaries` for a change of `name`, which `wrote` a child or not.
fn secondaries_run(
    ledger: &Ledger<Primary>,
    now: Instant,
    name: &str,
    wrote: bool,
) -> (bool, Option<Duration>) {
    let sent = ledger.record_child(key("db"), change(name), None, None);
    ledger.received(&key("db"));
    let ran = matches!(begin(ledger, now).main, Some(Main::Secondaries(_)));
    let outcome = Outcome {
        secondaries: Some(Ok(Action::await_change())),
        wrote_children: wrote,
        ..Outcome::default()
    };
    (sent && ran, ledger.finish(&key("db"), now, outcome))
}

#[test]
fn runs_that_write_no_child_spend_no_repair() {
    // A Deployment's readiness changing as its Pods come and go wakes the primary each time;
    // its handler finds every child as desired and writes nothing. Those runs are not a fight:
    // the repair that comes after them goes at once.
    let now = Instant::now();
    let ledger = reconciled(now);
    for i in 0..12 {
        let at = now + Duration::from_millis(100 * i);
        let (ran, next) = secondaries_run(&ledger, at, "deploy", false);
        assert!(ran, "readiness change {i} runs at once");
        assert_eq!(next.filter(|next| *next < Duration::from_secs(60)), None);
    }
    let later = now + Duration::from_secs(2);
    for i in 0..4 {
        let (ran, next) = repair(&ledger, later, &format!("cfg-{i}"));
        assert!(ran, "repair {i} runs at once");
        assert_eq!(next.filter(|next| *next < Duration::from_secs(60)), None);
    }
}

#[test]
fn children_that_keep_drifting_are_repaired_in_a_burst_then_once_per_interval() {
    let now = Instant::now();
    let ledger = reconciled(now);
    for i in 0..4 {
        assert!(
            repair(&ledger, now, &format!("cfg-{i}")).0,
            "repair {i} runs at once"
        );
    }
    let (ran, next) = repair(&ledger, now, "cfg-4");
    assert!(ran);
    assert_eq!(
        next,
        Some(Duration::from_secs(10)),
        "the fifth holds the next"
    );
    // While held, changes send no request, and a run that comes anyway leaves them recorded.
    assert!(!ledger.record_child(key("db"), change("a"), None, None));
    assert!(!ledger.record_child(key("db"), change("b"), None, None));
    let early = begin(&ledger, now + Duration::from_secs(1));
    assert_eq!(early.main, None);
    // The end of the hold runs every change made meanwhile, once.
    let held = begin(&ledger, now + Duration::from_secs(10));
    assert_eq!(
        secondaries(held),
        vec![
            ("a".to_string(), ChangeOp::Applied),
            ("b".to_string(), ChangeOp::Applied)
        ]
    );
}

#[test]
fn a_change_of_the_primary_is_never_held() {
    let now = Instant::now();
    let ledger = reconciled(now);
    for i in 0..5 {
        repair(&ledger, now, &format!("cfg-{i}"));
    }
    ledger.record_child(key("db"), change("a"), None, None);
    assert!(ledger.record_primary(key("db")));
    let plan = begin(&ledger, now + Duration::from_secs(1));
    assert_eq!(plan.main, Some(Main::Full(Trigger::Primary)));
}
