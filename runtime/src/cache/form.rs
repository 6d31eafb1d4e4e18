//! What the caches keep of an object: the `metadata.managedFields` entries of this controller's
//! field manager, all of them, or none (the primaries' cache).

use std::sync::Arc;

use kube::Resource;

/// Which `metadata.managedFields` entries the caches keep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ManagedFields {
    /// Only the entries of this field manager: what the apply matcher reads.
    Own(Arc<str>),
    /// Every entry.
    All,
    /// None: the primaries' cache, which no matcher reads.
    Nothing,
}

impl ManagedFields {
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
                    if list.is_empty() {
                        *entries = None;
                    }
                }
            }
        }
    }
}

/// What the watch does to an object before it is cached: drops the `metadata.managedFields`
/// entries of other managers unless told to keep them all.
pub(crate) fn cache_form<K: Resource>(managed_fields: ManagedFields) -> impl FnMut(&mut K) {
    move |obj| managed_fields.apply(obj)
}
