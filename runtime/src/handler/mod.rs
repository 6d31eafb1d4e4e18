//! What a handler sees and says: the `Reconciler` trait, the `Context` of a run, the changes that
//! woke it, the primary's conditions, status, finalizer and Events (`events`, sent by `recorder`), and how the context writes
//! (`writes`). It uses the caches, the kinds and the metrics; the children's writes (`children`)
//! and the dispatch build on it.

pub(crate) mod changes;
pub mod condition;
pub(crate) mod context;
pub(crate) mod events;
pub(crate) mod finalizer;
pub(crate) mod reconciler;
pub(crate) mod recorder;
pub(crate) mod status;
pub(crate) mod writes;
