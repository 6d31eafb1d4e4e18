//! What is emitted beside errors: the cache struct and kind enum of every kind that could be read,
//! a `SecondaryAware` impl with unreachable bodies and the `Declares` impls of those kinds, so that
//! code using them (field reads, `match` on kinds, `Controller::new::<Database>`, `ctx.apply(...)`)
//! compiles and only the real mistakes are shown.

use proc_macro2::TokenStream;

use crate::expand;
use crate::model::{Kind, Stub};

/// The errors, then the stub.
pub fn expand(errors: darling::Error, stub: &Stub) -> TokenStream {
    let mut tokens = errors.write_errors();
    // A clash is already an error; the stub keeps the first of each name.
    let mut kinds: Vec<&Kind> = Vec::new();
    for kind in &stub.kinds {
        if !kinds
            .iter()
            .any(|earlier| earlier.field == kind.field || earlier.variant == kind.variant)
        {
            kinds.push(kind);
        }
    }
    tokens.extend(expand::types(&stub.items, &kinds));
    // Kinds left out above are still named, so their imports do not become "unused" warnings.
    tokens.extend(expand::mention(&stub.kinds));
    if stub.aware {
        // A type written twice is already an error; the stub declares the first.
        let mut declared: Vec<&Kind> = Vec::new();
        for kind in &stub.kinds {
            if !declared.iter().any(|earlier| earlier.ty == kind.ty) {
                declared.push(kind);
            }
        }
        tokens.extend(expand::unreachable_aware_impl(&stub.items, &declared));
    }
    tokens
}
