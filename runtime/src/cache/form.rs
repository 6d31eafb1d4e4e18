//! What the caches keep of an object: the `metadata.managedFields` entries of this controller's
//! field manager (each field set as its JSON text), all of them as served, or none (the primaries'
//! cache).

use std::sync::Arc;

use kube::Resource;
use serde_json::Value;

/// Which `metadata.managedFields` entries the caches keep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ManagedFields {
    /// Only the entries of this field manager, what the apply matcher and the default predicate
    /// read, each field set kept as its JSON text: a Deployment's field set is about 20 KiB as a
    /// tree of maps and 2 KiB as text.
    Own(Arc<str>),
    /// Every entry.
    All,
    /// None: the primaries' cache, which no matcher reads.
    Nothing,
}

impl ManagedFields {
    /// Every entry when `all`, else only `manager`'s.
    pub(crate) fn kept(all: bool, manager: &Arc<str>) -> Self {
        match all {
            true => ManagedFields::All,
            false => ManagedFields::Own(manager.clone()),
        }
    }

    /// The form of the primaries' cache: nothing, unless every entry is kept.
    pub(crate) fn for_primary(&self) -> Self {
        match self {
            ManagedFields::All => ManagedFields::All,
            ManagedFields::Own(_) | ManagedFields::Nothing => ManagedFields::Nothing,
        }
    }

    /// Drops the entries of `obj` this form does not keep.
    pub(crate) fn apply<K: Resource>(&self, obj: &mut K) {
        let entries = &mut obj.meta_mut().managed_fields;
        match self {
            ManagedFields::All => {}
            ManagedFields::Nothing => *entries = None,
            ManagedFields::Own(manager) => {
                if let Some(list) = entries.as_mut() {
                    list.retain(|entry| entry.manager.as_deref() == Some(manager));
                    list.iter_mut()
                        .filter_map(|entry| entry.fields_v1.as_mut())
                        .for_each(|fields| compact(&mut fields.0));
                    if list.is_empty() {
                        *entries = None;
                    } else {
                        list.shrink_to_fit();
                    }
                }
            }
        }
    }
}

/// A field set as its JSON text; text stays as it is.
fn compact(fields: &mut Value) {
    if !fields.is_string() {
        *fields = Value::String(fields.to_string());
    }
}

/// What the watch does to an object before it is cached: drops the `metadata.managedFields`
/// entries of other managers unless told to keep them all.
pub(crate) fn cache_form<K: Resource>(managed_fields: ManagedFields) -> impl FnMut(&mut K) {
    move |obj| managed_fields.apply(obj)
}
