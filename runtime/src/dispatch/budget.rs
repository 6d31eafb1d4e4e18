//! How often the children of one primary are repaired while something keeps changing them: a
//! token bucket per primary, so a child fought over costs a repair now and then, not one per edit.

use std::time::{Duration, Instant};

/// The repairs a primary gets while its children keep drifting: `burst` at once, then one per
/// `every`.
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

/// The repairs left to one primary, as of `at`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tokens {
    left: f64,
    at: Instant,
}

impl RepairBudget {
    /// Spends one repair at `now` from `tokens` (a full bucket when `None`); returns until when
    /// the primary's next repair waits, when fewer than one is left.
    pub(crate) fn spend(self, tokens: &mut Option<Tokens>, now: Instant) -> Option<Instant> {
        let burst = f64::from(self.burst);
        let tokens = tokens.get_or_insert(Tokens {
            left: burst,
            at: now,
        });
        let every = self.every.as_secs_f64();
        let refilled = match every > 0.0 {
            true => now.saturating_duration_since(tokens.at).as_secs_f64() / every,
            false => burst,
        };
        tokens.left = (tokens.left + refilled).min(burst) - 1.0;
        tokens.at = now;
        (tokens.left < 1.0).then(|| now + self.every.mul_f64(1.0 - tokens.left.max(0.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_goes_at_once_then_one_repair_per_interval() {
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
        // At the end of the hold one repair is back, and spending it holds again.
        let next = budget
            .spend(&mut tokens, held)
            .expect("one repair per interval");
        assert_eq!(next, held + Duration::from_secs(10));
        // A quiet primary gets its whole burst back.
        let quiet = next + Duration::from_secs(60);
        for _ in 0..4 {
            assert_eq!(budget.spend(&mut tokens, quiet), None);
        }
        assert!(budget.spend(&mut tokens, quiet).is_some());
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
