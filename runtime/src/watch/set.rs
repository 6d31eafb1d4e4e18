//! The declared watches of one primary type, and the primaries' own watch, started together by
//! the controller on the one watch driver.

use std::sync::Arc;

use futures::future::BoxFuture;
use futures::{FutureExt, TryFutureExt};
use kube::runtime::reflector::{self, Store};
use kube::runtime::watcher;
use tokio::task::JoinSet;

use crate::aware::Declare;
use crate::aware::{SecondaryAware, SecondaryKind};
use crate::cache::caches::Caches;
use crate::cache::expectations::kind_of;
use crate::dispatch::pipeline::{PrimaryEvent, PrimaryPipeline};
use crate::dispatch::shared::Shared;
use crate::error::Error;
use crate::kinds::declaration::Declaration;
use crate::kinds::resource::SecondaryResource;
use crate::kinds::resource::api;
use crate::ops::metrics::{EventOutcome, PRIMARY};
use crate::watch::declared::Watch;
use crate::watch::declared::{ErasedWatch, ForgetOwner};
use crate::watch::driver::{Driven, drive};

/// Every watch of one controller, running: dropping it aborts them all.
pub(crate) struct Watches<P: SecondaryAware> {
    /// The watch tasks; aborted when dropped.
    _tasks: JoinSet<()>,
    pub(crate) caches: Caches,
    /// The primaries' store, which kube-runtime's scheduler reads.
    pub(crate) store: Store<P>,
    /// Resolves once every cache holds its first list, or fails naming a rejected watch.
    pub(crate) ready: BoxFuture<'static, Result<(), Error>>,
}

impl<P: SecondaryAware> Watches<P> {
    /// Starts one watch per declared kind and the primaries' own watch.
    pub(crate) fn start(shared: &Arc<Shared<P>>) -> Self {
        let mut tasks = JoinSet::new();
        let mut caches = Caches::default();
        let mut readies = Vec::new();
        let mut forget_owner = Vec::new();
        for watch in WatchSet::<P>::declared().watches {
            let started = watch.start(shared, &mut caches);
            tasks.spawn(started.driven.driver);
            readies.push(started.driven.ready);
            forget_owner.push(started.forget_owner);
        }
        let (store, primary) = start_primary(shared, forget_owner);
        tasks.spawn(primary.driver);
        readies.push(primary.ready);
        Self {
            _tasks: tasks,
            caches,
            store,
            ready: futures::future::try_join_all(readies).map_ok(drop).boxed(),
        }
    }
}

/// Starts the primaries' own watch: a changed primary is due; a deleted one is forgotten by the
/// ledger, the owner indexes and the expectations. Returns its store, which the scheduler reads.
fn start_primary<P: SecondaryAware>(
    shared: &Arc<Shared<P>>,
    forget_owner: Vec<ForgetOwner<P>>,
) -> (Store<P>, Driven) {
    let (store, mut writer) = reflector::store::<P>();
    let (client, namespace) = (shared.client.clone(), shared.namespace.clone());
    let watch = move |config| {
        let api = api::<P>(client.clone(), namespace.as_deref());
        futures::StreamExt::boxed(watcher::watcher(api, config))
    };
    let config = watcher::Config::default();
    let events = crate::kinds::initial::events(config, shared.streaming_lists, watch);
    let mut pipeline = PrimaryPipeline::<P>::default();
    let state = shared.clone();
    let driven = drive(
        crate::watch::driver::spec(shared, PRIMARY, events),
        move |event| writer.apply_watcher_event(event),
        shared.metrics.clone(),
        move |event| {
            for change in pipeline.on_event(event) {
                match change {
                    change if change.is_own_echo(event, &state.expectations) => {}
                    PrimaryEvent::Changed { primary, .. } => {
                        let send = state.ledger.record_primary(primary.clone());
                        state.trigger(send, primary);
                    }
                    PrimaryEvent::Deleted(primary) => {
                        for (kind, events) in state.ledger.forget(&primary) {
                            state
                                .metrics
                                .outcome(kind.name(), EventOutcome::OwnerGone, events);
                        }
                        state.expectations.forget(&primary);
                        forget_owner.iter().for_each(|forget| forget(&primary));
                    }
                }
            }
        },
    );
    (store, driven)
}

/// Collects the watches a primary type declares; the derive's `declare` fills it.
pub struct WatchSet<P: SecondaryAware> {
    pub(crate) watches: Vec<Box<dyn ErasedWatch<P>>>,
}

impl<P: SecondaryAware> WatchSet<P> {
    /// The group and kind of the primary and of every kind it declares: the writes whose
    /// echoes the controller will see.
    pub(crate) fn watched_kinds() -> Vec<(String, String)> {
        let declared = Self::declared().watches;
        let declared = declared.iter().map(|watch| {
            let resource = watch.resource();
            (resource.group.clone(), resource.kind.clone())
        });
        declared.chain([kind_of::<P>()]).collect()
    }

    /// The watches `P` declares, in declaration order.
    pub(crate) fn declared() -> Self {
        let mut set = Self {
            watches: Vec::new(),
        };
        P::declare(&mut set);
        set
    }
}

impl<P: SecondaryAware> Declare<P> for WatchSet<P> {
    fn add<C: SecondaryResource>(&mut self, kind: P::Kind, declared: Declaration<C>) {
        self.watches.push(Box::new(Watch { kind, declared }));
    }
}
