//! The primary's own events, beside its children's.

use std::collections::{HashMap, HashSet};

use kube::Resource;
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher::Event;

use crate::aware::SecondaryAware;
use crate::cache::expectations::Expectations;
use crate::cache::name::Name;

/// The primary's own events: whether each wakes it, by `metadata.generation` (spec changes), and
/// which primaries were deleted. A primary is its uid: one recreated under the same name is a
/// deletion of the old one and a new primary.
pub(crate) struct PrimaryPipeline<P: Resource<DynamicType = ()>> {
    last: HashMap<Name, LastSeen>,
    relist: Option<Relist<P>>,
}

/// What was last seen of one primary.
#[derive(Clone, Debug, PartialEq, Eq)]
struct LastSeen {
    uid: Option<String>,
    generation: Option<i64>,
    resource_version: Option<String>,
}

/// A primary relist in progress: what it listed and what it made due, released at `InitDone`.
struct Relist<P: Resource<DynamicType = ()>> {
    listed: HashSet<Name>,
    due: Vec<PrimaryEvent<P>>,
}

/// What a primary event means for the ledger.
#[derive(Debug, PartialEq)]
pub(crate) enum PrimaryEvent<P: Resource<DynamicType = ()>> {
    /// The primary is new, or its spec changed (`by_generation`), or, for a primary without a
    /// generation, any write: only such a change can be the echo of our own status write.
    Changed {
        primary: ObjectRef<P>,
        by_generation: bool,
    },
    Deleted(ObjectRef<P>),
}

impl<P: Resource<DynamicType = ()>> PrimaryEvent<P> {
    /// Whether this change is the echo of our own write of the primary (its status summary):
    /// only a change without a new generation can be. A spec change always wakes the primary,
    /// whoever's write returned its version.
    pub(crate) fn is_own_echo(&self, event: &Event<P>, expectations: &Expectations) -> bool {
        match (self, event) {
            (
                PrimaryEvent::Changed {
                    by_generation: false,
                    ..
                },
                Event::Apply(obj) | Event::InitApply(obj),
            ) => expectations.is_own_echo(obj),
            _ => false,
        }
    }
}

impl<P: Resource<DynamicType = ()>> Default for PrimaryPipeline<P> {
    fn default() -> Self {
        Self {
            last: HashMap::new(),
            relist: None,
        }
    }
}

impl<P: SecondaryAware> PrimaryPipeline<P> {
    pub(crate) fn on_event(&mut self, event: &Event<P>) -> Vec<PrimaryEvent<P>> {
        match event {
            Event::Init => {
                self.relist = Some(Relist {
                    listed: HashSet::new(),
                    due: Vec::new(),
                });
                Vec::new()
            }
            Event::Apply(obj) => self.applied(obj),
            Event::InitApply(obj) => {
                let events = self.applied(obj);
                match self.relist.as_mut() {
                    Some(relist) => {
                        relist.listed.insert(Name::of_obj(obj));
                        relist.due.extend(events);
                        Vec::new()
                    }
                    None => events,
                }
            }
            Event::Delete(obj) => {
                self.last.remove(&Name::of_obj(obj));
                vec![PrimaryEvent::Deleted(ObjectRef::from_obj(obj))]
            }
            Event::InitDone => {
                let Some(relist) = self.relist.take() else {
                    return Vec::new();
                };
                let gone: Vec<_> = self
                    .last
                    .keys()
                    .filter(|primary| !relist.listed.contains(*primary))
                    .cloned()
                    .collect();
                let mut events: Vec<_> = gone
                    .into_iter()
                    .map(|primary| {
                        self.last.remove(&primary);
                        PrimaryEvent::Deleted(primary.to_ref())
                    })
                    .collect();
                events.extend(relist.due);
                events
            }
        }
    }

    fn applied(&mut self, obj: &P) -> Vec<PrimaryEvent<P>> {
        let primary = ObjectRef::from_obj(obj);
        let meta = obj.meta();
        let now = LastSeen {
            uid: meta.uid.clone(),
            generation: meta.generation,
            resource_version: meta.resource_version.clone(),
        };
        let before = self.last.insert(Name::of_obj(obj), now.clone());
        let mut events = Vec::new();
        let by_generation = match before {
            Some(before) if before.uid != now.uid => {
                events.push(PrimaryEvent::Deleted(primary.clone()));
                true
            }
            Some(before) if now.generation.is_some() => before.generation != now.generation,
            Some(before) if before.resource_version == now.resource_version => return events,
            Some(_) => false,
            None => true,
        };
        if by_generation || now.generation.is_none() {
            events.push(PrimaryEvent::Changed {
                primary,
                by_generation,
            });
        }
        events
    }
}
