//! Why each primary is due, recorded before its request enters kube-runtime's scheduler and
//! drained when its run starts; the scheduler (debounce, dedupe, concurrency) stays kube-runtime's.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use kube::runtime::reflector::ObjectRef;

use crate::expectations::{Expectations, Version};
use crate::metrics::Trigger;
use crate::reconciler::{Action, Change, Changes};
use crate::{Options, SecondaryAware};

/// Scheduled runs fire at or after their deadline; this absorbs timer rounding.
const TIMER_SLACK: Duration = Duration::from_millis(20);

/// The handler one run calls.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Main<Kd: crate::SecondaryKind> {
    /// `reconcile`, for this trigger.
    Full(Trigger),
    /// `reconcile_secondaries`, with every change since the last run.
    Secondaries(Changes<Kd>),
}

/// What one run of a primary does.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Plan<Kd: crate::SecondaryKind> {
    pub(crate) main: Option<Main<Kd>>,
    pub(crate) periodic: bool,
}

/// How a run's handlers ended.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// `reconcile` ran: `Some(Ok(action))` or `Some(Err(retry action))`.
    pub(crate) full: Option<Result<Action, Action>>,
    /// `reconcile_secondaries` ran.
    pub(crate) secondaries: Option<Result<Action, Action>>,
    /// `periodic` ran.
    pub(crate) periodic: Option<Result<Action, Action>>,
}

impl Outcome {
    /// Whether a handler ran and succeeded.
    #[cfg_attr(not(feature = "status-summary"), allow(dead_code))]
    pub(crate) fn succeeded(&self) -> bool {
        [&self.full, &self.secondaries, &self.periodic]
            .into_iter()
            .any(|result| matches!(result, Some(Ok(_))))
    }
}

#[derive(Debug)]
struct PrimaryState<Kd: crate::SecondaryKind> {
    /// A full reconcile has been attempted at least once.
    reconciled: bool,
    primary_changed: bool,
    changes: Changes<Kd>,
    resync: Option<Instant>,
    requeue: Option<Instant>,
    retry: Option<Instant>,
    periodic: Option<Instant>,
}

impl<Kd: crate::SecondaryKind> Default for PrimaryState<Kd> {
    fn default() -> Self {
        Self {
            reconciled: false,
            primary_changed: false,
            changes: Changes::default(),
            resync: None,
            requeue: None,
            retry: None,
            periodic: None,
        }
    }
}

fn due(deadline: Option<Instant>, now: Instant) -> bool {
    deadline.is_some_and(|at| at <= now + TIMER_SLACK)
}

/// The reasons map of one controller.
pub(crate) struct Dispatch<P: SecondaryAware> {
    options: Options,
    state: Mutex<HashMap<ObjectRef<P>, PrimaryState<P::Kind>>>,
}

impl<P: SecondaryAware> Dispatch<P> {
    pub(crate) fn new(options: Options) -> Self {
        Self {
            options,
            state: Mutex::new(HashMap::new()),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut HashMap<ObjectRef<P>, PrimaryState<P::Kind>>) -> R) -> R {
        f(&mut self.state.lock().expect("dispatch lock poisoned"))
    }

    /// The primary itself changed (or appeared).
    pub(crate) fn record_primary(&self, primary: ObjectRef<P>) {
        self.with(|state| state.entry(primary).or_default().primary_changed = true);
    }

    /// A child of the primary changed.
    pub(crate) fn record_child(
        &self,
        primary: ObjectRef<P>,
        change: Change<P::Kind>,
        version: Option<Version>,
    ) {
        self.with(|state| {
            state
                .entry(primary)
                .or_default()
                .changes
                .record(change, version)
        });
    }

    /// The primary was deleted: its pending reasons and timers go with it.
    pub(crate) fn forget(&self, primary: &ObjectRef<P>) {
        self.with(|state| state.remove(primary));
    }

    /// Drains the primary's reasons at the start of its run and decides what runs; child changes
    /// that turn out to be echoes of our own writes are dropped here.
    pub(crate) fn begin(
        &self,
        primary: &ObjectRef<P>,
        now: Instant,
        expectations: &Expectations,
    ) -> Plan<P::Kind> {
        self.with(|state| {
            let entry = state.entry(primary.clone()).or_default();
            let mut changes = std::mem::take(&mut entry.changes);
            changes.drop_echoes(expectations);
            let primary_changed = std::mem::take(&mut entry.primary_changed);
            let full = if primary_changed || !entry.reconciled {
                Some(Trigger::Primary)
            } else if due(entry.retry, now) {
                Some(Trigger::Retry)
            } else if due(entry.requeue, now) {
                Some(Trigger::Requeue)
            } else if due(entry.resync, now) {
                Some(Trigger::Resync)
            } else {
                None
            };
            let main = match full {
                Some(trigger) => Some(Main::Full(trigger)),
                None if !changes.is_empty() => Some(Main::Secondaries(changes)),
                None => None,
            };
            Plan {
                main,
                periodic: self.options.periodic.is_some() && due(entry.periodic, now),
            }
        })
    }

    /// Records how the run ended and returns when the primary is next due by time.
    pub(crate) fn finish(
        &self,
        primary: &ObjectRef<P>,
        now: Instant,
        outcome: Outcome,
    ) -> Option<Duration> {
        let resync = self.resync_for(primary);
        self.with(|state| {
            let entry = state.get_mut(primary)?;
            let at = |action: &Action| action.requeue_after().map(|after| now + after);
            if let Some(result) = &outcome.full {
                entry.reconciled = true;
                entry.requeue = None;
                entry.retry = None;
                entry.resync = Some(now + resync);
                match result {
                    Ok(action) => entry.requeue = at(action),
                    Err(retry) => entry.retry = at(retry),
                }
            }
            if let Some(result) = &outcome.secondaries {
                match result {
                    Ok(action) => entry.requeue = at(action).or(entry.requeue),
                    Err(retry) => entry.retry = at(retry).or(entry.retry),
                }
            }
            if let Some(every) = self.options.periodic
                && (outcome.periodic.is_some() || entry.periodic.is_none())
            {
                entry.periodic = Some(now + every);
                if let Some(Err(retry)) = &outcome.periodic {
                    entry.retry = at(retry).or(entry.retry);
                }
            }
            [entry.resync, entry.requeue, entry.retry, entry.periodic]
                .into_iter()
                .flatten()
                .min()
                .map(|next| next.saturating_duration_since(now))
        })
    }

    /// The resync interval of one primary: up to 10% longer than configured, spread by its name,
    /// so primaries created together do not all resync in the same second, and none resyncs more
    /// often than once per configured interval.
    fn resync_for(&self, primary: &ObjectRef<P>) -> Duration {
        let mut hasher = DefaultHasher::new();
        primary.hash(&mut hasher);
        let spread = (hasher.finish() % 1000) as u32;
        self.options.resync + self.options.resync / 10 * spread / 1000
    }

    /// The number of primaries with state.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.with(|state| state.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconciler::ChangeOp;
    use crate::testing::{Kind, Primary};

    fn key(name: &str) -> ObjectRef<Primary> {
        ObjectRef::new(name).within("ns")
    }

    fn change(name: &str) -> Change<Kind> {
        Change {
            kind: Kind::ConfigMap,
            namespace: Some("ns".into()),
            name: name.into(),
            op: ChangeOp::Applied,
        }
    }

    fn begin(dispatch: &Dispatch<Primary>, now: Instant) -> Plan<Kind> {
        dispatch.begin(&key("db"), now, &Expectations::default())
    }

    fn dispatch() -> Dispatch<Primary> {
        Dispatch::new(Options::new(Duration::from_secs(1800), None))
    }

    fn full_run(dispatch: &Dispatch<Primary>, now: Instant) -> Option<Duration> {
        let outcome = Outcome {
            full: Some(Ok(Action::await_change())),
            ..Outcome::default()
        };
        dispatch.finish(&key("db"), now, outcome)
    }

    #[test]
    fn first_sight_runs_the_full_reconcile_even_if_only_children_were_seen() {
        let dispatch = dispatch();
        dispatch.record_child(key("db"), change("cfg"), None);
        let plan = begin(&dispatch, Instant::now());
        assert_eq!(plan.main, Some(Main::Full(Trigger::Primary)));
    }

    #[test]
    fn only_children_changed_runs_reconcile_secondaries_with_every_change_coalesced() {
        let dispatch = dispatch();
        let now = Instant::now();
        dispatch.record_primary(key("db"));
        begin(&dispatch, now);
        full_run(&dispatch, now);
        dispatch.record_child(key("db"), change("a"), None);
        dispatch.record_child(key("db"), change("b"), None);
        dispatch.record_child(
            key("db"),
            Change {
                op: ChangeOp::Deleted,
                ..change("a")
            },
            None,
        );
        let Some(Main::Secondaries(changes)) = begin(&dispatch, now).main else {
            panic!("expected reconcile_secondaries");
        };
        let seen: Vec<_> = changes.iter().map(|c| (c.name, c.op)).collect();
        assert_eq!(
            seen,
            vec![
                ("a".to_string(), ChangeOp::Deleted),
                ("b".to_string(), ChangeOp::Applied)
            ]
        );
    }

    #[test]
    fn an_echo_of_our_own_write_noticed_only_at_drain_time_wakes_nothing() {
        let dispatch = dispatch();
        let now = Instant::now();
        begin(&dispatch, now);
        full_run(&dispatch, now);
        let mut written = k8s_openapi::api::core::v1::ConfigMap::default();
        written.metadata.name = Some("cfg".into());
        written.metadata.namespace = Some("ns".into());
        written.metadata.resource_version = Some("8".into());
        // The watch event arrived before the write's response was recorded.
        dispatch.record_child(key("db"), change("cfg"), Version::of(&written));
        let expectations = Expectations::default();
        expectations.expect(&written);
        assert_eq!(
            dispatch.begin(&key("db"), now, &expectations),
            Plan {
                main: None,
                periodic: false
            }
        );
    }

    #[test]
    fn a_primary_change_wins_over_child_changes() {
        let dispatch = dispatch();
        let now = Instant::now();
        begin(&dispatch, now);
        full_run(&dispatch, now);
        dispatch.record_child(key("db"), change("a"), None);
        dispatch.record_primary(key("db"));
        assert_eq!(
            begin(&dispatch, now).main,
            Some(Main::Full(Trigger::Primary))
        );
        assert_eq!(
            begin(&dispatch, now).main,
            None,
            "the child change was subsumed"
        );
    }

    #[test]
    fn a_run_with_nothing_left_does_nothing() {
        let dispatch = dispatch();
        let now = Instant::now();
        begin(&dispatch, now);
        full_run(&dispatch, now);
        assert_eq!(
            begin(&dispatch, now),
            Plan {
                main: None,
                periodic: false
            }
        );
    }

    #[test]
    fn resync_is_due_no_sooner_than_the_configured_interval_and_at_most_a_tenth_later() {
        let dispatch = dispatch();
        let now = Instant::now();
        begin(&dispatch, now);
        let next = full_run(&dispatch, now).expect("a resync is scheduled");
        assert!(
            next >= Duration::from_secs(1800) && next <= Duration::from_secs(1980),
            "{next:?}"
        );
        assert_eq!(
            begin(&dispatch, now + next - Duration::from_secs(1)).main,
            None
        );
        assert_eq!(
            begin(&dispatch, now + next).main,
            Some(Main::Full(Trigger::Resync))
        );
    }

    #[test]
    fn requeue_and_retry_are_reported_as_their_own_triggers() {
        let dispatch = dispatch();
        let now = Instant::now();
        begin(&dispatch, now);
        let outcome = Outcome {
            full: Some(Ok(Action::requeue(Duration::from_secs(10)))),
            ..Outcome::default()
        };
        assert_eq!(
            dispatch.finish(&key("db"), now, outcome),
            Some(Duration::from_secs(10))
        );
        let later = now + Duration::from_secs(10);
        assert_eq!(
            begin(&dispatch, later).main,
            Some(Main::Full(Trigger::Requeue))
        );
        let outcome = Outcome {
            full: Some(Err(Action::requeue(Duration::from_secs(5)))),
            ..Outcome::default()
        };
        dispatch.finish(&key("db"), later, outcome);
        assert_eq!(
            begin(&dispatch, later + Duration::from_secs(5)).main,
            Some(Main::Full(Trigger::Retry))
        );
    }

    #[test]
    fn periodic_check_runs_on_its_own_interval() {
        let dispatch = Dispatch::<Primary>::new(Options::new(
            Duration::from_secs(1800),
            Some(Duration::from_secs(60)),
        ));
        let now = Instant::now();
        begin(&dispatch, now);
        assert_eq!(full_run(&dispatch, now), Some(Duration::from_secs(60)));
        let plan = begin(&dispatch, now + Duration::from_secs(60));
        assert_eq!(
            plan,
            Plan {
                main: None,
                periodic: true
            }
        );
    }

    #[test]
    fn a_deleted_primary_leaves_no_state() {
        let dispatch = dispatch();
        dispatch.record_primary(key("db"));
        dispatch.record_child(key("db"), change("a"), None);
        dispatch.forget(&key("db"));
        assert_eq!(dispatch.len(), 0);
        assert_eq!(
            full_run(&dispatch, Instant::now()),
            None,
            "finishing a forgotten run recreates nothing"
        );
    }
}
