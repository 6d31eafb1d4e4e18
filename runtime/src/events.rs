//! Kubernetes Events on the primary, what `kubectl describe` shows: the runtime's own (a child
//! created, updated, repaired, adopted, pruned or refused; a handler failed) and the handler's
//! ([`Context::event`](crate::Context::event)), through one kube-runtime
//! [`Recorder`], so that repeats of an Event are counted in one object.

use k8s_openapi::api::core::v1::ObjectReference;
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube::{Client, Resource};

use crate::error::cut;

/// The longest note the API server accepts (`note` is limited to 1 kB).
const MAX_NOTE: usize = 1024;

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
            Self::Pruned => "pruned (no longer desired)",
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

/// The controller's Events: one recorder for all of them, and whether the runtime records its own.
#[derive(Clone)]
pub(crate) struct Events {
    recorder: Recorder,
    /// Whether the runtime records what it does
    /// ([`Controller::runtime_events`](crate::Controller::runtime_events)).
    runtime: bool,
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
    /// in the background: the run does not wait for it. Nothing when the controller turned the
    /// runtime's Events off.
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
        let recorder = self.recorder.clone();
        let regarding = primary.object_ref(&());
        tokio::spawn(async move {
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
        tracing::warn!(%primary, reason, error = %crate::error::chain(&error), "could not record an Event");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_and_failures_are_warnings_and_the_rest_normal() {
        assert_eq!(Did::Refused.type_(), EventType::Warning);
        assert_eq!(Did::Failed.type_(), EventType::Warning);
        assert_eq!(Did::Repaired.type_(), EventType::Normal);
        assert_eq!(Did::Failed.reason(), "ReconcileFailed");
    }
}
