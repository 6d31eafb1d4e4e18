//! Whether a connection is in use: how many of its requests are in flight and since when it
//! has had none, so that one that sends nothing (or nothing more) is closed. A new connection
//! has the header-read timeout to send its first request; after a request it may stay idle for
//! the idle timeout.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// The requests of one connection.
#[derive(Debug)]
pub struct Activity {
    state: Mutex<State>,
    changed: Notify,
}

/// A request in flight; it ends when this is dropped.
#[derive(Debug)]
pub struct Busy(Arc<Activity>);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct State {
    in_flight: usize,
    idle_since: Instant,
    served: bool,
}

impl State {
    /// When the connection is to be closed if nothing happens first; `None` while a request is
    /// in flight.
    fn deadline(&self, header_read_timeout: Duration, idle_timeout: Duration) -> Option<Instant> {
        if self.in_flight > 0 {
            return None;
        }
        let allowed = if self.served {
            idle_timeout
        } else {
            header_read_timeout
        };
        Some(self.idle_since + allowed)
    }
}

impl Activity {
    /// A connection opened `now`, with no request yet.
    pub fn new(now: Instant) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State {
                in_flight: 0,
                idle_since: now,
                served: false,
            }),
            changed: Notify::new(),
        })
    }

    /// A request starts.
    pub fn begin(self: &Arc<Self>) -> Busy {
        let mut state = self.state();
        state.in_flight += 1;
        state.served = true;
        drop(state);
        self.changed.notify_waiters();
        Busy(Arc::clone(self))
    }

    /// Resolves once the connection has gone without a request for as long as it may.
    pub async fn idle(&self, header_read_timeout: Duration, idle_timeout: Duration) {
        loop {
            let changed = self.changed.notified();
            let mut changed = std::pin::pin!(changed);
            changed.as_mut().enable();
            let deadline = self.state().deadline(header_read_timeout, idle_timeout);
            match deadline {
                None => changed.await,
                Some(deadline) => tokio::select! {
                    () = tokio::time::sleep_until(deadline) => return,
                    () = changed => {}
                },
            }
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let mut state = self.0.state();
        state.in_flight -= 1;
        if state.in_flight == 0 {
            state.idle_since = Instant::now();
        }
        drop(state);
        self.0.changed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: Duration = Duration::from_secs(32);
    const IDLE: Duration = Duration::from_secs(90);

    #[test]
    fn a_new_connection_has_the_header_timeout_and_a_used_one_the_idle_timeout() {
        let opened = Instant::now();
        let mut state = State {
            in_flight: 0,
            idle_since: opened,
            served: false,
        };
        assert_eq!(state.deadline(HEADER, IDLE), Some(opened + HEADER));
        state.in_flight = 1;
        state.served = true;
        assert_eq!(state.deadline(HEADER, IDLE), None, "busy: never idle");
        let done = opened + Duration::from_secs(5);
        state.in_flight = 0;
        state.idle_since = done;
        assert_eq!(state.deadline(HEADER, IDLE), Some(done + IDLE));
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_in_flight_holds_the_connection_open() {
        let activity = Activity::new(Instant::now());
        let busy = activity.begin();
        let idle = tokio::spawn({
            let activity = Arc::clone(&activity);
            async move { activity.idle(HEADER, IDLE).await }
        });
        tokio::time::sleep(IDLE * 2).await;
        assert!(!idle.is_finished(), "closed under a request in flight");
        drop(busy);
        tokio::time::sleep(IDLE + Duration::from_secs(1)).await;
        assert!(idle.is_finished(), "not closed once idle");
    }
}
