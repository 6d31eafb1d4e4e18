//! What a running controller shares with every watch and every run: the client, the ledger of
//! what is due, the expectations of its own writes, the metrics and how the context writes.

use std::sync::Arc;

use futures::channel::mpsc::UnboundedSender;
use kube::Client;
use kube::runtime::controller;
use kube::runtime::reflector::ObjectRef;

use crate::aware::{SecondaryAware, SecondaryKind};
use crate::cache::expectations::Expectations;
use crate::dispatch::ledger::Ledger;
use crate::ops::metrics::{EventOutcome, Metrics};

/// What a running controller shares with every watch.
pub(crate) struct Shared<P: SecondaryAware> {
    pub(crate) client: Client,
    pub(crate) namespace: Option<String>,
    pub(crate) ledger: Arc<Ledger<P>>,
    pub(crate) triggers: UnboundedSender<ObjectRef<P>>,
    pub(crate) expectations: Arc<Expectations>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) managed_fields: crate::cache::form::ManagedFields,
    /// Whether watches list first by a streaming list (falling back to pages when refused).
    pub(crate) streaming_lists: bool,
    pub(crate) writes: crate::handler::writes::Writes,
}

impl<P: SecondaryAware> Shared<P> {
    /// Sends `primary` a request unless one already waits (the ledger knows).
    pub(crate) fn trigger(&self, send: bool, primary: ObjectRef<P>) {
        // The receiver lives as long as the controller; a closed channel means shutdown.
        if send && self.triggers.unbounded_send(primary).is_ok() {
            self.metrics.queued();
        }
    }

    /// Handles the end of one request in kube-runtime's applier.
    pub(crate) fn settle<E: std::error::Error + 'static, Q: std::error::Error + 'static>(
        &self,
        result: Result<(ObjectRef<P>, controller::Action), controller::Error<E, Q>>,
    ) {
        match result {
            Err(controller::Error::ObjectNotFound(primary)) => {
                // A label-mapped child naming a primary that does not exist (yet): its own first
                // run will see the child.
                let mut owner = ObjectRef::<P>::new(&primary.name);
                owner.namespace = primary.namespace.clone();
                for (kind, events) in self.ledger.drop_unserved(&owner) {
                    self.metrics
                        .outcome(kind.name(), EventOutcome::OwnerGone, events);
                }
                tracing::debug!(%primary, "primary not in cache; dropped request");
            }
            Err(error) => tracing::warn!(error = %crate::error::chain(&error), "controller error"),
            Ok(_) => {}
        }
    }
}
