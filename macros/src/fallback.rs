//! A stub emitted beside errors so that code using the generated items does not fail too.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// An empty cache struct and kind enum, so uses of them resolve while the errors are fixed.
pub fn stub(primary: &syn::Ident, vis: &syn::Visibility) -> TokenStream {
    let secondaries = format_ident!("{}Secondaries", primary);
    let kind = format_ident!("{}SecondaryKind", primary);
    quote! {
        #[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::default::Default)]
        #vis struct #secondaries {}

        #[derive(::core::clone::Clone, ::core::marker::Copy, ::core::fmt::Debug, ::core::cmp::PartialEq, ::core::cmp::Eq, ::core::hash::Hash, ::core::cmp::PartialOrd, ::core::cmp::Ord)]
        #vis enum #kind {}
    }
}
