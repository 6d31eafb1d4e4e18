//! What the ledger keeps of one primary: its pending child changes and its timers.

use std::time::Instant;

use backon::ExponentialBackoff;

use crate::aware::SecondaryKind;
use crate::cache::expectations::Version;
use crate::cache::short;
use crate::dispatch::backoff::due;
use crate::dispatch::budget::Tokens;
use crate::handler::changes::ChangeOp;
use crate::ops::metrics::Trigger;

/// One changed child, as recorded: the last operation, and what is needed to decide at drain
/// time whether it still needs a run.
#[derive(Debug)]
pub(super) struct Pending {
    pub(super) op: ChangeOp,
    /// The uid its controller ownerReference names (none for label and annotation mappings).
    pub(super) owner_uid: Option<String>,
    /// The versions of the applied events folded into this entry: any of them may still turn
    /// out to be the echo of our own write.
    pub(super) versions: Vec<Version>,
    /// Events folded in that cannot be echoes: deletions, objects without a version.
    pub(super) foreign: u64,
}

impl Pending {
    pub(super) fn events(&self) -> u64 {
        self.versions.len() as u64 + self.foreign
    }
}

pub(super) type ChildKey<Kd> = (Kd, Option<String>, String);

#[derive(Debug)]
pub(super) struct PrimaryState<Kd: SecondaryKind> {
    /// A full reconcile has been attempted at least once.
    pub(super) reconciled: bool,
    pub(super) primary_changed: bool,
    /// One entry per changed child, in the order first seen: a list, not a map, since most
    /// primaries have a few at most and a B-tree's first node alone takes over a kilobyte (1.3 MB
    /// for the 1,000 primaries of a cold start).
    pub(super) changes: Vec<(ChildKey<Kd>, Pending)>,
    /// A request for this primary waits in the trigger channel: no second one is sent.
    pub(super) queued: bool,
    /// The retry delays while handlers keep failing; reset by a run without failure. Boxed: it
    /// is 120 bytes, and only a failing primary has one.
    pub(super) backoff: Option<Box<ExponentialBackoff>>,
    pub(super) resync: Option<Instant>,
    pub(super) requeue: Option<Instant>,
    pub(super) retry: Option<Instant>,
    pub(super) periodic: Option<Instant>,
    /// The repairs left while its children keep drifting, and until when the next one waits.
    pub(super) repairs: Option<Tokens>,
    pub(super) hold: Option<Instant>,
}

impl<Kd: SecondaryKind> Default for PrimaryState<Kd> {
    fn default() -> Self {
        Self {
            reconciled: false,
            primary_changed: false,
            changes: Vec::new(),
            queued: false,
            backoff: None,
            resync: None,
            requeue: None,
            retry: None,
            periodic: None,
            repairs: None,
            hold: None,
        }
    }
}

impl<Kd: SecondaryKind> PrimaryState<Kd> {
    /// The child events recorded and not drained yet, by kind.
    pub(super) fn pending_events(self) -> Vec<(Kd, u64)> {
        self.changes
            .into_iter()
            .map(|((kind, _, _), pending)| (kind, pending.events()))
            .collect()
    }

    /// The entry of the child `key`, a new one for `op` if it has none yet.
    pub(super) fn pending(&mut self, key: ChildKey<Kd>, op: ChangeOp) -> &mut Pending {
        let at = match self.changes.iter().position(|(known, _)| *known == key) {
            Some(at) => at,
            None => {
                let pending = Pending {
                    op,
                    owner_uid: None,
                    versions: Vec::new(),
                    foreign: 0,
                };
                short::push(&mut self.changes, (key, pending));
                self.changes.len() - 1
            }
        };
        &mut self.changes[at].1
    }

    /// Marks a request as sent; returns whether one must be sent (none is waiting yet).
    pub(super) fn enqueue(&mut self) -> bool {
        !std::mem::replace(&mut self.queued, true)
    }

    /// What makes the next run a full reconcile at `now`, but a deletion in progress.
    pub(super) fn full_trigger(&self, now: Instant) -> Option<Trigger> {
        if self.primary_changed || !self.reconciled {
            Some(Trigger::Primary)
        } else if due(self.retry, now) {
            Some(Trigger::Retry)
        } else if due(self.requeue, now) {
            Some(Trigger::Requeue)
        } else if due(self.resync, now) {
            Some(Trigger::Resync)
        } else {
            None
        }
    }
}
