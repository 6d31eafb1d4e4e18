//! Compile-time checks the derive's output calls, each spanned on the attribute it checks, so that
//! a mistake is one error at the attribute with the fix in its note.

use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope};
use kube::Resource;

use crate::kinds::resource::SecondaryResource;

/// Whether a primary with scope `Self` can own a child with scope `Child` through ownerReferences.
#[diagnostic::on_unimplemented(
    message = "a namespaced primary cannot own a cluster-scoped secondary",
    label = "this kind is cluster-scoped",
    note = "ownerReferences cannot point from a cluster-scoped object to a namespaced owner; make the primary cluster-scoped, or leave this kind out of `#[secondary(...)]`"
)]
pub trait CanOwn<Child> {}
impl CanOwn<NamespaceResourceScope> for NamespaceResourceScope {}
impl CanOwn<NamespaceResourceScope> for ClusterResourceScope {}
impl CanOwn<ClusterResourceScope> for ClusterResourceScope {}

/// Compile-time check that `P` can own `K`; the derive spans the call on the kind's type.
pub const fn assert_can_own<P: Resource, K: Resource>()
where
    P::Scope: CanOwn<K::Scope>,
{
}

/// Compile-time check that `K` can be a secondary kind; the derive spans the call on the type.
pub const fn assert_secondary_resource<K: SecondaryResource>() {}

/// A user function usable as `#[secondary(predicate = path)]` for cached objects of type `C`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a predicate for `{C}`",
    label = "expected a function `fn(&{C}) -> Option<u64>`",
    note = "a predicate returns a value (e.g. a hash) that changes when the object changed in a way that should wake the primary; with `metadata_only` the cache holds `PartialObjectMeta<K>`, so the function receives metadata only"
)]
pub trait PredicateFn<C>: Fn(&C) -> Option<u64> + Send + Sync + 'static {}
impl<C, F: Fn(&C) -> Option<u64> + Send + Sync + 'static> PredicateFn<C> for F {}

/// Checks a user predicate's signature; the derive spans the call on the user's path.
pub fn user_predicate<C, F: PredicateFn<C>>(predicate: F) -> F {
    predicate
}

/// A user function usable as `#[secondary(drift = path)]` for cached objects of type `C`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a drift rule for `{C}`",
    label = "expected a function `fn(&{C}, &{C}) -> bool`",
    note = "a drift rule gets the desired child and the cached one and returns whether the cached one needs a write"
)]
pub trait DriftFn<C>: Fn(&C, &C) -> bool + Send + Sync + 'static {}
impl<C, F: Fn(&C, &C) -> bool + Send + Sync + 'static> DriftFn<C> for F {}

/// Checks a user drift rule's signature; the derive spans the call on the user's path.
pub fn user_drift<C, F: DriftFn<C>>(drifted: F) -> F {
    drifted
}

/// The crate was built with the `status-summary` feature.
#[diagnostic::on_unimplemented(
    message = "`#[secondaries(status_summary)]` needs the `status-summary` feature of `kube-secondary`",
    label = "this option needs the `status-summary` feature",
    note = "enable it in Cargo.toml: `kube-secondary = {{ version = \"...\", features = [\"status-summary\"] }}`"
)]
pub trait StatusSummaryFeature {}

/// Implements [`StatusSummaryFeature`] only when the feature is on.
pub struct StatusSummary;

#[cfg(feature = "status-summary")]
impl StatusSummaryFeature for StatusSummary {}

/// Compile-time check that the `status-summary` feature is on; the derive spans the call on the
/// option.
pub const fn assert_status_summary_feature<F: StatusSummaryFeature>() {}
