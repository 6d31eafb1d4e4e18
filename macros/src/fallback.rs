//! What is emitted beside errors: the cache struct and kind enum of every kind that could be read,
//! and a `SecondaryAware` impl with unreachable bodies, so that code using them (field reads,
//! `match` on kinds, `Controller::new::<Database>`) compiles and only the real mistakes are shown.

use proc_macro2::TokenStream;
use quote::quote;

use crate::expand;
use crate::model::Model;

/// The errors, then the stub.
pub fn expand(model: &Model, errors: darling::Error) -> TokenStream {
    let mut tokens = errors.write_errors();
    // A clash is already an error; the stub keeps the first of each name.
    let mut kinds = Vec::new();
    for kind in &model.kinds {
        if !kinds.iter().any(|earlier: &&crate::model::Kind| {
            earlier.field == kind.field || earlier.variant == kind.variant
        }) {
            kinds.push(kind);
        }
    }
    tokens.extend(expand::types(model, &kinds));
    // Kinds left out above are still named, so their imports do not become "unused" warnings.
    let types = model.kinds.iter().map(|kind| &kind.ty);
    tokens.extend(quote! {
        const _: ::core::marker::PhantomData<(#(#types,)*)> = ::core::marker::PhantomData;
    });
    // A type of the wrong shape cannot be a primary; a missing primary is kube's error.
    if let (Some(primary), true) = (&model.primary, model.supported_shape) {
        let Model {
            krate,
            secondaries,
            kind_enum,
            ..
        } = model;
        tokens.extend(quote! {
            const _: () = {
                #[automatically_derived]
                impl #krate::__private::SecondaryAware for #primary {
                    type Secondaries = #secondaries;
                    type Kind = #kind_enum;

                    fn options() -> #krate::__private::Options {
                        ::core::unreachable!()
                    }

                    fn declare(_: &mut #krate::__private::WatchSet<Self>) {
                        ::core::unreachable!()
                    }

                    fn secondaries(_: &#krate::__private::Caches, _: &Self) -> #secondaries {
                        ::core::unreachable!()
                    }
                }
            };
        });
    }
    tokens
}
