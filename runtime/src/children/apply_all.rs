//! Children applied as a set: [`Context::apply_all`] applies each and prunes the members of the
//! set the primary no longer wants.

use std::collections::HashSet;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use kube::ResourceExt;
use kube::runtime::reflector::ObjectRef;
use serde::Serialize;

use crate::aware::{Full, SecondaryAware, SecondaryOf};
use crate::children::apply::key;
use crate::children::owner::controls;
use crate::children::stamp::{DEFAULT_SET, SET_LABEL};
use crate::error::Error;
use crate::handler::context::Context;
use crate::handler::events::Did;
use crate::kinds::resource::{SecondaryResource, display};

impl<P: SecondaryAware> Context<P> {
    /// Applies every child of `desired` as the members of one set ([`apply`](Self::apply),
    /// plus the label `kube-secondary.dev/set: default`), then prunes: deletes each child of kind
    /// `K` that the primary controls, that carries that label, and that `desired` no longer names
    /// (the spec shrank, a feature was turned off). Only members of the set are pruned: children
    /// made with [`apply`](Self::apply) or [`create_if_absent`](Self::create_if_absent), or by
    /// another set ([`apply_all_in`](Self::apply_all_in)), never are, nor children the primary
    /// does not control. A child this controller wrote that the cache does not show yet is a
    /// candidate too. Each prune is logged at `info` ("pruning …"); with
    /// [`Controller::dry_run_prune`](crate::Controller::dry_run_prune) only logged ("would prune …").
    ///
    /// `desired` is collected before the first request, and the returned future does not name
    /// its type, so a lazy iterator borrowing the primary (`db.spec.books.iter().map(|b| …)`)
    /// keeps the handler's future `Send`.
    pub fn apply_all<K>(
        &self,
        desired: impl IntoIterator<Item = K>,
    ) -> BoxFuture<'_, Result<Vec<Arc<K>>, Error>>
    where
        K: SecondaryOf<P, Full> + SecondaryResource + Serialize,
    {
        self.apply_all_in(DEFAULT_SET, desired)
    }

    /// [`apply_all`](Self::apply_all) for the set named `set` (a label value: up to 63
    /// alphanumerics, `-`, `_` or `.`), for a primary with several sets of one kind (TLS Secrets
    /// and user Secrets, say): each prunes only its own members.
    pub fn apply_all_in<K>(
        &self,
        set: &str,
        desired: impl IntoIterator<Item = K>,
    ) -> BoxFuture<'_, Result<Vec<Arc<K>>, Error>>
    where
        K: SecondaryOf<P, Full> + SecondaryResource + Serialize,
    {
        let desired: Vec<K> = desired.into_iter().collect();
        self.apply_set(set.to_string(), desired).boxed()
    }

    async fn apply_set<K>(&self, set: String, desired: Vec<K>) -> Result<Vec<Arc<K>>, Error>
    where
        K: SecondaryOf<P, Full> + SecondaryResource + Serialize,
    {
        let mut applied = Vec::new();
        for child in desired {
            applied.push(self.apply_member(child, Some(&set)).await?);
        }
        let wanted: HashSet<ObjectRef<K>> = applied.iter().map(|c| key(c.as_ref())).collect();
        let primary = self.primary();
        let cache = self
            .caches
            .kind::<P, K>()
            .expect("`K: SecondaryOf<P, Full>`");
        for child in cache.children(primary) {
            let member = child.labels().get(SET_LABEL) == Some(&set);
            if member
                && !wanted.contains(&key(child.as_ref()))
                && controls(primary.as_ref(), child.meta())
            {
                let (name, primary) = (display(child.as_ref()), display(primary.as_ref()));
                if self.writes.prune_dry_run {
                    tracing::info!(child = %name, %primary, %set, "would prune: no longer desired (dry run)");
                } else {
                    tracing::info!(child = %name, %primary, %set, "pruning: no longer desired");
                    self.delete_as(child.as_ref(), Did::Pruned).await?;
                }
            }
        }
        Ok(applied)
    }
}
