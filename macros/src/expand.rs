//! Generates the typed cache struct, the kind enum and the `SecondaryAware` impl.

use darling::FromDeriveInput;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::attrs::Input;
use crate::model::{Kind, Mapping, Model, Predicate};
use crate::{fallback, validate};

/// The derive: parse, validate, expand; on errors, the errors plus a stub.
pub fn derive(input: TokenStream) -> TokenStream {
    let input = match syn::parse2::<syn::DeriveInput>(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let parsed = match Input::from_derive_input(&input) {
        Ok(parsed) => parsed,
        Err(error) => return error.write_errors(),
    };
    match validate::model(&parsed) {
        Ok(model) => expand(&model),
        Err(error) => {
            let stub = validate::primary(&parsed).map(|primary| fallback::stub(&primary, &parsed.vis)).unwrap_or_default();
            let errors = error.write_errors();
            quote! { #errors #stub }
        }
    }
}

/// The cached type of a kind: the object, or only its metadata.
fn cached_type(krate: &syn::Path, kind: &Kind) -> TokenStream {
    let ty = &kind.ty;
    if kind.metadata_only { quote!(#krate::__private::PartialObjectMeta<#ty>) } else { quote!(#ty) }
}

fn watch(model: &Model, kind: &Kind) -> TokenStream {
    let krate = &model.krate;
    let (ty, variant, kind_enum) = (&kind.ty, &kind.variant, model.kind_ident());
    let cached = cached_type(krate, kind);
    let constructor = if kind.metadata_only { quote!(watch_metadata) } else { quote!(watch_full) };
    let checks = quote_spanned! {ty.span()=>
        #krate::__private::assert_secondary_resource::<#ty>();
        #krate::__private::assert_can_own::<Self, #ty>();
    };
    let predicates = kind.predicates.iter().map(|predicate| match predicate {
        Predicate::Builtin(name) => quote!(.predicate(#krate::__private::predicates::#name)),
        Predicate::User(path) => {
            let checked = quote_spanned!(path.span()=> #krate::__private::user_predicate::<#cached, _>(#path));
            quote!(.predicate(#checked))
        }
    });
    let mapping = match &kind.mapping {
        Mapping::Owner => quote!(),
        Mapping::Label(key) => quote!(.map_label(#key)),
        Mapping::Annotation(key) => quote!(.map_annotation(#key)),
    };
    let selector = kind.selector.as_ref().map(|selector| quote!(.selector(#selector)));
    quote! {
        #checks
        set.add(
            #krate::__private::#constructor::<Self, #ty>(#kind_enum::#variant)
                #(#predicates)* #mapping #selector
        );
    }
}

/// The whole expansion for a valid declaration.
pub fn expand(model: &Model) -> TokenStream {
    let Model { primary, vis, krate, .. } = model;
    let (secondaries, kind_enum) = (model.secondaries_ident(), model.kind_ident());
    let fields = model.kinds.iter().map(|kind| {
        let (field, cached) = (&kind.field, cached_type(krate, kind));
        let doc = format!("`{}` children.", kind.ty.segments.last().expect("a path has a segment").ident);
        quote!(#[doc = #doc] #vis #field: #krate::__private::Vec<#krate::__private::Arc<#cached>>)
    });
    let variants: Vec<_> = model.kinds.iter().map(|kind| &kind.variant).collect();
    let variant_docs = model.kinds.iter().map(|kind| format!("`{}` children.", kind.ty.segments.last().expect("a path has a segment").ident));
    let names = model.kinds.iter().map(|kind| {
        let path = &kind.ty;
        quote!(#path).to_string().replace(' ', "")
    });
    let watches = model.kinds.iter().map(|kind| watch(model, kind));
    let children = model.kinds.iter().enumerate().map(|(index, kind)| {
        let (field, cached) = (&kind.field, cached_type(krate, kind));
        quote!(#field: caches.children::<Self, #cached>(#index, primary))
    });
    let resync = model.resync.as_millis() as u64;
    let periodic = match model.periodic {
        Some(periodic) => {
            let millis = periodic.as_millis() as u64;
            quote!(::core::option::Option::Some(#krate::__private::Duration::from_millis(#millis)))
        }
        None => quote!(::core::option::Option::None),
    };
    let struct_doc = format!("The children of one [`{primary}`], read from the watch caches.");
    let enum_doc = format!("The secondary kinds of [`{primary}`].");
    quote! {
        #[doc = #struct_doc]
        #[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::default::Default)]
        #vis struct #secondaries {
            #(#fields,)*
        }

        #[doc = #enum_doc]
        #[derive(::core::clone::Clone, ::core::marker::Copy, ::core::fmt::Debug, ::core::cmp::PartialEq, ::core::cmp::Eq, ::core::hash::Hash, ::core::cmp::PartialOrd, ::core::cmp::Ord)]
        #vis enum #kind_enum {
            #(#[doc = #variant_docs] #variants,)*
        }

        const _: () = {
            #[automatically_derived]
            impl ::core::fmt::Display for #kind_enum {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.write_str(#krate::__private::SecondaryKind::name(*self))
                }
            }

            #[automatically_derived]
            impl #krate::__private::SecondaryKind for #kind_enum {
                const ALL: &'static [Self] = &[#(Self::#variants),*];

                fn name(self) -> &'static str {
                    match self {
                        #(Self::#variants => #names,)*
                    }
                }
            }

            #[automatically_derived]
            impl #krate::__private::SecondaryAware for #primary {
                type Secondaries = #secondaries;
                type Kind = #kind_enum;

                fn options() -> #krate::__private::Options {
                    #krate::__private::Options::new(#krate::__private::Duration::from_millis(#resync), #periodic)
                }

                fn declare(set: &mut #krate::__private::WatchSet<Self>) {
                    #(#watches)*
                }

                fn secondaries(caches: &#krate::__private::Caches, primary: &Self) -> #secondaries {
                    #secondaries {
                        #(#children,)*
                    }
                }
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    fn snapshot(name: &str, input: proc_macro2::TokenStream) {
        let output = super::derive(input);
        let file = syn::parse2::<syn::File>(output).expect("the expansion is a file of items");
        let pretty = prettyplease::unparse(&file);
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(format!("{name}.rs"));
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &pretty).unwrap();
        }
        let expected = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("missing snapshot {}; run with UPDATE_SNAPSHOTS=1 and review it", path.display()));
        assert_eq!(pretty, expected, "expansion of {name} changed; rerun with UPDATE_SNAPSHOTS=1 and review the diff");
    }

    #[test]
    fn database_expansion() {
        snapshot(
            "database",
            quote::quote! {
                #[kube(group = "demo.example.com", version = "v1", kind = "Database", namespaced, status = "DatabaseStatus")]
                #[secondaries(resync = "1h", periodic = "30s")]
                #[secondary(Deployment, predicate = generation | labels)]
                #[secondary(Service)]
                #[secondary(Secret, metadata_only)]
                #[secondary(ConfigMap, predicate = checks::data_hash)]
                #[secondary(Pod, map = label("app.kubernetes.io/instance"), selector = "app=db", field = pods)]
                pub struct DatabaseSpec { pub replicas: i32 }
            },
        );
    }

    #[test]
    fn errors_come_with_a_stub() {
        snapshot(
            "unknown_predicate",
            quote::quote! {
                #[kube(kind = "Database")]
                #[secondary(Deployment, predicate = genration)]
                pub struct DatabaseSpec {}
            },
        );
    }
}
