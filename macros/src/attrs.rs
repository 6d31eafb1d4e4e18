//! darling receivers for `#[secondaries(...)]`, `#[secondary(...)]` and the `kind` of `#[kube(...)]`.

use darling::util::{Flag, Ignored, SpannedValue};
use darling::{FromDeriveInput, FromMeta, ast::NestedMeta};
use proc_macro2::Span;
use syn::spanned::Spanned;

/// The derive input with its global options.
#[derive(FromDeriveInput)]
#[darling(attributes(secondaries), forward_attrs(secondary, kube))]
pub struct Input {
    pub ident: syn::Ident,
    pub vis: syn::Visibility,
    pub generics: syn::Generics,
    pub data: darling::ast::Data<Ignored, Ignored>,
    pub attrs: Vec<syn::Attribute>,
    /// `resync = "30m"`.
    pub resync: Option<SpannedValue<String>>,
    /// `periodic = "1m"`.
    pub periodic: Option<SpannedValue<String>>,
    /// `crate = "::kube_secondary"`.
    #[darling(rename = "crate")]
    pub krate: Option<syn::Path>,
}

/// `#[kube(kind = "...", ...)]`: only `kind` matters here.
#[derive(FromMeta)]
#[darling(allow_unknown_fields)]
pub struct KubeAttr {
    pub kind: Option<SpannedValue<String>>,
}

/// The keyed options of one `#[secondary(Kind, ...)]`.
#[derive(Default, FromMeta)]
pub struct SecondaryOptions {
    /// `predicate = generation | labels | path::to_fn`.
    pub predicate: Option<syn::Expr>,
    /// `metadata_only`.
    pub metadata_only: Flag,
    /// `map = owner | label("key") | annotation("key")`.
    pub map: Option<syn::Expr>,
    /// `selector = "app=db"`.
    pub selector: Option<syn::LitStr>,
    /// `field = name`.
    pub field: Option<syn::Ident>,
}

/// The option keys of `#[secondary(...)]`, for "missing kind" detection.
pub const OPTION_KEYS: &[&str] = &["predicate", "metadata_only", "map", "selector", "field"];

/// One `#[secondary(...)]`: the kind type first, then the options.
pub struct SecondaryAttr {
    /// The kind, if the first item is a type path and not an option key.
    pub kind: Option<syn::Path>,
    pub options: SecondaryOptions,
    /// The whole attribute, for errors about it.
    pub span: Span,
}

impl SecondaryAttr {
    /// Parses one `#[secondary(...)]` attribute, accumulating every error in it.
    pub fn from_attribute(attr: &syn::Attribute) -> darling::Result<Self> {
        let span = attr.span();
        let items = NestedMeta::parse_meta_list(match &attr.meta {
            syn::Meta::List(list) => list.tokens.clone(),
            _ => {
                return Err(darling::Error::custom(
                    "expected `#[secondary(Kind, ...)]` with the child's type first, e.g. `#[secondary(Deployment)]`",
                )
                .with_span(attr));
            }
        })?;
        let kind = match items.first() {
            Some(NestedMeta::Meta(syn::Meta::Path(path)))
                if !OPTION_KEYS.iter().any(|key| path.is_ident(key)) =>
            {
                Some(path.clone())
            }
            _ => None,
        };
        let rest = if kind.is_some() { &items[1..] } else { &items[..] };
        let options = SecondaryOptions::from_list(rest)?;
        Ok(Self { kind, options, span })
    }
}
