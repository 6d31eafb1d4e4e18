//! Children as data: a handler says which children it wants; the context makes them its
//! primary's, compares each with its cached copy, writes only what drifted, and records its own
//! writes so that their watch events do not wake the primary.

use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ManagedFieldsEntry;
use kube::api::{DeleteParams, Patch, PatchParams, Preconditions};
use kube::runtime::reflector::ObjectRef;
use kube::{Resource, ResourceExt};
use serde::Serialize;

use crate::aware::{Full, SecondaryAware, SecondaryOf};
use crate::cache::expectations::ObjectKey;
use crate::cache::name::Name;
use crate::children::matcher::DriftKind;
use crate::children::owner::{adopt, check_controller, controls};
use crate::children::stamp::{SET_LABEL, digest_of, stamp_digest, visible};
use crate::error::Error;
use crate::handler::context::Context;
use crate::handler::events::Did;
use crate::kinds::resource::SecondaryResource;
use crate::kinds::resource::api;
use crate::kinds::resource::display;

/// A background deletion of `child` on the condition that it is still the object it was cached as
/// (its uid), whatever changed in it since (a status heartbeat must not save it from a prune).
fn delete_params<K: Resource>(child: &K) -> DeleteParams {
    DeleteParams {
        preconditions: Some(Preconditions {
            uid: child.meta().uid.clone(),
            resource_version: None,
        }),
        ..DeleteParams::background()
    }
}

/// The reference of `obj` by namespace and name.
pub(crate) fn key<K: Resource<DynamicType = ()>>(obj: &K) -> ObjectRef<K> {
    let key = ObjectRef::new(&obj.name_any());
    match obj.namespace() {
        Some(namespace) => key.within(&namespace),
        None => key,
    }
}

impl<P: SecondaryAware> Context<P> {
    /// Makes `desired` a child of this run's primary and server-side applies it, unless its
    /// cached copy already matches; returns the child as cached or as written.
    ///
    /// - **Owner.** The primary becomes the child's controller (`controller: true`,
    ///   `blockOwnerDeletion: true`); the child goes into the primary's namespace unless it names
    ///   one, and the label or annotation of a kind declared with `map = ...` is set. A child that
    ///   another object controls is refused ([`Error::ControlledByAnother`]), as is one in
    ///   another namespace ([`Error::NotOwnable`]).
    /// - **Match.** The cached child, pruned to the fields this controller's
    ///   [field manager](crate::Controller::field_manager) owns through server-side apply, is
    ///   compared with `desired` ([`matcher`](crate::children::matcher)): a field it set that someone
    ///   changed or removed is drift; fields others own, and fields the server defaulted, are
    ///   not. A match costs no request. `#[secondary(Kind, drift = path)]` replaces the rule.
    /// - **Write.** Server-side apply as the field manager, forcing conflicts unless the
    ///   controller [fails on them](crate::Controller::fail_on_conflicts). Its watch event does
    ///   not wake the primary.
    ///
    /// The kind must be declared on `P` with `#[secondary(Kind)]` and cached in full, or the call
    /// does not compile.
    ///
    /// ```no_run
    /// # use std::sync::Arc;
    /// # use k8s_openapi::api::core::v1::ConfigMap;
    /// # use kube::CustomResource; use kube_secondary::SecondaryAware;
    /// # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
    /// # #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
    /// # #[kube(group = "demo.example.com", version = "v1", kind = "Database", namespaced)]
    /// #[secondary(ConfigMap)]
    /// # pub struct DatabaseSpec { settings: std::collections::BTreeMap<String, String> }
    /// use kube::api::ObjectMeta;
    /// use kube::ResourceExt;
    /// use kube_secondary::{Action, Context, Reconciler};
    ///
    /// struct Operator;
    ///
    /// impl Reconciler<Database> for Operator {
    ///     type Error = kube_secondary::Error;
    ///
    ///     async fn reconcile(
    ///         &self,
    ///         db: Arc<Database>,
    ///         _children: DatabaseSecondaries,
    ///         ctx: &Context<Database>,
    ///     ) -> Result<Action, Self::Error> {
    ///         ctx.apply(ConfigMap {
    ///             metadata: ObjectMeta { name: Some(db.name_any()), ..ObjectMeta::default() },
    ///             data: Some(db.spec.settings.clone()),
    ///             ..ConfigMap::default()
    ///         })
    ///         .await?;
    ///         Ok(Action::await_change())
    ///     }
    /// }
    /// ```
    pub async fn apply<K>(&self, desired: K) -> Result<Arc<K>, Error>
    where
        K: SecondaryOf<P, Full> + SecondaryResource + Serialize,
    {
        self.apply_member(desired, None).await
    }

    /// [`apply`](Self::apply), with the child labelled a member of `set` when it is one.
    pub(crate) async fn apply_member<K>(
        &self,
        desired: K,
        set: Option<&str>,
    ) -> Result<Arc<K>, Error>
    where
        K: SecondaryOf<P, Full> + SecondaryResource + Serialize,
    {
        let primary = self.primary();
        let cache = self
            .caches
            .kind::<P, K>()
            .expect("`K: SecondaryOf<P, Full>`");
        let mut desired = desired;
        let adopted = adopt(primary.as_ref(), &mut desired, &cache.mapping);
        self.refused(&desired, adopted)?;
        let labels = desired.labels_mut();
        match set {
            Some(set) => labels.insert(SET_LABEL.to_string(), set.to_string()),
            None => labels.remove(SET_LABEL),
        };
        if desired.labels().is_empty() {
            desired.meta_mut().labels = None;
        }
        visible(
            primary.as_ref(),
            &desired,
            cache.selector,
            cache.namespace.as_deref(),
        )?;
        let child = display(&desired);
        stamp_digest(&mut desired, &child)?;
        let manager = &*self.writes.field_manager;
        let cached = self.cached(cache.get(&key(&desired)), &desired);
        // What the Event of a repair says, recorded once the write succeeded (sent before it, the
        // Event would race the repair to the API server).
        let mut repaired = None;
        if let Some(cached) = &cached {
            self.refused(
                &desired,
                check_controller(primary.as_ref(), cached.meta(), &child),
            )?;
            let drift = match &cache.drift {
                Some(drifted) if digest_of(cached.as_ref()) == digest_of(&desired) => {
                    drifted(&desired, cached).then(|| (Did::Repaired, "its drift rule".into()))
                }
                _ => crate::children::matcher::drift_of(&desired, cached.as_ref(), manager).map(
                    |drift| {
                        let did = match drift.kind {
                            DriftKind::DesiredChanged => Did::Updated,
                            _ => Did::Repaired,
                        };
                        (did, drift.to_string())
                    },
                ),
            };
            let Some((did, drift)) = drift else {
                return Ok(cached.clone());
            };
            // An existing object nobody controlled becomes the primary's child.
            let did = match controls(primary.as_ref(), cached.meta()) {
                true => did,
                false => Did::Adopted,
            };
            tracing::info!(%child, %drift, "applying: drifted");
            repaired = Some((did, format!("{} {child}: {drift}", did.verb())));
        } else {
            tracing::info!(%child, "applying: not cached");
        }
        let api = api::<K>(self.client().clone(), desired.namespace().as_deref());
        let mut params = PatchParams::apply(manager);
        params.force = self.writes.force;
        let written = api
            .patch(&desired.name_any(), &params, &Patch::Apply(&desired))
            .await
            .map_err(|source| Error::Write {
                verb: "apply",
                child: child.clone(),
                source,
            })?;
        let mut written = written;
        if let Some((did, note)) = repaired {
            self.did(did, &desired, note);
        }
        if cached.is_none() {
            // Created now, or an existing object nobody controlled, now the primary's child.
            let ours = |entry: &ManagedFieldsEntry| entry.manager.as_deref() == Some(manager);
            let did = match written.managed_fields().iter().all(ours) {
                true => Did::Created,
                false => Did::Adopted,
            };
            self.did(did, &desired, format!("{} {child}", did.verb()));
        }
        self.writes.managed_fields.apply(&mut written);
        let written = Arc::new(written);
        // An apply that returned the very version it compared with changed nothing: that
        // version's events are someone else's and must still wake the primary.
        let compared = cached
            .as_ref()
            .and_then(|c| c.meta().resource_version.as_deref());
        if written.meta().resource_version.as_deref() != compared {
            self.record_written(&written);
        }
        Ok(written)
    }

    /// `result`, remembering a refusal of a name another object controls, so that the primary
    /// wakes when that name becomes free.
    pub(crate) fn refused<K: SecondaryResource>(
        &self,
        desired: &K,
        result: Result<(), Error>,
    ) -> Result<(), Error> {
        if let Err(Error::ControlledByAnother { .. }) = &result
            && let Some(key) = ObjectKey::of(desired)
        {
            let primary = Name::of_obj(self.primary().as_ref());
            self.expectations.waiting.wait(key, primary);
        }
        if let Err(error) = &result {
            self.did(Did::Refused, desired, crate::error::chain(error));
        }
        result
    }

    /// Records `did` to `child`, with `note`, on this run's primary (in the background).
    pub(crate) fn did<K: Resource<DynamicType = ()>>(&self, did: Did, child: &K, note: String) {
        let primary = self.primary();
        self.events
            .runtime(primary.as_ref(), did, note, Some(child.object_ref(&())));
    }

    /// The child as the cache holds it, or as this controller last wrote it when the cache has
    /// not caught up with that write yet.
    fn cached<K: SecondaryResource>(&self, stored: Option<Arc<K>>, desired: &K) -> Option<Arc<K>> {
        let key = ObjectKey::of(desired)?;
        let stored_version = stored
            .as_ref()
            .and_then(|s| s.meta().resource_version.clone());
        self.expectations
            .written::<K>(&key, stored_version.as_deref())
            .or(stored)
    }

    /// Deletes `child` if this run's primary controls it, on the condition that it is still the
    /// object (uid) it was cached as: one gone already, or replaced by another object of that
    /// name since, is left alone. A change to the same object (a status heartbeat) does not stop
    /// the deletion. The deletion's own watch event does not wake the primary.
    pub async fn delete<K>(&self, child: &K) -> Result<(), Error>
    where
        K: SecondaryOf<P, Full> + SecondaryResource,
    {
        self.delete_as(child, Did::Deleted).await
    }

    /// [`delete`](Self::delete), recorded on the primary as `did`.
    pub(crate) async fn delete_as<K>(&self, child: &K, did: Did) -> Result<(), Error>
    where
        K: SecondaryOf<P, Full> + SecondaryResource,
    {
        if !controls(self.primary().as_ref(), child.meta()) {
            return Ok(());
        }
        let params = delete_params(child);
        let api = api::<K>(self.client().clone(), child.namespace().as_deref());
        self.expectations.expect_deletion(child);
        let result = api.delete(&child.name_any(), &params).await;
        if result.is_err() {
            self.expectations.cancel_deletion(child);
        }
        match result {
            Ok(_) => {
                self.wrote_child();
                let name = display(child);
                tracing::info!(child = %name, "deleted");
                let why = if did == Did::Pruned {
                    ": no longer desired"
                } else {
                    ""
                };
                self.did(did, child, format!("{} {name}{why}", did.verb()));
                Ok(())
            }
            Err(kube::Error::Api(status)) if matches!(status.code, 404 | 409) => Ok(()),
            Err(source) => Err(Error::Write {
                verb: "delete",
                child: display(child),
                source,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::delete_params;
    use crate::testing::{child, primary};

    #[test]
    fn a_deletion_is_conditional_on_the_uid_alone() {
        let mut cached = child("book", &primary("shelf", "u1"), "41");
        cached.metadata.uid = Some("u-book".into());
        let preconditions = delete_params(&cached).preconditions.expect("preconditions");
        assert_eq!(preconditions.uid.as_deref(), Some("u-book"));
        assert_eq!(
            preconditions.resource_version, None,
            "a newer version of the same child is still deleted"
        );
    }
}
