//! How often the children of one primary are repaired while something keeps changing them: a
//! token bucket per primary, so a child fought over costs a repair now and then, not one per edit,
//! and a fight that goes on costs less and less, as client-go's per-item exponential limiter.

use std::time::{Duration, Instant};

/// The repairs a primary gets while its children keep drifting: `burst` at once, then one after
/// `every`, the wait doubling while the drift goes on, up to [`LONGEST_WAIT`] times `every`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RepairBudget {
    pub(crate) burst: u32,
    pub(crate) every: Duration,
}

impl Default for RepairBudget {
    /// Five repairs at once, then one every ten seconds: an operator's ordinary drift (a
    /// deleted Service, a scaled Deployment, a few edits a minute) never waits.
    fn default() -> Self {
        Self {
            burst: 5,
            every: Duration::from_secs(10),
        }
    }
}

/// How many times `every` a primary's repairs wait at most while its children keep drifting:
/// 20 s for the default 10 s. The longest wait is also how long a child stays wrong after the
/// fight ends (the repair comes at the wait's end): at 32 times (320 s), a full churn run left 36
/// of 838 ConfigMaps unrepaired 30 s after the edits stopped.
pub(crate) const LONGEST_WAIT: u32 = 2;

/// The repairs left to one primary, as of `at`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tokens {
    left: f64,
    at: Instant,
    /// The hold the last repair started: until when, and how long it was.
    held: Option<(Instant, Duration)>,
}

impl RepairBudget {
    /// Spends one repair at `now` from `tokens` (a full bucket when `None`); returns until when
    /// the primary's next repair waits, when fewer than one is left. A repair less than one wait
    /// after the last hold ended (the drift went on through it) waits twice as long next time;
    /// one wait without drift ends the fight, and the bucket refills with time again.
    pub(crate) fn spend(self, tokens: &mut Option<Tokens>, now: Instant) -> Option<Instant> {
        let burst = f64::from(self.burst);
        let tokens = tokens.get_or_insert(Tokens {
            left: burst,
            at: now,
            held: None,
        });
        if let Some((until, wait)) = tokens.held.take()
            && now.saturating_duration_since(until) < wait
        {
            let wait = (wait * 2).max(self.every).min(self.every * LONGEST_WAIT);
            tokens.left = 0.0;
            tokens.at = now;
            tokens.held = Some((now + wait, wait));
            return Some(now + wait);
        }
        let every = self.every.as_secs_f64();
        let refilled = match every > 0.0 {
            true => now.saturating_duration_since(tokens.at).as_secs_f64() / every,
            false => burst,
        };
        tokens.left = (tokens.left + refilled).min(burst) - 1.0;
        tokens.at = now;
        let wait = (tokens.left < 1.0).then(|| self.every.mul_f64(1.0 - tokens.left.max(0.0)));
        tokens.held = wait.map(|wait| (now + wait, wait));
        wait.map(|wait| now + wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_goes_at_once_then_the_wait_doubles_while_the_drift_goes_on() {
        let budget = RepairBudget::default();
        let start = Instant::now();
        let mut tokens = None;
        for _ in 0..4 {
            assert_eq!(budget.spend(&mut tokens, start), None);
        }
        let held = budget
            .spend(&mut tokens, start)
            .expect("the fifth spends the last");
        assert_eq!(held, start + Duration::from_secs(10));
        // Drift through every hold: each repair at a hold's end waits twice as long, up to 20 s.
        let mut at = held;
        for wait in [20, 20, 20] {
            let next = budget.spend(&mut tokens, at).expect("still fighting");
            assert_eq!(next, at + Duration::from_secs(wait));
            at = next;
        }
        // A quiet spell ends the fight: the bucket refills with time (one repair per `every`),
        // and after a minute without drift the whole burst is back.
        let quiet = at + Duration::from_secs(60);
        for _ in 0..4 {
            assert_eq!(budget.spend(&mut tokens, quiet), None);
        }
        assert_eq!(
            budget.spend(&mut tokens, quiet),
            Some(quiet + Duration::from_secs(10))
        );
    }

    #[test]
    fn a_repair_after_a_quiet_wait_is_paid_from_the_refilled_bucket() {
        let budget = RepairBudget::default();
        let start = Instant::now();
        let mut tokens = None;
        (0..5).for_each(|_| _ = budget.spend(&mut tokens, start));
        // The hold ended at 10 s; nothing drifted until 25 s: one wait (10 s) went by quietly.
        let later = start + Duration::from_secs(25);
        assert_eq!(
            budget.spend(&mut tokens, later),
            None,
            "2.5 repairs came back in 25 s"
        );
    }

    #[test]
    fn an_unlimited_budget_never_holds() {
        let budget = RepairBudget {
            burst: u32::MAX,
            every: Duration::ZERO,
        };
        let (now, mut tokens) = (Instant::now(), None);
        assert!((0..1000).all(|_| budget.spend(&mut tokens, now).is_none()));
    }
}
