//! The generated `status_summary`: one `add` per declared kind into the runtime's summary.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::{checks, respan};
use crate::model::{Items, Model};

/// `fn status_summary`: one `add` per declared kind into the runtime's summary; the feature check
/// is spanned on the `status_summary` option, each `add` on its kind.
pub(super) fn status_summary(model: &Model, span: proc_macro2::Span) -> TokenStream {
    let Items {
        krate, secondaries, ..
    } = &model.items;
    let checks = checks(model);
    let adds = model.kinds.iter().map(|kind| {
        let (ty, field) = (&kind.ty, &kind.field);
        if !kind.metadata_only() {
            return quote_spanned!(ty.span()=> #krate::__private::Summarize::add(summary, &secondaries.#field););
        }
        let call = quote_spanned!(ty.span()=> metadata::<#ty, S>(summary, &secondaries.#field););
        quote! {
            {
                fn metadata<K: #krate::__private::SecondaryResource, S: #krate::__private::Summarize>(
                    summary: &mut S,
                    children: &[::std::sync::Arc<#krate::__private::PartialObjectMeta<K>>],
                ) {
                    #krate::__private::Summarize::add(summary, children);
                }
                #call
            }
        }
    });
    // rustc points at the type argument, so the crate path in it takes the option's span too.
    let spanned_krate = respan(quote!(#krate), span);
    let start = quote_spanned! {span=>
        #krate::__private::assert_status_summary_feature::<#spanned_krate::__private::StatusSummary>();
    };
    quote! {
        fn status_summary<S: #krate::__private::Summarize>(
            primary: &Self,
            secondaries: &#secondaries,
            summary: &mut S,
        ) {
            #start
            let _ = primary;
            #checks
            #(#adds)*
        }
    }
}
