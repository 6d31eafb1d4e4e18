//! When a primary runs next by time: clamped delays, and the backoff of a failing primary.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant};

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};

/// Scheduled runs fire at or after their deadline; this absorbs timer rounding.
const TIMER_SLACK: Duration = Duration::from_millis(20);

/// The longest delay a handler can ask for (kube-runtime clamps the same way): `Instant` cannot
/// hold "never", and a run six months away is as good as one.
const MAX_DELAY: Duration = Duration::from_secs(60 * 60 * 24 * 30 * 6);

/// The delays between retries of a failing primary: exponential from `min` to `max`, with jitter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Backoff {
    pub(crate) min: Duration,
    pub(crate) max: Duration,
}

impl Default for Backoff {
    /// controller-runtime's default per-object rate limiter: 5 ms doubling up to 1,000 s.
    fn default() -> Self {
        Self {
            min: Duration::from_millis(5),
            max: Duration::from_secs(1000),
        }
    }
}

impl Backoff {
    /// The delays of one failing primary, from its first failure on.
    pub(crate) fn start(self) -> ExponentialBackoff {
        ExponentialBuilder::default()
            .with_min_delay(self.min)
            .with_max_delay(self.max)
            .with_factor(2.0)
            .with_jitter()
            .without_max_times()
            .build()
    }
}

/// `now + after`, clamped to [`MAX_DELAY`].
pub(crate) fn after(now: Instant, after: Duration) -> Instant {
    now.checked_add(after.min(MAX_DELAY))
        .unwrap_or(now + MAX_DELAY)
}

/// Whether `deadline` has come at `now`.
pub(crate) fn due(deadline: Option<Instant>, now: Instant) -> bool {
    deadline.is_some_and(|at| at <= now + TIMER_SLACK)
}

/// The resync interval of one primary: up to 10% longer than `resync`, spread by its key, so
/// primaries created together do not all resync in the same second, and none resyncs more
/// often than once per `resync`.
pub(crate) fn spread(resync: Duration, primary: &impl Hash) -> Duration {
    let mut hasher = DefaultHasher::new();
    primary.hash(&mut hasher);
    let spread = (hasher.finish() % 1000) as u32;
    resync + resync / 10 * spread / 1000
}
