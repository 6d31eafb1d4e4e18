//! What one run of a primary does, as the ledger decides it, and how its handlers ended.

use crate::aware::SecondaryKind;
use crate::handler::changes::Changes;
use crate::handler::reconciler::Action;
use crate::ops::metrics::{EventOutcome, Trigger};

/// The handler one run calls.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Main<Kd: SecondaryKind> {
    /// `reconcile`, for this trigger.
    Full(Trigger),
    /// `reconcile_secondaries`, with every change since the last run.
    Secondaries(Changes<Kd>),
}

/// What one run of a primary does.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Plan<Kd: SecondaryKind> {
    pub(crate) main: Option<Main<Kd>>,
    pub(crate) periodic: bool,
    /// How the child events drained at this run's start ended, by kind: woke this run, or turned
    /// out to be our own echoes or to belong to another object of the same name.
    pub(crate) drained: Vec<(Kd, EventOutcome, u64)>,
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
    /// The handlers wrote a child: created, changed or deleted one. Only such runs of
    /// `reconcile_secondaries` are repairs, paid from the primary's repair budget.
    pub(crate) wrote_children: bool,
}

impl Outcome {
    fn results(&self) -> impl Iterator<Item = &Result<Action, Action>> {
        [&self.full, &self.secondaries, &self.periodic]
            .into_iter()
            .flatten()
    }

    /// Whether a handler ran and none failed.
    pub(crate) fn succeeded(&self) -> bool {
        self.results().next().is_some() && self.results().all(Result::is_ok)
    }

    /// Whether a handler failed.
    pub(crate) fn failed(&self) -> bool {
        self.results().any(Result::is_err)
    }
}
