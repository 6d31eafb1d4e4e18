//! Used by the code `#[derive(SecondaryAware)]` generates. Not public API: names here may change
//! in any release.

pub use crate::aware::{Children, Declare, Summarize};
pub use crate::aware::{Declares, Full, MetadataOnly, Options, SecondaryAware, SecondaryKind};
pub use crate::kinds::declaration::{Declaration, watch_full, watch_metadata};
pub use crate::kinds::resource::{ApiScope, SecondaryResource};
pub use kube::core::PartialObjectMeta;
pub use std::sync::Arc;
pub use std::time::Duration;
pub use std::vec::Vec;

/// The predicates `#[secondary(predicate = ...)]` names.
pub mod predicates {
    pub use crate::kinds::predicates::{annotations, generation, labels, resource_version};
}

pub use crate::kinds::checks::{
    CanOwn, DriftFn, PredicateFn, StatusSummary, StatusSummaryFeature, assert_can_own,
    assert_secondary_resource, assert_status_summary_feature, user_drift, user_predicate,
};
