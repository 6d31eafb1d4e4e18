//! The one watch driver, for the primaries and for every declared kind: kube-runtime's watcher
//! into a reflector store (the children's in their packed form), counted, each event handed on
//! once the store has applied it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::channel::oneshot;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use kube::Resource;
use kube::runtime::{WatchStreamExt, watcher};

use crate::aware::SecondaryAware;
use crate::dispatch::shared::Shared;
use crate::error::Error;
use crate::ops::metrics::Metrics;
use crate::ops::metrics::PRIMARY;
use crate::watch::backoff::{Failure, by_failure};

/// A watch to run: its name in metrics and logs, and its event stream.
pub(crate) struct WatchSpec<K> {
    pub(crate) name: &'static str,
    pub(crate) events: BoxStream<'static, watcher::Result<watcher::Event<K>>>,
    pub(crate) managed_fields: crate::cache::form::ManagedFields,
}

/// A running watch: `driver` runs it; `ready` resolves once its cache holds the first full list,
/// or fails when the server rejects the watch in a way retrying will not fix.
pub(crate) struct Driven {
    pub(crate) driver: BoxFuture<'static, ()>,
    pub(crate) ready: BoxFuture<'static, Result<(), Error>>,
}

/// Whether a failed first list is the server saying "never": a malformed request (400) or a
/// kind it does not serve (404, e.g. a CRD that is not installed).
fn rejected(error: &watcher::Error) -> Option<&kube::core::Status> {
    match error {
        watcher::Error::InitialListFailed(kube::Error::Api(status))
        | watcher::Error::WatchStartFailed(kube::Error::Api(status))
            if matches!(status.code, 400 | 404) =>
        {
            Some(status)
        }
        _ => None,
    }
}

/// How long a retry must go without failing before a failing watch counts as working again,
/// when no event shows it sooner.
const RETRY_GRACE: Duration = Duration::from_secs(10);

/// Runs `spec` into a store, `apply` writing each event into it (a reflector [`Writer`]'s
/// `apply_watcher_event`, of the event or of its packed form), then calling `on_event` with the
/// event. A failing watch is retried by what failed (`backoff`), and said once when it starts
/// failing and once when it works again, not at every attempt.
///
/// [`Writer`]: kube::runtime::reflector::store::Writer
pub(crate) fn drive<K>(
    spec: WatchSpec<K>,
    mut apply: impl FnMut(&watcher::Event<K>) + Send + 'static,
    metrics: Arc<Metrics>,
    mut on_event: impl FnMut(&watcher::Event<K>) + Send + 'static,
) -> Driven
where
    K: Resource<DynamicType = ()> + Clone + Send + Sync + 'static,
{
    let WatchSpec {
        name,
        events,
        managed_fields,
    } = spec;
    let (ready_tx, ready_rx) = oneshot::channel();
    let mut ready_tx = Some(ready_tx);
    metrics.watch_started(name);
    let (events, attempts) =
        by_failure(events.modify(crate::cache::form::cache_form(managed_fields)));
    let driver = async move {
        let mut events = std::pin::pin!(events);
        // While failing: when the retry will have gone long enough without failing.
        let mut failing_until: Option<Instant> = None;
        loop {
            let next = match failing_until {
                Some(at) => match tokio::time::timeout_at(at.into(), events.next()).await {
                    Ok(next) => next,
                    Err(_) => {
                        recovered(&metrics, name, "its retry has not failed");
                        failing_until = None;
                        continue;
                    }
                },
                None => events.next().await,
            };
            let Some(event) = next else { break };
            match event {
                Ok(event) => {
                    apply(&event);
                    if failing_until.take().is_some() {
                        recovered(&metrics, name, "it delivers events again");
                    }
                    match &event {
                        watcher::Event::Init => metrics.list_started(name),
                        watcher::Event::InitDone => {
                            metrics.listed(name);
                            if let Some(ready) = ready_tx.take() {
                                let _ = ready.send(Ok(()));
                            }
                        }
                        watcher::Event::Apply(_)
                        | watcher::Event::InitApply(_)
                        | watcher::Event::Delete(_) => {}
                    }
                    on_event(&event);
                }
                Err(error) => {
                    metrics.watch_failed(name);
                    if let Some(status) = rejected(&error).filter(|_| ready_tx.is_some()) {
                        let failure = Error::Watch {
                            kind: name,
                            code: status.code,
                            message: status.message.clone(),
                        };
                        if let Some(ready) = ready_tx.take() {
                            let _ = ready.send(Err(failure));
                        }
                        continue;
                    }
                    let attempt = *attempts.lock().expect("backoff lock poisoned");
                    if attempt.failure == Failure::Gone {
                        tracing::info!(watch = name, "watch expired (410 Gone); listing again");
                        continue;
                    }
                    let error = crate::error::chain(&error);
                    if metrics.health.failed(name, &error) {
                        tracing::warn!(watch = name, %error, retry_in = ?attempt.delay, "watch failing; retrying until it works (one line when it does)");
                    } else {
                        tracing::debug!(watch = name, %error, retry_in = ?attempt.delay, "watch still failing");
                    }
                    failing_until = Some(Instant::now() + attempt.delay + RETRY_GRACE);
                }
            }
        }
    };
    Driven {
        driver: driver.boxed(),
        ready: async move {
            // The driver never drops the sender before it resolved it unless it was aborted.
            ready_rx.await.unwrap_or(Ok(()))
        }
        .boxed(),
    }
}

/// Says, once, that the failing watch `name` works again, and why that is known.
fn recovered(metrics: &Metrics, name: &'static str, because: &str) {
    if let Some(failed_for) = metrics.health.recovered(name) {
        tracing::info!(watch = name, failed_for = ?failed_for, "watch works again: {because}");
    }
}

/// The watch of `name` (a kind's name, or the primaries'), with the form its cache keeps.
pub(crate) fn spec<P: SecondaryAware, K>(
    shared: &Shared<P>,
    name: &'static str,
    events: futures::stream::BoxStream<'static, watcher::Result<watcher::Event<K>>>,
) -> WatchSpec<K> {
    let managed_fields = match name {
        PRIMARY => shared.managed_fields.for_primary(),
        _ => shared.managed_fields.clone(),
    };
    WatchSpec {
        name,
        events,
        managed_fields,
    }
}
