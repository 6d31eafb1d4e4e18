//! What the controller holds in memory: the typed caches of each declared kind with their owner
//! index (`caches`, `index`), the expectations of its own writes (`expectations`, the echoes to swallow and
//! the objects written that the caches do not show yet), the names refused because another object
//! controls them (`waiting`), the form objects are kept in (`form`: which managedFields entries;
//! `packed`: the children as JSON text), the key maps keep objects by (`name`) and the lists most
//! objects have one or a few items in (`short`). It uses the
//! primary's trait and the kinds, nothing above.

pub(crate) mod caches;
pub(crate) mod expectations;
pub(crate) mod form;
pub(crate) mod index;
pub(crate) mod name;
pub(crate) mod packed;
pub(crate) mod short;
pub(crate) mod waiting;
