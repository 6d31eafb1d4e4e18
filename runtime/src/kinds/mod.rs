//! What a secondary kind is and how a primary declares it: a resource's scope, name and owner
//! mapping (`resource`), the declaration of one kind (`declaration`: predicate, mapping, selector,
//! drift rule), how its watch lists first (`initial`), the predicates and the label selectors.
//! Plain data and functions of kube's `Resource`; it uses nothing else of the runtime but its
//! error chain, and everything else builds on it.

pub(crate) mod checks;
pub(crate) mod declaration;
pub(crate) mod initial;
pub mod predicates;
pub(crate) mod resource;
pub(crate) mod selector;
