//! Generates the typed cache struct, the kind enum and the `SecondaryAware` impl.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::model::{Items, Kind, Model};

mod summary;
mod watch;
use summary::status_summary;
use watch::{cached_type, watch};

/// The whole expansion for a valid declaration.
pub fn expand(model: &Model) -> TokenStream {
    let types = types(&model.items, &model.kinds.iter().collect::<Vec<_>>());
    let aware = aware_impl(model);
    let declares = declares(&model.items, &model.kinds.iter().collect::<Vec<_>>());
    quote! {
        #types
        const _: () = {
            #aware
            #declares
        };
    }
}

/// The cache struct and the kind enum with its impls, for `kinds`. Also used by the fallback.
pub fn types(items: &Items, kinds: &[&Kind]) -> TokenStream {
    let Items {
        primary,
        vis,
        krate,
        secondaries,
        kind_enum,
    } = items;
    let struct_doc = format!(" The children of one [`{primary}`], read from the watch caches.");
    let enum_doc = format!(" The secondary kinds of [`{primary}`].");
    let fields = kinds.iter().map(|kind| {
        let (field, cached) = (&kind.field, cached_type(krate, kind));
        let doc = format!(" `{}` children.", kind.type_name());
        quote!(#[doc = #doc] #vis #field: ::std::vec::Vec<::std::sync::Arc<#cached>>)
    });
    let variants: Vec<_> = kinds.iter().map(|kind| &kind.variant).collect();
    let variant_docs = kinds
        .iter()
        .map(|kind| format!(" `{}` children.", kind.type_name()));
    let names = variants.iter().map(|variant| variant.to_string());
    quote! {
        #[doc = #struct_doc]
        #[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::default::Default)]
        #vis struct #secondaries {
            #(#fields,)*
        }

        #[doc = #enum_doc]
        #[derive(
            ::core::clone::Clone, ::core::marker::Copy, ::core::fmt::Debug, ::core::cmp::PartialEq, ::core::cmp::Eq,
            ::core::hash::Hash, ::core::cmp::PartialOrd, ::core::cmp::Ord
        )]
        #vis enum #kind_enum {
            #(#[doc = #variant_docs] #variants,)*
        }

        const _: () = {
            // Inherent, so that `ALL` and `name` need no trait in scope; the trait impl below
            // forwards to them.
            #[automatically_derived]
            impl #kind_enum {
                /// Every declared kind, in declaration order.
                pub const ALL: &'static [Self] = &[#(Self::#variants),*];

                /// The kind's name, used in metrics: the variant's name.
                pub const fn name(self) -> &'static str {
                    match self {
                        #(Self::#variants => #names,)*
                    }
                }
            }

            #[automatically_derived]
            impl ::core::fmt::Display for #kind_enum {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.write_str(#kind_enum::name(*self))
                }
            }

            #[automatically_derived]
            impl #krate::__private::SecondaryKind for #kind_enum {
                const ALL: &'static [Self] = #kind_enum::ALL;

                fn name(self) -> &'static str {
                    #kind_enum::name(self)
                }
            }
        };
    }
}

/// `impl Declares<Kind, Full> for Database` (or `MetadataOnly`) per kind, spanned on the kind's
/// type: what lets `Context::apply` and `Context::create_if_absent` accept a `Kind`. A kind's
/// cache is found by its cached type, so each type is declared once per form; the derive rejects a
/// type written twice, and one type written two ways (`Deployment` and `apps::v1::Deployment`,
/// with `field = ...`) is a conflicting implementation, at the second type.
fn declares(items: &Items, kinds: &[&Kind]) -> TokenStream {
    let Items { primary, krate, .. } = items;
    kinds
        .iter()
        .map(|kind| {
            let ty = &kind.ty;
            let form = if kind.metadata_only() {
                quote!(MetadataOnly)
            } else {
                quote!(Full)
            };
            // rustc points at the impl header, from `impl` to the primary: all on the kind.
            let primary = respan(quote!(#primary), ty.span());
            quote_spanned! {ty.span()=>
                #[automatically_derived]
                impl #krate::__private::Declares<#ty, #krate::__private::#form> for #primary {}
            }
        })
        .collect()
}

/// `impl SecondaryAware for Database` around `body`: the one header of the expansion and the
/// fallback's stub.
fn aware_impl_with(items: &Items, body: TokenStream) -> TokenStream {
    let Items {
        primary,
        krate,
        secondaries,
        kind_enum,
        ..
    } = items;
    quote! {
        #[automatically_derived]
        impl #krate::__private::SecondaryAware for #primary {
            type Secondaries = #secondaries;
            type Kind = #kind_enum;

            #body
        }
    }
}

/// `impl SecondaryAware for Database`.
fn aware_impl(model: &Model) -> TokenStream {
    let Items {
        krate, secondaries, ..
    } = &model.items;
    let resync = match model.resync {
        Some(resync) => duration(resync),
        None => quote!(#krate::__private::Options::DEFAULT_RESYNC),
    };
    let periodic = match model.periodic {
        Some(periodic) => {
            let periodic = duration(periodic);
            quote!(::core::option::Option::Some(#periodic))
        }
        None => quote!(::core::option::Option::None),
    };
    let watches = model.kinds.iter().map(|kind| watch(model, kind));
    let checks = checks(model);
    let children = model.kinds.iter().map(|kind| children(krate, kind));
    let status_summary = model.status_summary.map(|span| status_summary(model, span));
    let with_status_summary = status_summary
        .is_some()
        .then(|| quote!(.with_status_summary()));
    aware_impl_with(
        &model.items,
        quote! {
            fn options() -> #krate::__private::Options {
                #krate::__private::Options::new(#resync, #periodic) #with_status_summary
            }

            fn declare<D: #krate::__private::Declare<Self>>(set: &mut D) {
                #(#watches)*
            }

            fn secondaries<C: #krate::__private::Children>(caches: &C, primary: &Self) -> #secondaries {
                #checks
                #secondaries {
                    #(#children,)*
                }
            }

            #status_summary
        },
    )
}

/// The fallback's impls: `SecondaryAware` with unreachable bodies, and `Declares` for `kinds`, so
/// that code naming the primary's `SecondaryAware` impl or writing its children compiles beside
/// the errors.
pub fn unreachable_aware_impl(items: &Items, kinds: &[&Kind]) -> TokenStream {
    let Items {
        krate, secondaries, ..
    } = items;
    let body = quote! {
        fn options() -> #krate::__private::Options {
            ::core::unreachable!()
        }

        fn declare<D: #krate::__private::Declare<Self>>(_: &mut D) {
            ::core::unreachable!()
        }

        fn secondaries<C: #krate::__private::Children>(_: &C, _: &Self) -> #secondaries {
            ::core::unreachable!()
        }
    };
    let aware = aware_impl_with(items, body);
    let declares = declares(items, kinds);
    quote! {
        const _: () = {
            #aware
            #declares
        };
    }
}

/// Names every kind's type, so that the imports of kinds the fallback leaves out are used.
pub fn mention(kinds: &[Kind]) -> TokenStream {
    let types = kinds.iter().map(|kind| &kind.ty);
    quote! {
        const _: ::core::marker::PhantomData<(#(#types,)*)> = ::core::marker::PhantomData;
    }
}

/// `assert_secondary_resource` of every kind, spanned on its type, first in each body that names
/// the kinds. Every other use of a kind in that body is spanned on the same token and needs no
/// more than that check implies, or goes through a function generic in the kind: rustc then
/// reports a kind that is not a resource once, instead of once per use (a second error with the
/// same span and a predicate the first one implies is not shown).
pub(super) fn checks(model: &Model) -> TokenStream {
    let krate = &model.items.krate;
    model
        .kinds
        .iter()
        .map(|kind| {
            let ty = &kind.ty;
            quote_spanned!(ty.span()=> #krate::__private::assert_secondary_resource::<#ty>();)
        })
        .collect()
}

/// One field of the cache struct in `fn secondaries`: the kind's cache, found by its cached
/// type (a kind is declared once). `PartialObjectMeta<Kind>` is named only in a function generic
/// in the kind, so that a kind that is not a resource is not reported again as a
/// `PartialObjectMeta` that is not one.
fn children(krate: &syn::Path, kind: &Kind) -> TokenStream {
    let (ty, field) = (&kind.ty, &kind.field);
    if !kind.metadata_only() {
        return quote_spanned!(ty.span()=> #field: #krate::__private::Children::of::<Self, #ty>(caches, primary));
    }
    let call = quote_spanned!(ty.span()=> metadata::<Self, #ty, C>(caches, primary));
    quote! {
        #field: {
            fn metadata<
                P: #krate::__private::SecondaryAware,
                K: #krate::__private::SecondaryResource,
                C: #krate::__private::Children,
            >(
                caches: &C,
                primary: &P,
            ) -> ::std::vec::Vec<::std::sync::Arc<#krate::__private::PartialObjectMeta<K>>> {
                #krate::__private::Children::of::<P, #krate::__private::PartialObjectMeta<K>>(caches, primary)
            }
            #call
        }
    }
}

fn duration(duration: std::time::Duration) -> TokenStream {
    if duration.subsec_millis() == 0 {
        let secs = duration.as_secs();
        quote!(::core::time::Duration::from_secs(#secs))
    } else {
        let millis = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        quote!(::core::time::Duration::from_millis(#millis))
    }
}

/// `tokens` with every span set to `span`.
pub(super) fn respan(tokens: TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let proc_macro2::TokenTree::Group(group) = &token {
                let mut respanned =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                respanned.set_span(span);
                token = respanned.into();
            }
            token.set_span(span);
            token
        })
        .collect()
}

#[cfg(test)]
#[path = "expand_tests.rs"]
mod tests;
