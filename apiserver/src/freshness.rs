//! How current one kind's cache is: synced or not, and whether its watch is failing and since
//! when. A watch failing for longer than the configured bound makes its kind stale: answers
//! still show what the cache holds, with an `error` on the kind saying so, and `/readyz` fails.
//!
//! kube-runtime's watcher says when an attempt fails but not when a retry works (a watch that
//! resumes delivers nothing until something changes), so a failing watch counts as working
//! again at its next event, or once it has gone [`RECOVERY_QUIET`] without failing: longer
//! than the watcher's longest backoff (30 s, with up to as much again of jitter).

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// How long a failing watch must go without a new failure to count as working again.
pub const RECOVERY_QUIET: Duration = Duration::from_secs(65);

/// What keeps a kind's answer from being current.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The first list has not arrived: nothing to show, only why.
    Unsynced(String),
    /// The watch has failed for too long: what the cache holds, and why it may be old.
    Stale(String),
}

impl Problem {
    /// In words, for the kind's `error`.
    pub fn message(&self) -> &str {
        match self {
            Problem::Unsynced(why) | Problem::Stale(why) => why,
        }
    }
}

/// The freshness of one kind's cache.
#[derive(Debug, Default)]
pub struct Freshness {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    synced: bool,
    /// The last failure, kept after a recovery for a kind that never synced.
    last_error: Option<String>,
    /// When the current run of failures began.
    failing_since: Option<Instant>,
    /// When the last failure was seen.
    last_failure: Option<Instant>,
}

impl Freshness {
    /// A kind that cannot be watched at all, for `why`.
    pub fn unwatched(why: String) -> Self {
        let state = State {
            last_error: Some(why),
            ..State::default()
        };
        Self {
            state: Mutex::new(state),
        }
    }

    /// Whether the first list has been received.
    pub fn synced(&self) -> bool {
        self.state().synced
    }

    /// The watch delivered an event (`listed` for the end of a list): it works. Returns
    /// whether it was failing until now.
    pub fn delivered(&self, listed: bool) -> bool {
        let mut state = self.state();
        if listed {
            state.synced = true;
            state.last_error = None;
        }
        state.last_failure = None;
        state.failing_since.take().is_some()
    }

    /// The watch failed at `now` with `error`; returns the error when it differs from the last
    /// one, to be logged once rather than at every retry.
    pub fn failed(&self, error: String, now: Instant) -> Option<String> {
        let mut state = self.state();
        state.failing_since.get_or_insert(now);
        state.last_failure = Some(now);
        let new = state.last_error.as_ref() != Some(&error);
        state.last_error = Some(error.clone());
        new.then_some(error)
    }

    /// When the failing watch will count as working again if it does not fail before.
    pub fn recovers_at(&self) -> Option<Instant> {
        self.state().last_failure.map(|at| at + RECOVERY_QUIET)
    }

    /// The failing watch went [`RECOVERY_QUIET`] without failing; returns whether it was
    /// failing.
    pub fn quiet(&self) -> bool {
        self.delivered(false)
    }

    /// What keeps the kind's answer from being current at `now`, if anything.
    pub fn problem(&self, stale_after: Duration, now: Instant) -> Option<Problem> {
        let state = self.state();
        if !state.synced {
            let why = state.last_error.clone();
            let why =
                why.unwrap_or_else(|| "the watch cache of this kind is not synced yet".into());
            return Some(Problem::Unsynced(why));
        }
        let since = state.failing_since?;
        let failing_for = now.saturating_duration_since(since);
        (failing_for >= stale_after).then(|| {
            let error = state.last_error.as_deref().unwrap_or("unknown error");
            Problem::Stale(format!(
                "stale: the watch of this kind has failed for {}s ({error}); its children are shown as the cache last saw them",
                failing_for.as_secs()
            ))
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUND: Duration = Duration::from_secs(30);

    #[test]
    fn a_kind_is_unsynced_until_listed_and_says_why() {
        let freshness = Freshness::default();
        let now = Instant::now();
        assert!(matches!(
            freshness.problem(BOUND, now),
            Some(Problem::Unsynced(_))
        ));
        freshness.failed("cannot watch this kind: 403 forbidden".into(), now);
        assert_eq!(
            freshness.problem(BOUND, now),
            Some(Problem::Unsynced(
                "cannot watch this kind: 403 forbidden".into()
            ))
        );
        freshness.delivered(true);
        assert_eq!(freshness.problem(BOUND, now), None);
    }

    #[test]
    fn a_watch_failing_past_the_bound_is_stale_until_it_works_again() {
        let freshness = Freshness::default();
        let start = Instant::now();
        freshness.delivered(true);
        assert_eq!(freshness.failed("403".into(), start), Some("403".into()));
        assert_eq!(
            freshness.failed("403".into(), start + BOUND),
            None,
            "logged once"
        );
        assert_eq!(freshness.problem(BOUND, start + BOUND / 2), None);
        let stale = freshness.problem(BOUND, start + BOUND).unwrap();
        assert!(
            matches!(&stale, Problem::Stale(why) if why.contains("30s (403)")),
            "{stale:?}"
        );
        assert_eq!(
            freshness.recovers_at(),
            Some(start + BOUND + RECOVERY_QUIET)
        );

        assert!(freshness.quiet());
        assert_eq!(freshness.problem(BOUND, start + BOUND * 3), None);
        assert_eq!(freshness.recovers_at(), None);
        assert!(!freshness.delivered(false), "was not failing any more");
    }
}
