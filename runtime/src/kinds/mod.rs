//! What a secondary kind is and how a primary declares it: a resource's scope, name and owner
//! mapping (`resource`), the declaration of one kind (`declaration`: predicate, mapping, selector,
//! drift rule), the predicates and the label selectors. Plain data and functions of kube's
//! `Resource`; it uses nothing else of the runtime, and everything else builds on it.

pub(crate) mod checks;
pub(crate) mod declaration;
pub mod predicates;
pub(crate) mod resource;
pub(crate) mod selector;
