//! The one watch driver, for the primaries and for every declared kind: kube-runtime's watcher
//! into a reflector store, counted, each event handed on once the store has applied it.

use std::sync::Arc;

use futures::channel::oneshot;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use kube::Resource;
use kube::runtime::reflector::{self, store::Writer};
use kube::runtime::{WatchStreamExt, watcher};

use crate::aware::SecondaryAware;
use crate::dispatch::shared::Shared;
use crate::error::Error;
use crate::ops::metrics::Metrics;
use crate::ops::metrics::PRIMARY;

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

/// Runs `spec` into `writer`'s store, calling `on_event` with each event after the store applied
/// it.
pub(crate) fn drive<K>(
    spec: WatchSpec<K>,
    writer: Writer<K>,
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
    let events = reflector::reflector(
        writer,
        events
            .modify(crate::cache::form::cache_form(managed_fields))
            .default_backoff(),
    );
    let driver = events.for_each(move |event| {
        match event {
            Ok(event) => {
                match &event {
                    watcher::Event::Init => metrics.list_started(name),
                    watcher::Event::InitDone => {
                        metrics.listed(name);
                        if let Some(ready) = ready_tx.take() {
                            let _ = ready.send(Ok(()));
                        }
                    }
                    watcher::Event::Apply(_) | watcher::Event::InitApply(_) | watcher::Event::Delete(_) => {}
                }
                on_event(&event);
            }
            Err(error) => {
                metrics.watch_failed(name);
                match rejected(&error).filter(|_| ready_tx.is_some()) {
                    Some(status) => {
                        let failure = Error::Watch {
                            kind: name,
                            code: status.code,
                            message: status.message.clone(),
                        };
                        if let Some(ready) = ready_tx.take() {
                            let _ = ready.send(Err(failure));
                        }
                    }
                    None => {
                        tracing::warn!(watch = name, error = %crate::error::chain(&error), "watch failed; retrying with backoff");
                    }
                }
            }
        }
        futures::future::ready(())
    });
    Driven {
        driver: driver.boxed(),
        ready: async move {
            // The driver never drops the sender before it resolved it unless it was aborted.
            ready_rx.await.unwrap_or(Ok(()))
        }
        .boxed(),
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
