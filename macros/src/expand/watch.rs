//! The generated `declare`: one watch per kind, with its options.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::model::{Form, Items, Kind, Mapping, Model, Predicate};

/// The declaration of one kind: its checks, spanned on its type, then a function generic in the
/// kind that adds its watch with every option. The options are checked once, for any secondary
/// resource, so a kind that is not a resource is reported once, by `assert_secondary_resource`,
/// and not again by each option.
pub(super) fn watch(model: &Model, kind: &Kind) -> TokenStream {
    let Items {
        krate, kind_enum, ..
    } = &model.items;
    let (ty, variant) = (&kind.ty, &kind.variant);
    let (cached, generic) = (cached_type(krate, kind), generic_cached_type(krate, kind));
    let constructor = if kind.metadata_only() {
        quote!(watch_metadata)
    } else {
        quote!(watch_full)
    };
    // A user predicate is passed in as a fn pointer of the kind's own cached type: a wrong
    // signature is one "mismatched types" error on the user's path, and nothing downstream fails
    // with it.
    let mut params = Vec::new();
    let mut args = Vec::new();
    let predicates: Vec<_> = kind
        .predicates
        .iter()
        .map(|predicate| match predicate {
            Predicate::Builtin(name) => quote!(.predicate(#krate::__private::predicates::#name)),
            Predicate::User(path) => {
                let param = quote::format_ident!("predicate_{}", params.len());
                params.push(quote!(#param: fn(&#generic) -> ::core::option::Option<u64>));
                args.push(quote_spanned! {path.span()=>
                    #krate::__private::user_predicate::<#cached, fn(&#cached) -> ::core::option::Option<u64>>(#path)
                });
                quote!(.predicate(#param))
            }
        })
        .collect();
    let mapping = match &kind.mapping {
        Mapping::Owner => None,
        Mapping::Label(key) => Some(quote!(.map_label(#key))),
        Mapping::Annotation(key) => Some(quote!(.map_annotation(#key))),
    };
    let selector = kind
        .selector
        .as_ref()
        .map(|selector| quote!(.selector(#selector)));
    // A drift rule is passed in the same way, as `fn(&K, &K) -> bool`.
    let drift = match &kind.form {
        Form::Full { drift: Some(path) } => {
            params.push(quote!(drift: fn(&K, &K) -> bool));
            args.push(quote_spanned! {path.span()=>
                #krate::__private::user_drift::<#ty, fn(&#ty, &#ty) -> bool>(#path)
            });
            Some(quote!(.drift(drift)))
        }
        Form::Full { drift: None } | Form::MetadataOnly => None,
    };
    let checks = quote_spanned! {ty.span()=>
        #krate::__private::assert_secondary_resource::<#ty>();
        #krate::__private::assert_can_own::<Self, #ty>();
    };
    let call =
        quote_spanned!(ty.span()=> add::<Self, #ty, D>(set, #kind_enum::#variant #(, #args)*););
    quote! {
        #checks
        {
            fn add<
                P: #krate::__private::SecondaryAware,
                K: #krate::__private::SecondaryResource,
                D: #krate::__private::Declare<P>,
            >(
                set: &mut D,
                kind: P::Kind,
                #(#params,)*
            ) {
                #krate::__private::Declare::add(
                    set,
                    kind,
                    #krate::__private::#constructor::<K>()
                        #(#predicates)* #mapping #selector #drift,
                );
            }
            #call
        }
    }
}

/// The cached type of a kind: the object, or only its metadata.
pub(super) fn cached_type(krate: &syn::Path, kind: &Kind) -> TokenStream {
    let ty = &kind.ty;
    if kind.metadata_only() {
        quote!(#krate::__private::PartialObjectMeta<#ty>)
    } else {
        quote!(#ty)
    }
}

/// The cached type of a kind inside a function generic in it, `K`.
fn generic_cached_type(krate: &syn::Path, kind: &Kind) -> TokenStream {
    if kind.metadata_only() {
        quote!(#krate::__private::PartialObjectMeta<K>)
    } else {
        quote!(K)
    }
}
