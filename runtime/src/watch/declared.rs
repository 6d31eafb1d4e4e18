//! One declared secondary kind: how it is watched, filtered and mapped to its primary.

use crate::aware::SecondaryAware;
use crate::kinds::declaration::Declaration;

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
