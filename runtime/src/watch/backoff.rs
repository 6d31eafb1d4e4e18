//! How long a failing watch waits before its next attempt, by what failed, as client-go's
//! reflector decides: an API server that cannot be reached (restarting, refusing connections) or
//! asks to slow down (429) is tried again every second, so repairs resume within about a second
//! of it answering again (404, 503 and 504 from a server starting or timing out count as not answering);
//! a watch expired (`410 Gone`) lists again at once; anything else (403, 500, a malformed answer) waits kube-runtime's exponential backoff (0.8 s doubling to 30 s).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{Stream, TryStreamExt};
use kube::runtime::utils::{Backoff, StreamBackoff};
use kube::runtime::watcher::{self, DefaultBackoff};

use crate::error::UNREACHABLE_RETRY;

/// What a failed watch attempt says about the next one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The watch's resourceVersion is too old: list again now.
    Gone,
    /// No answer, or 429: try again in a second.
    Unreachable,
    /// The server refused, or failed: back off exponentially.
    Refused,
}

impl Failure {
    pub(crate) fn of(error: &watcher::Error) -> Self {
        let request = match error {
            watcher::Error::WatchError(status) if status.code == 410 => return Failure::Gone,
            watcher::Error::WatchError(status) if status.code == 429 => {
                return Failure::Unreachable;
            }
            watcher::Error::WatchError(_) | watcher::Error::NoResourceVersion => {
                return Failure::Refused;
            }
            watcher::Error::InitialListFailed(error)
            | watcher::Error::WatchStartFailed(error)
            | watcher::Error::WatchFailed(error) => error,
        };
        match request {
            kube::Error::Api(status) if status.code == 410 => Failure::Gone,
            // Slow down (429); not ready yet (503, or 404 for a custom resource an API server
            // that just started does not serve yet; a kind that is never served fails `run`
            // at start-up instead); timed out on its own backend (504): try again soon.
            kube::Error::Api(status) if matches!(status.code, 404 | 429 | 503 | 504) => {
                Failure::Unreachable
            }
            kube::Error::Api(_) | kube::Error::SerdeError(_) => Failure::Refused,
            // Connecting, TLS, a broken stream, the watcher's idle timeout: the server is not
            // answering.
            _ => Failure::Unreachable,
        }
    }
}

/// The last failure and the delay chosen for it, shared between the backoff and the driver.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Attempt {
    pub(crate) failure: Failure,
    pub(crate) delay: Duration,
}

/// kube-runtime's [`DefaultBackoff`] for refusals, a fixed short retry for the rest.
struct ByFailure {
    last: Arc<Mutex<Attempt>>,
    exponential: DefaultBackoff,
}

impl Iterator for ByFailure {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        let mut last = self.last.lock().expect("backoff lock poisoned");
        last.delay = match last.failure {
            Failure::Gone => Duration::ZERO,
            Failure::Unreachable => UNREACHABLE_RETRY,
            Failure::Refused => self.exponential.next()?,
        };
        Some(last.delay)
    }
}

impl Backoff for ByFailure {
    fn reset(&mut self) {
        self.exponential.reset();
    }
}

/// `events` with each failed attempt followed by the wait its failure calls for (kube-runtime's
/// [`StreamBackoff`], reset by any event), and the handle that tells the driver the last one.
pub(crate) fn by_failure<S, K>(
    events: S,
) -> (
    impl Stream<Item = watcher::Result<watcher::Event<K>>> + Send,
    Arc<Mutex<Attempt>>,
)
where
    S: Stream<Item = watcher::Result<watcher::Event<K>>> + Send,
    K: Send,
{
    let last = Arc::new(Mutex::new(Attempt {
        failure: Failure::Refused,
        delay: Duration::ZERO,
    }));
    let told = last.clone();
    let events = events.inspect_err(move |error| {
        told.lock().expect("backoff lock poisoned").failure = Failure::of(error);
    });
    let backoff = ByFailure {
        last: last.clone(),
        exponential: DefaultBackoff::default(),
    };
    (StreamBackoff::new(events, backoff), last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::core::Status;

    fn status(code: u16) -> Status {
        Status::failure("", "").with_code(code)
    }

    #[test]
    fn each_failure_is_classed_by_what_it_says_of_the_server() {
        let api = |code| kube::Error::Api(Box::new(status(code)));
        let cases = [
            (
                watcher::Error::WatchError(Box::new(status(410))),
                Failure::Gone,
            ),
            (watcher::Error::InitialListFailed(api(410)), Failure::Gone),
            (
                watcher::Error::WatchStartFailed(api(429)),
                Failure::Unreachable,
            ),
            (
                watcher::Error::InitialListFailed(api(403)),
                Failure::Refused,
            ),
            (watcher::Error::WatchFailed(api(500)), Failure::Refused),
            (
                watcher::Error::InitialListFailed(api(503)),
                Failure::Unreachable,
            ),
            (watcher::Error::NoResourceVersion, Failure::Refused),
            (
                watcher::Error::WatchStartFailed(kube::Error::Service(
                    std::io::Error::from(std::io::ErrorKind::ConnectionRefused).into(),
                )),
                Failure::Unreachable,
            ),
        ];
        for (error, failure) in cases {
            assert_eq!(Failure::of(&error), failure, "{error}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_unreachable_server_is_retried_every_second_and_an_expired_watch_at_once() {
        let refused = || watcher::Error::WatchStartFailed(kube::Error::Api(Box::new(status(403))));
        let unreachable = || {
            watcher::Error::WatchStartFailed(kube::Error::Service(
                std::io::Error::from(std::io::ErrorKind::ConnectionRefused).into(),
            ))
        };
        let gone = || watcher::Error::WatchError(Box::new(status(410)));
        let attempts: Vec<watcher::Result<watcher::Event<ConfigMap>>> = vec![
            Err(refused()),
            Err(refused()),
            Err(refused()),
            Err(unreachable()),
            Err(unreachable()),
            Err(gone()),
            Ok(watcher::Event::Init),
        ];
        let (events, last) = by_failure(futures::stream::iter(attempts));
        let mut events = std::pin::pin!(events);
        let mut delays = Vec::new();
        while let Some(attempt) = events.next().await {
            if attempt.is_err() {
                delays.push(last.lock().unwrap().delay);
            }
        }
        let [r1, r2, r3, u1, u2, g] = delays[..] else {
            panic!("{delays:?}")
        };
        assert!(
            r1 < r2 && r2 < r3,
            "refusals back off: {r1:?} {r2:?} {r3:?}"
        );
        assert!(r3 >= Duration::from_millis(3200), "{r3:?}");
        assert_eq!((u1, u2), (UNREACHABLE_RETRY, UNREACHABLE_RETRY));
        assert_eq!(g, Duration::ZERO);
    }
}
