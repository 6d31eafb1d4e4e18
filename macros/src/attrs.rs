//! darling receivers: the derive input, `#[secondaries(...)]`, `#[secondary(...)]`, and the
//! `kind` of kube's `#[kube(...)]`. Each value is parsed here into its typed form (durations,
//! crate path, predicates, mapping, selector, field, drift rule), with the checks that concern
//! that one attribute; `validate.rs` judges how the attributes fit together.

use std::time::Duration;

use darling::ast::NestedMeta;
use darling::{Error, FromDeriveInput};
use proc_macro2::Span;
use syn::spanned::Spanned;

use crate::keys::{Key, flag, keyed, string, value};
pub use crate::kube_attr::KubePrimary;
use crate::model::{Form, Mapping, Predicate};
use crate::value as parse;

/// The derive input. Every attribute is forwarded raw, so that a mistake in one of them does not
/// hide the mistakes in the others: each is parsed by the receivers below.
#[derive(FromDeriveInput)]
#[darling(forward_attrs(secondary, secondaries, kube))]
pub struct Input {
    pub ident: syn::Ident,
    pub vis: syn::Visibility,
    pub generics: syn::Generics,
    pub data: Shape,
    pub attrs: Vec<syn::Attribute>,
}

impl Input {
    /// The forwarded attributes named `name`.
    pub fn attrs<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a syn::Attribute> {
        self.attrs
            .iter()
            .filter(move |attr| attr.path().is_ident(name))
    }
}

/// The shape of the annotated type, with the token to point at when it is not supported.
pub enum Shape {
    /// A struct with named fields, or a unit struct.
    Struct,
    Tuple(Span),
    Enum(Span),
    Union(Span),
}

impl TryFrom<&syn::Data> for Shape {
    type Error = Error;

    fn try_from(data: &syn::Data) -> darling::Result<Self> {
        Ok(match data {
            syn::Data::Struct(data) => match &data.fields {
                syn::Fields::Unnamed(fields) => Shape::Tuple(fields.paren_token.span.join()),
                syn::Fields::Named(_) | syn::Fields::Unit => Shape::Struct,
            },
            syn::Data::Enum(data) => Shape::Enum(data.enum_token.span),
            syn::Data::Union(data) => Shape::Union(data.union_token.span),
        })
    }
}

/// The keys of `#[secondaries(...)]`.
#[derive(Clone, Copy, PartialEq)]
enum SecondariesKey {
    Resync,
    Periodic,
    Crate,
    StatusSummary,
}

impl Key for SecondariesKey {
    const ALL: &'static [Self] = &[
        Self::Resync,
        Self::Periodic,
        Self::Crate,
        Self::StatusSummary,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Resync => "resync",
            Self::Periodic => "periodic",
            Self::Crate => "crate",
            Self::StatusSummary => "status_summary",
        }
    }
}

/// `#[secondaries(resync = "30m", periodic = "1m", crate = "::kube_secondary", status_summary)]`,
/// read from every `#[secondaries(...)]` (a key may appear in only one of them).
#[derive(Default)]
pub struct SecondariesAttr {
    /// `None`: the runtime's default.
    pub resync: Option<Duration>,
    pub periodic: Option<Duration>,
    pub krate: Option<syn::Path>,
    /// `status_summary`, where it is written.
    pub status_summary: Option<Span>,
}

impl SecondariesAttr {
    /// Reads every `#[secondaries(...)]`, reporting every mistake to `errors`.
    pub fn from_attributes<'a>(
        attrs: impl Iterator<Item = &'a syn::Attribute>,
        errors: &mut darling::error::Accumulator,
    ) -> Self {
        let mut items = Vec::new();
        for attr in attrs {
            let parsed = match &attr.meta {
                syn::Meta::List(list) => {
                    NestedMeta::parse_meta_list(list.tokens.clone()).map_err(Error::from)
                }
                other => {
                    Err(Error::custom("expected `#[secondaries(key = \"...\")]`").with_span(other))
                }
            };
            items.extend(errors.handle(parsed).unwrap_or_default());
        }
        let mut parsed = Self::default();
        for (key, meta) in keyed::<SecondariesKey>(&items, "secondaries", errors) {
            let name = key.name();
            match key {
                SecondariesKey::Resync => {
                    parsed.resync = errors.handle(
                        string(meta, "secondaries", name)
                            .and_then(|lit| parse::duration(&lit, name)),
                    );
                }
                SecondariesKey::Periodic => {
                    parsed.periodic = errors.handle(
                        string(meta, "secondaries", name)
                            .and_then(|lit| parse::duration(&lit, name)),
                    );
                }
                SecondariesKey::Crate => {
                    parsed.krate = errors
                        .handle(string(meta, "secondaries", name).and_then(parse::crate_path));
                }
                SecondariesKey::StatusSummary => {
                    parsed.status_summary = errors.handle(flag(meta, "secondaries", name));
                }
            }
        }
        parsed
    }
}

/// The keys of `#[secondary(Kind, ...)]` after the kind.
#[derive(Clone, Copy, PartialEq)]
enum SecondaryKey {
    Predicate,
    MetadataOnly,
    Map,
    Selector,
    Field,
    Drift,
}

impl Key for SecondaryKey {
    const ALL: &'static [Self] = &[
        Self::Predicate,
        Self::MetadataOnly,
        Self::Map,
        Self::Selector,
        Self::Field,
        Self::Drift,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Predicate => "predicate",
            Self::MetadataOnly => "metadata_only",
            Self::Map => "map",
            Self::Selector => "selector",
            Self::Field => "field",
            Self::Drift => "drift",
        }
    }
}

/// One `#[secondary(Kind, key = value, ...)]`.
pub struct SecondaryAttr {
    /// The kind type, written first.
    pub kind: syn::Path,
    /// `predicate = generation | labels | path::to_fn`; empty means the runtime's default.
    pub predicates: Vec<Predicate>,
    /// `metadata_only`, or the whole object with `drift = path::to_fn` if written.
    pub form: Form,
    /// `map = owner | label("key") | annotation("key")`; `owner` unless written.
    pub mapping: Mapping,
    /// `selector = "app=db"`, checked against the label selector grammar.
    pub selector: Option<syn::LitStr>,
    /// `field = name`, a name with letters.
    pub field: Option<syn::Ident>,
}

impl SecondaryAttr {
    /// Parses one `#[secondary(...)]`, reporting every mistake in it to `errors`. A kind whose
    /// options had errors is still returned, with what could be read, so that the duplicate
    /// checks and the fallback stub see it; `None` when no kind is written.
    pub fn from_attribute(
        attr: &syn::Attribute,
        errors: &mut darling::error::Accumulator,
    ) -> Option<Self> {
        let syn::Meta::List(list) = &attr.meta else {
            errors.push(
                Error::custom("expected `#[secondary(Kind, ...)]` with the child's type first, e.g. `#[secondary(Deployment)]`")
                    .with_span(&attr.meta),
            );
            return None;
        };
        let items =
            errors.handle(NestedMeta::parse_meta_list(list.tokens.clone()).map_err(Error::from))?;
        let kind = match items.first() {
            Some(NestedMeta::Meta(syn::Meta::Path(path)))
                if !SecondaryKey::ALL
                    .iter()
                    .any(|key| path.is_ident(key.name())) =>
            {
                Some(path.clone())
            }
            Some(NestedMeta::Lit(syn::Lit::Str(lit))) => {
                errors.push(
                    Error::custom(format!(
                        "the kind in `#[secondary(...)]` is a type, not a string; write `#[secondary({})]`",
                        lit.value()
                    ))
                    .with_span(lit),
                );
                // Read on as if it were written as a type: one mistake, one error.
                lit.parse::<syn::Path>().ok()
            }
            _ => None,
        };
        let rest = &items[usize::from(kind.is_some())..];
        let mut predicates = Vec::new();
        let mut metadata_only = false;
        // The key as written, for the error when it meets `metadata_only`, and the function.
        let mut drift: Option<(&syn::Path, syn::Path)> = None;
        let mut mapping = Mapping::Owner;
        let mut selector = None;
        let mut field = None;
        for (key, meta) in keyed::<SecondaryKey>(rest, "secondary", errors) {
            let name = key.name();
            match key {
                SecondaryKey::Predicate => {
                    let parsed = value(meta, "secondary", name).and_then(parse::predicates);
                    predicates = errors.handle(parsed).unwrap_or_default();
                }
                SecondaryKey::MetadataOnly => {
                    metadata_only = errors.handle(flag(meta, "secondary", name)).is_some();
                }
                SecondaryKey::Map => {
                    let parsed = value(meta, "secondary", name).and_then(parse::mapping);
                    mapping = errors.handle(parsed).unwrap_or(Mapping::Owner);
                }
                SecondaryKey::Selector => {
                    let parsed = string(meta, "secondary", name).and_then(parse::selector);
                    selector = errors.handle(parsed);
                }
                SecondaryKey::Field => {
                    field = errors.handle(value(meta, "secondary", name).and_then(parse::field));
                }
                SecondaryKey::Drift => {
                    let parsed = value(meta, "secondary", name).and_then(parse::drift);
                    drift = errors
                        .handle(parsed)
                        .map(|function| (meta.path(), function));
                }
            }
        }
        let form = match (metadata_only, drift) {
            (false, drift) => Form::Full {
                drift: drift.map(|(_, function)| function),
            },
            (true, None) => Form::MetadataOnly,
            (true, Some((key, _))) => {
                errors.push(
                    Error::custom(
                        "`drift` in `#[secondary(...)]` needs the whole object, but `metadata_only` caches only its metadata (a metadata-only kind is created, never applied); remove `metadata_only` or `drift`",
                    )
                    .with_span(key),
                );
                // Read on as metadata only, the cached type the user's code sees.
                Form::MetadataOnly
            }
        };
        let Some(kind) = kind else {
            errors.push(
                Error::custom(
                    "missing kind in `#[secondary(...)]`; write the child's type first, e.g. `#[secondary(Deployment, predicate = generation)]`",
                )
                .with_span(&attr.path().span()),
            );
            return None;
        };
        Some(Self {
            kind,
            predicates,
            form,
            mapping,
            selector,
            field,
        })
    }
}
