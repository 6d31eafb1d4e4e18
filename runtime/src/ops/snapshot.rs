//! What the counters count, and their in-process copy: the triggers of a run, the outcomes of
//! a child event, and [`MetricsSnapshot`].

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::ops::watch_health::WATCH_FAILING_BOUND;

/// Why a primary's handler ran.
///
/// ```
/// use kube_secondary::Trigger;
///
/// assert_eq!(Trigger::Secondary.as_str(), "secondary");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The primary changed, or was seen for the first time: full `reconcile`.
    Primary,
    /// Only children changed: `reconcile_secondaries`.
    Secondary,
    /// The fallback resync: full `reconcile`.
    Resync,
    /// A handler returned `Action::requeue`: full `reconcile`.
    Requeue,
    /// A handler failed and the error policy asked for a retry: full `reconcile`.
    Retry,
    /// The periodic check declared with `periodic = "..."`: `periodic`.
    Periodic,
}

impl Trigger {
    pub(crate) const ALL: [Trigger; 6] = [
        Trigger::Primary,
        Trigger::Secondary,
        Trigger::Resync,
        Trigger::Requeue,
        Trigger::Retry,
        Trigger::Periodic,
    ];

    /// The label value used in metrics.
    pub const fn as_str(self) -> &'static str {
        match self {
            Trigger::Primary => "primary",
            Trigger::Secondary => "secondary",
            Trigger::Resync => "resync",
            Trigger::Requeue => "requeue",
            Trigger::Retry => "retry",
            Trigger::Periodic => "periodic",
        }
    }
}

/// How one child watch event ended: each event is counted once, by the first of these that
/// applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum EventOutcome {
    /// It was handed to a handler run (alone or coalesced with others).
    Woke,
    /// A predicate found nothing relevant changed.
    Predicate,
    /// It was the echo of this controller's own write.
    OwnEcho,
    /// It maps to no primary (or to another primary of the same name, by uid).
    NoOwner,
    /// The primary it maps to does not exist (deleted, or never created).
    OwnerGone,
}

impl EventOutcome {
    pub(crate) const ALL: [EventOutcome; 5] = [
        EventOutcome::Woke,
        EventOutcome::Predicate,
        EventOutcome::OwnEcho,
        EventOutcome::NoOwner,
        EventOutcome::OwnerGone,
    ];

    /// The label value used in metrics.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            EventOutcome::Woke => "woke",
            EventOutcome::Predicate => "predicate",
            EventOutcome::OwnEcho => "own_echo",
            EventOutcome::NoOwner => "no_owner",
            EventOutcome::OwnerGone => "owner_gone",
        }
    }
}

/// The label of the primaries' own watch in the per-watch counters.
pub const PRIMARY: &str = "primary";

/// A copy of the counters at one moment; compare two to see what happened in between.
///
/// ```
/// use kube_secondary::{MetricsSnapshot, Trigger};
///
/// let before = MetricsSnapshot::default();
/// let mut after = before.clone();
/// after.wakeups.insert("primary", 1);
/// after.wakeups.insert("secondary", 2);
/// assert_eq!(after.wakeups(Trigger::Secondary) - before.wakeups(Trigger::Secondary), 2);
/// assert_eq!(after.total_wakeups() - before.total_wakeups(), 3);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MetricsSnapshot {
    /// Handler runs by trigger (`primary`, `secondary`, `resync`, `requeue`, `retry`, `periodic`).
    pub wakeups: BTreeMap<&'static str, u64>,
    /// `reconcile_secondaries` runs that included a change of each kind, by kind name.
    pub secondary_kinds: BTreeMap<&'static str, u64>,
    /// Child events received, by kind name, before predicates.
    pub events: BTreeMap<&'static str, u64>,
    /// Child events that woke nobody: filtered by a predicate, own-write echoes, unmapped, or
    /// mapped to a primary that does not exist.
    pub filtered: BTreeMap<&'static str, u64>,
    /// Child events by kind and outcome (`woke`, `predicate`, `own_echo`, `no_owner`,
    /// `owner_gone`); each event counts once, when its outcome is known (for an event that made
    /// a primary due, when that primary's run starts).
    pub outcomes: BTreeMap<&'static str, BTreeMap<&'static str, u64>>,
    /// Failed watch requests (refused, forbidden, expired…), by kind name or `primary`; each is
    /// retried with backoff.
    pub watch_failures: BTreeMap<&'static str, u64>,
    /// Full lists after the first (after a `410 Gone` or a broken watch), by kind name or `primary`.
    pub relists: BTreeMap<&'static str, u64>,
    /// Whether each watch's cache holds its first full list, by kind name or `primary`.
    pub synced: BTreeMap<&'static str, bool>,
    /// The watches failing now (their last attempt failed and no later one has succeeded), with
    /// how long each has been failing, by kind name or `primary`.
    pub failing: BTreeMap<&'static str, Duration>,
    /// Scheduled runs that found nothing left to do: the reason was handled by the previous run,
    /// or every change drained turned out to be an echo of our own write or another object's
    /// child (`outcomes` says which).
    pub skipped: u64,
    /// Handler runs that returned an error.
    pub errors: u64,
}

impl MetricsSnapshot {
    /// Handler runs of every trigger.
    pub fn total_wakeups(&self) -> u64 {
        self.wakeups.values().sum()
    }

    /// Handler runs of one trigger.
    pub fn wakeups(&self, trigger: Trigger) -> u64 {
        self.wakeups.get(trigger.as_str()).copied().unwrap_or(0)
    }

    /// Whether every watch (the primaries' and each declared kind's) has filled its cache: what
    /// a readiness probe asks.
    pub fn caches_synced(&self) -> bool {
        !self.synced.is_empty() && self.synced.values().all(|synced| *synced)
    }

    /// What `/readyz` answers: every cache filled, and no watch failing for longer than
    /// [`WATCH_FAILING_BOUND`]; `Err` says why not.
    pub fn ready(&self) -> Result<(), String> {
        if !self.caches_synced() {
            return Err("caches not filled yet".into());
        }
        let failing: Vec<String> = (self.failing.iter())
            .filter(|(_, failing)| **failing >= WATCH_FAILING_BOUND)
            .map(|(watch, failing)| format!("{watch} ({} s)", failing.as_secs()))
            .collect();
        match failing.is_empty() {
            true => Ok(()),
            false => Err(format!("watches failing: {}", failing.join(", "))),
        }
    }
}
