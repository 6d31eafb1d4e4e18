//! Kubernetes Events on the primary, what `kubectl describe` shows: the runtime's own (a child
//! created, updated, repaired, adopted, pruned or refused; a handler failed) and the handler's
//! ([`Context::event`](crate::Context::event)), through one [`Recorder`], so that repeats of
//! an Event are counted in one object.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::ObjectReference;
use kube::runtime::events::{Event, EventType, Reporter};
use kube::{Client, Resource};

use crate::error::cut;
use crate::handler::recorder::Recorder;

/// The longest note the API server accepts (`note` is limited to 1 kB).
const MAX_NOTE: usize = 1024;

/// The runtime's Events sent at once; the others wait their turn, so a cold start over thousands
/// of primaries does not hold thousands of requests in memory.
const IN_FLIGHT: usize = 8;

/// The runtime's Events waiting to be sent; past that an Event is left out (client-go's
/// broadcaster drops Events the same way past 1,000).
const WAITING: usize = 1000;

/// What the runtime records of its own work on a primary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Did {
    /// A child that did not exist was created.
    Created,
    /// An existing object of the desired name, controlled by nothing, became the primary's child.
    Adopted,
    /// A child was written because the operator wants something else than it last applied.
    Updated,
    /// A child someone changed was set back (the note names the drifted path, never values).
    Repaired,
    /// A child that is no longer desired was deleted.
    Pruned,
    /// A child the handler deleted.
    Deleted,
    /// A child the runtime will not write: another object controls it, or it cannot be owned.
    Refused,
    /// A handler failed (the note is its one-line cause).
    Failed,
}

impl Did {
    /// The Event's reason.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::Created => "Created",
            Self::Adopted => "Adopted",
            Self::Updated => "Updated",
            Self::Repaired => "Repaired",
            Self::Pruned => "Pruned",
            Self::Deleted => "Deleted",
            Self::Refused => "Refused",
            Self::Failed => "ReconcileFailed",
        }
    }

    /// How the note begins: `created Deployment prod/web`.
    pub(crate) fn verb(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Adopted => "adopted",
            Self::Updated => "updated",
            Self::Repaired => "repaired",
            Self::Pruned => "pruned",
            Self::Deleted => "deleted",
            Self::Refused => "refused",
            Self::Failed => "failed",
        }
    }

    fn type_(self) -> EventType {
        match self {
            Self::Refused | Self::Failed => EventType::Warning,
            _ => EventType::Normal,
        }
    }
}

/// How many of the runtime's Events a primary may get at once, as client-go's Event spam filter
/// allows per object.
const BURST: f64 = 25.0;

/// How often a primary that used up its burst may get one more: one per five minutes.
const REFILL: Duration = Duration::from_secs(300);

/// The runtime's Events per primary, limited as client-go's `EventSourceObjectSpamFilter` limits
/// them (a token bucket of [`BURST`] refilled one per [`REFILL`]), so that a child fought over
/// thousands of times costs thousands of repairs, not as many Events.
#[derive(Default)]
struct Budget {
    /// Tokens left per primary (by uid) and when they were counted.
    left: HashMap<String, (f64, Instant)>,
}

impl Budget {
    /// Whether `primary` may get one more Event at `now`; takes its token when it may.
    fn take(&mut self, primary: &str, now: Instant) -> bool {
        let refilled = |(tokens, at): (f64, Instant)| {
            let earned = now.saturating_duration_since(at).as_secs_f64() / REFILL.as_secs_f64();
            (BURST.min(tokens + earned), now)
        };
        let (tokens, _) = refilled(self.left.get(primary).copied().unwrap_or((BURST, now)));
        let allowed = tokens >= 1.0;
        let tokens = if allowed { tokens - 1.0 } else { tokens };
        self.left.insert(primary.to_string(), (tokens, now));
        // Primaries whose bucket is full again need no entry.
        if self.left.len() > 1024 {
            self.left.retain(|_, left| refilled(*left).0 < BURST);
        }
        allowed
    }
}

/// The controller's Events: one recorder for all of them, and whether the runtime records its own.
#[derive(Clone)]
pub(crate) struct Events {
    recorder: Recorder,
    /// Whether the runtime records what it does
    /// ([`Controller::runtime_events`](crate::Controller::runtime_events)).
    runtime: bool,
    budget: Arc<Mutex<Budget>>,
    /// The permits to send, and how many wait for one.
    sending: Arc<tokio::sync::Semaphore>,
    waiting: Arc<AtomicUsize>,
}

impl Events {
    /// Events reported by `controller` (the field manager), from the pod named in `POD_NAME`
    /// when it is set.
    pub(crate) fn new(client: Client, controller: &str, runtime: bool) -> Self {
        let reporter = Reporter {
            controller: controller.to_string(),
            instance: std::env::var("POD_NAME").ok(),
        };
        Self {
            recorder: Recorder::new(client, reporter),
            runtime,
            budget: Arc::default(),
            sending: Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT)),
            waiting: Arc::default(),
        }
    }

    /// Records an Event on `primary`, about `related` when it concerns a child. A failure to
    /// record is logged, never returned: an Event is a report, not part of the work.
    pub(crate) async fn publish<P: Resource<DynamicType = ()>>(
        &self,
        primary: &P,
        type_: EventType,
        reason: &str,
        note: String,
        related: Option<ObjectReference>,
    ) {
        publish(
            &self.recorder,
            primary.object_ref(&()),
            type_,
            reason,
            note,
            related,
        )
        .await;
    }

    /// Records what the runtime did (`did`, with `note`) on `primary`, about the child `related`,
    /// in the background: the run does not wait for it, and at most 8 are sent at once. Nothing
    /// when the controller turned the runtime's Events off, when the primary used up its budget
    /// (25 at once, then one per five minutes), or when 1,000 wait to be sent; the log line of the
    /// write is there either way.
    pub(crate) fn runtime<P: Resource<DynamicType = ()>>(
        &self,
        primary: &P,
        did: Did,
        note: String,
        related: Option<ObjectReference>,
    ) {
        if !self.runtime {
            return;
        }
        let uid = primary.meta().uid.clone().unwrap_or_default();
        let budget = self
            .budget
            .lock()
            .expect("event budget lock poisoned")
            .take(&uid, Instant::now());
        if !budget {
            tracing::debug!(reason = did.reason(), %note, "Event left out: the primary used up its budget");
            return;
        }
        if self.waiting.fetch_add(1, Ordering::Relaxed) >= WAITING {
            self.waiting.fetch_sub(1, Ordering::Relaxed);
            tracing::debug!(reason = did.reason(), %note, "Event left out: too many wait to be sent");
            return;
        }
        let recorder = self.recorder.clone();
        let regarding = primary.object_ref(&());
        let (sending, waiting) = (self.sending.clone(), self.waiting.clone());
        tokio::spawn(async move {
            // The semaphore is never closed.
            let _permit = sending.acquire_owned().await;
            waiting.fetch_sub(1, Ordering::Relaxed);
            publish(
                &recorder,
                regarding,
                did.type_(),
                did.reason(),
                note,
                related,
            )
            .await;
        });
    }
}

async fn publish(
    recorder: &Recorder,
    regarding: ObjectReference,
    type_: EventType,
    reason: &str,
    note: String,
    related: Option<ObjectReference>,
) {
    let event = Event {
        type_,
        reason: reason.to_string(),
        note: Some(cut(note, MAX_NOTE)),
        action: reason.to_string(),
        secondary: related,
    };
    if let Err(error) = recorder.publish(&event, &regarding).await {
        let primary = format!(
            "{}/{}",
            regarding.namespace.as_deref().unwrap_or_default(),
            regarding.name.as_deref().unwrap_or_default()
        );
        let error_text = crate::error::chain(&error);
        match crate::error::unreachable(&error) {
            true => {
                tracing::debug!(%primary, reason, error = %error_text, "could not record an Event")
            }
            false => {
                tracing::warn!(%primary, reason, error = %error_text, "could not record an Event")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn eight_events_are_sent_at_once_a_thousand_are_taken_and_the_rest_left_out() {
        use std::sync::atomic::AtomicUsize;
        // An API server that takes every request and never answers.
        let received = Arc::new(AtomicUsize::new(0));
        let counted = received.clone();
        let service = tower::service_fn(move |_: http::Request<kube::client::Body>| {
            counted.fetch_add(1, Ordering::SeqCst);
            futures::future::pending::<Result<http::Response<kube::client::Body>, std::io::Error>>()
        });
        let events = Events::new(Client::new(service, "default"), "test-controller", true);
        // Distinct primaries, so no primary's own budget is what leaves Events out.
        for n in 0..1100 {
            let mut primary = crate::testing::primary(&format!("db-{n}"), &format!("u{n}"));
            primary.metadata.namespace = Some("default".into());
            events.runtime(&primary, Did::Created, format!("created {n}"), None);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        // A thousand taken (before any was sent): eight sent, the others waiting; 100 left out.
        assert_eq!(received.load(Ordering::SeqCst), IN_FLIGHT);
        assert_eq!(events.waiting.load(Ordering::SeqCst), WAITING - IN_FLIGHT);
    }

    #[test]
    fn a_primary_gets_a_burst_of_events_then_one_per_refill_and_others_are_not_touched() {
        let mut budget = Budget::default();
        let start = Instant::now();
        let taken = (0..40).filter(|_| budget.take("a", start)).count();
        assert_eq!(taken, BURST as usize);
        assert!(
            budget.take("b", start),
            "another primary has its own budget"
        );
        assert!(!budget.take("a", start + REFILL / 2));
        assert!(budget.take("a", start + REFILL));
        assert!(!budget.take("a", start + REFILL));
        let later = start + REFILL * 100;
        let again = (0..40).filter(|_| budget.take("a", later)).count();
        assert_eq!(
            again, BURST as usize,
            "refilled up to the burst, not beyond"
        );
    }

    #[test]
    fn refusals_and_failures_are_warnings_and_the_rest_normal() {
        assert_eq!(Did::Refused.type_(), EventType::Warning);
        assert_eq!(Did::Failed.type_(), EventType::Warning);
        assert_eq!(Did::Repaired.type_(), EventType::Normal);
        assert_eq!(Did::Failed.reason(), "ReconcileFailed");
    }
}
