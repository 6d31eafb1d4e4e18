//! Children made once and never read again: [`Context::create_if_absent`].

use std::sync::Arc;

use kube::ResourceExt;
use kube::api::PostParams;
use kube::core::PartialObjectMeta;
use kube::runtime::reflector::ObjectRef;
use serde::Serialize;

use crate::aware::{SecondaryAware, SecondaryOf};
use crate::cache::expectations::ObjectKey;
use crate::children::owner::{adopt, check_controller};
use crate::error::Error;
use crate::handler::context::Context;
use crate::handler::events::Did;
use crate::kinds::resource::SecondaryResource;
use crate::kinds::resource::display;
use crate::kinds::resource::{Mapping, api};

impl<P: SecondaryAware> Context<P> {
    /// Creates `desired` as a child of this run's primary (see [`apply`](Self::apply) for what
    /// that sets) unless an object of that name is cached or exists; never reads or overwrites
    /// an existing one. For children whose content must not change once made, such as a
    /// generated password in a Secret declared `metadata_only`. Returns whether it created it.
    ///
    /// Refuses ([`Error::ControlledByAnother`]) when the existing object is another's child.
    pub async fn create_if_absent<K, F>(&self, desired: K) -> Result<bool, Error>
    where
        K: SecondaryOf<P, F> + SecondaryResource + Serialize,
    {
        let primary = self.primary();
        let (mapping, existing) = self.cached_meta::<K>(&desired);
        let mut desired = desired;
        let adopted = adopt(primary.as_ref(), &mut desired, &mapping);
        self.refused(&desired, adopted)?;
        let child = display(&desired);
        if let Some(existing) = existing {
            self.refused(
                &desired,
                check_controller(primary.as_ref(), &existing, &child),
            )?;
            return Ok(false);
        }
        // Created by an earlier run whose write the cache does not show yet.
        let key = ObjectKey::of(&desired);
        if key.is_some_and(|key| self.expectations.written::<K>(&key, None).is_some()) {
            return Ok(false);
        }
        let params = PostParams {
            field_manager: Some(self.writes.field_manager.to_string()),
            ..PostParams::default()
        };
        let api = api::<K>(self.client().clone(), desired.namespace().as_deref());
        let error = match api.create(&params, &desired).await {
            Ok(mut created) => {
                tracing::info!(%child, "created");
                self.did(Did::Created, &desired, format!("created {child}"));
                self.writes.managed_fields.apply(&mut created);
                self.record_written(&Arc::new(created));
                return Ok(true);
            }
            Err(error) => error,
        };
        let write_error = |source| Error::Write {
            verb: "create",
            child: child.clone(),
            source,
        };
        if !matches!(&error, kube::Error::Api(status) if status.code == 409) {
            return Err(write_error(error));
        }
        // It exists, unseen by the cache: ours (an earlier run's), or someone else's.
        let existing = api
            .get_metadata_opt(&desired.name_any())
            .await
            .map_err(write_error)?;
        if let Some(existing) = existing {
            self.refused(
                &desired,
                check_controller(primary.as_ref(), &existing.metadata, &child),
            )?;
        }
        Ok(false)
    }

    /// The declared mapping of `K` (cached whole or as metadata) and the cached metadata of the
    /// object `desired` names.
    fn cached_meta<K: SecondaryResource>(
        &self,
        desired: &K,
    ) -> (Mapping, Option<kube::api::ObjectMeta>) {
        let namespace = desired.namespace().or_else(|| self.primary().namespace());
        let name = desired.name_any();
        if let Some(cache) = self.caches.kind::<P, K>() {
            let mut at = ObjectRef::<K>::new(&name);
            at.namespace = namespace;
            let meta = cache.get(&at).map(|obj| obj.meta().clone());
            return (cache.mapping.clone(), meta);
        }
        let cache = self
            .caches
            .kind::<P, PartialObjectMeta<K>>()
            .expect("`K: SecondaryOf<P, _>`");
        let mut at = ObjectRef::<PartialObjectMeta<K>>::new(&name);
        at.namespace = namespace;
        let meta = cache.get(&at).map(|obj| obj.metadata.clone());
        (cache.mapping.clone(), meta)
    }
}
