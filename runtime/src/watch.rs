//! One declared secondary kind: how it is watched, filtered and mapped to its primary.

use std::fmt::Debug;
use std::sync::Arc;

use kube::core::ApiResource;
use kube::{Api, Client, Resource, ResourceExt};

use crate::aware::SecondaryAware;
use crate::declaration::Declaration;
use crate::resource::is_namespaced;

/// An untyped [`Api`] for the primary `primary`'s own kind, in its namespace: for patches of its
/// status whose result is read as JSON.
pub(crate) fn dynamic_api<P: SecondaryAware>(
    client: &Client,
    primary: &P,
) -> Api<kube::api::DynamicObject> {
    let resource = ApiResource::erase::<P>(&());
    match primary.meta().namespace.as_deref() {
        Some(namespace) if is_namespaced::<P>() => {
            Api::namespaced_with(client.clone(), namespace, &resource)
        }
        _ => Api::all_with(client.clone(), &resource),
    }
}

/// The declaration of one secondary kind `C` of primary `P`: which of `P`'s kinds it is, and how
/// it is watched.
pub struct Watch<C, P: SecondaryAware> {
    pub(crate) kind: P::Kind,
    pub(crate) declared: Declaration<C>,
}

impl<C, P: SecondaryAware> std::ops::Deref for Watch<C, P> {
    type Target = Declaration<C>;

    fn deref(&self) -> &Declaration<C> {
        &self.declared
    }
}

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

/// The name of the object as a short reference for logs and change reports.
pub(crate) fn describe<K: Resource>(obj: &K) -> (Option<String>, String) {
    (obj.namespace(), obj.name_any())
}
