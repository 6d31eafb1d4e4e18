//! The reasons ledger: why each primary is due, recorded before its request enters kube-runtime's
//! scheduler and drained when its run starts. The queue (debounce, dedupe, concurrency) stays
//! kube-runtime's; the ledger only decides which handler a run calls and when time is next due.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use kube::runtime::reflector::ObjectRef;

use crate::aware::{Options, SecondaryAware};
use crate::cache::expectations::{Expectations, Version};
use crate::cache::name::Name;
use crate::cache::short;
use crate::dispatch::backoff::{Backoff, after, due, spread};
use crate::dispatch::budget::RepairBudget;
use crate::dispatch::plan::{Main, Outcome, Plan};
use crate::handler::changes::{Change, ChangeOp, Changes};
use crate::handler::reconciler::{Action, Next};
use crate::ops::metrics::{EventOutcome, Trigger};

#[path = "ledger_state.rs"]
mod state;
use state::PrimaryState;

/// Whether a child `(kind, namespace, name)` is in its cache now and maps to the run's primary.
pub(crate) type Live<'a, Kd> = &'a dyn Fn(Kd, Option<&str>, &str) -> bool;

/// The reasons of every primary of one controller, by the primary's name (every primary has an
/// entry: its fallback resync is due some day).
pub(crate) struct Ledger<P: SecondaryAware> {
    options: Options,
    backoff: Backoff,
    budget: RepairBudget,
    state: Mutex<HashMap<Name, PrimaryState<P::Kind>>>,
}

impl<P: SecondaryAware> Ledger<P> {
    pub(crate) fn new(options: Options, backoff: Backoff, budget: RepairBudget) -> Self {
        Self {
            options,
            backoff,
            budget,
            state: Mutex::new(HashMap::new()),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut HashMap<Name, PrimaryState<P::Kind>>) -> R) -> R {
        f(&mut self.state.lock().expect("ledger lock poisoned"))
    }

    /// The primary itself changed (or appeared). Returns whether to send it a request.
    pub(crate) fn record_primary(&self, primary: ObjectRef<P>) -> bool {
        self.with(|state| {
            let entry = state.entry(Name::of(&primary)).or_default();
            entry.primary_changed = true;
            entry.enqueue()
        })
    }

    /// A child of the primary changed: `owner_uid` is the uid its ownerReference names,
    /// `version` the applied object's version (none for a deletion). Returns whether to send the
    /// primary a request: none while the primary's repairs are held, whose end is scheduled.
    pub(crate) fn record_child(
        &self,
        primary: ObjectRef<P>,
        change: Change<P::Kind>,
        owner_uid: Option<String>,
        version: Option<Version>,
    ) -> bool {
        self.with(|state| {
            let entry = state.entry(Name::of(&primary)).or_default();
            let pending = entry.pending((change.kind, change.namespace, change.name), change.op);
            pending.op = change.op;
            pending.owner_uid = owner_uid;
            match version.filter(|_| change.op == ChangeOp::Applied) {
                Some(version) => short::push(&mut pending.versions, version),
                None => pending.foreign += 1,
            }
            if entry.hold.is_some_and(|until| until > Instant::now()) {
                return false;
            }
            entry.enqueue()
        })
    }

    /// The scheduler took the primary's request from the trigger channel.
    pub(crate) fn received(&self, primary: &ObjectRef<P>) {
        self.with(|state| {
            if let Some(entry) = state.get_mut(&Name::of(primary)) {
                entry.queued = false;
            }
        });
    }

    /// The primary was deleted: its pending reasons and timers go with it. Returns the child
    /// events it drops, by kind.
    pub(crate) fn forget(&self, primary: &ObjectRef<P>) -> Vec<(P::Kind, u64)> {
        self.with(|state| state.remove(&Name::of(primary)))
            .map(PrimaryState::pending_events)
            .unwrap_or_default()
    }

    /// The scheduler found no such primary in its store: a label-mapped child named a primary
    /// that does not exist (yet). Drops what was recorded for it unless the primary itself was
    /// seen, whose own first run will read its children; returns the events dropped, by kind.
    pub(crate) fn drop_unserved(&self, primary: &ObjectRef<P>) -> Vec<(P::Kind, u64)> {
        let primary = Name::of(primary);
        self.with(|state| {
            let unseen = state
                .get(&primary)
                .is_some_and(|entry| !entry.reconciled && !entry.primary_changed);
            if !unseen {
                return Vec::new();
            }
            state
                .remove(&primary)
                .map(PrimaryState::pending_events)
                .unwrap_or_default()
        })
    }

    /// Drains the primary's reasons at the start of its run and decides what runs.
    ///
    /// Each recorded child change is checked against what is true now: changes that were all
    /// our own echoes are dropped, changes naming another object of the primary's name (another
    /// uid) are dropped, and the operation is the cache's (`live`): a child deleted and created
    /// again is `Applied`; one created and deleted again, or now mapped to another primary,
    /// `Deleted`.
    pub(crate) fn begin(
        &self,
        primary: &P,
        now: Instant,
        expectations: &Expectations,
        live: Live<'_, P::Kind>,
    ) -> Plan<P::Kind> {
        let key = Name::of_obj(primary);
        let uid = primary.meta().uid.as_deref();
        let deleting = primary.meta().deletion_timestamp.is_some();
        self.with(|state| {
            let entry = state.entry(key).or_default();
            let periodic = self.options.periodic.is_some() && due(entry.periodic, now);
            let full = entry.full_trigger(now);
            if full.is_none() && !deleting && entry.hold.is_some_and(|until| !due(Some(until), now))
            {
                // Its children keep drifting: what changed waits for the end of the hold.
                let main = None;
                return Plan {
                    main,
                    periodic,
                    drained: Vec::new(),
                };
            }
            entry.hold = None;
            let mut drained = Vec::new();
            let mut changes = Changes::default();
            for ((kind, namespace, name), mut pending) in std::mem::take(&mut entry.changes) {
                if pending.owner_uid.is_some() && pending.owner_uid.as_deref() != uid {
                    drained.push((kind, EventOutcome::NoOwner, pending.events()));
                    continue;
                }
                let before = pending.versions.len();
                pending
                    .versions
                    .retain(|version| !expectations.is_echo(version));
                let echoes = (before - pending.versions.len()) as u64;
                if echoes > 0 {
                    drained.push((kind, EventOutcome::OwnEcho, echoes));
                }
                if pending.events() == 0 {
                    continue;
                }
                drained.push((kind, EventOutcome::Woke, pending.events()));
                let op = if live(kind, namespace.as_deref(), &name) {
                    ChangeOp::Applied
                } else {
                    ChangeOp::Deleted
                };
                changes.record(Change {
                    kind,
                    namespace,
                    name,
                    op,
                });
            }
            entry.primary_changed = false;
            // A primary being deleted is the full reconcile's business (cleanup, finalizers),
            // never a repair that would fight the garbage collector.
            let deletion = (deleting && !changes.is_empty()).then_some(Trigger::Primary);
            let full = full.or(deletion);
            let main = match full {
                Some(trigger) => Some(Main::Full(trigger)),
                None if !changes.is_empty() => Some(Main::Secondaries(changes)),
                None => None,
            };
            Plan {
                main,
                periodic,
                drained,
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
        let resync = spread(self.options.resync, primary);
        self.with(|state| {
            let entry = state.get_mut(&Name::of(primary))?;
            if !outcome.failed() {
                entry.backoff = None;
            }
            let backoff = self.backoff;
            let mut at = |action: &Action| match action.next {
                Next::AwaitChange => None,
                Next::Requeue(delay) => Some(after(now, delay)),
                Next::Backoff => {
                    let delays = entry
                        .backoff
                        .get_or_insert_with(|| Box::new(backoff.start()));
                    let delay = delays.next().unwrap_or(backoff.max).min(backoff.max);
                    Some(after(now, delay))
                }
            };
            let (mut requeue, mut retry) = (None, None);
            let mut periodic_ran = false;
            for (handler, result) in [
                (0, &outcome.full),
                (1, &outcome.secondaries),
                (2, &outcome.periodic),
            ] {
                let Some(result) = result else { continue };
                periodic_ran |= handler == 2;
                match result {
                    Ok(action) if handler != 2 => requeue = at(action).or(requeue),
                    Ok(_) => {}
                    Err(action) => retry = at(action).or(retry),
                }
            }
            if outcome.full.is_some() {
                entry.reconciled = true;
                entry.resync = Some(after(now, resync));
                entry.requeue = requeue;
                entry.retry = retry;
            } else {
                entry.requeue = requeue.or(entry.requeue);
                entry.retry = retry.or(entry.retry);
            }
            if let Some(every) = self.options.periodic
                && (periodic_ran || entry.periodic.is_none())
            {
                entry.periodic = Some(after(now, every));
            }
            if outcome.secondaries.is_some() && outcome.wrote_children {
                entry.hold = self.budget.spend(&mut entry.repairs, now);
                if let Some(until) = entry.hold {
                    let wait = until.saturating_duration_since(now);
                    tracing::debug!(%primary, ?wait, "children keep drifting: their next repair waits");
                }
            }
            [
                entry.resync,
                entry.requeue,
                entry.retry,
                entry.periodic,
                entry.hold,
            ]
            .into_iter()
            .flatten()
            .min()
            .map(|next| next.saturating_duration_since(now))
        })
    }

    /// The number of primaries with state.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.with(|state| state.len())
    }

    /// Whether a request for `primary` waits in the trigger channel.
    #[cfg(test)]
    pub(crate) fn is_queued(&self, primary: &ObjectRef<P>) -> bool {
        self.with(|state| {
            state
                .get(&Name::of(primary))
                .is_some_and(|entry| entry.queued)
        })
    }
}

#[cfg(test)]
#[path = "ledger_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "ledger_timer_tests.rs"]
mod timer_tests;
