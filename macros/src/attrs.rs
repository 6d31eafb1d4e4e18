//! darling receivers: the derive input, `#[secondaries(...)]`, `#[secondary(...)]`, and the
//! `kind` of kube's `#[kube(...)]`. They read what is written and check each value on its own;
//! `validate.rs` judges how the values fit together.

use darling::ast::NestedMeta;
use darling::util::SpannedValue;
use darling::{Error, FromDeriveInput, FromMeta};
use proc_macro2::Span;
use syn::spanned::Spanned;

/// The derive input. Every attribute is forwarded raw, so that a mistake in one of them does not
/// hide the mistakes in the others: `validate.rs` parses each into the receivers below.
#[derive(FromDeriveInput)]
#[darling(forward_attrs(secondary, secondaries, kube))]
pub struct Input {
    pub ident: syn::Ident,
    pub vis: syn::Visibility,
    pub generics: syn::Generics,
    pub data: Shape,
    pub attrs: Vec<syn::Attribute>,
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

/// `#[kube(kind = "...", root = "...", ...)]`: the name of the resource type kube generates.
/// Every other key is kube's business.
#[derive(FromMeta)]
#[darling(allow_unknown_fields)]
pub struct KubeAttr {
    pub kind: Option<SpannedValue<String>>,
    /// kube's override of the generated struct's name.
    pub root: Option<SpannedValue<String>>,
}

/// The keys of `#[secondaries(...)]`.
pub const SECONDARIES_KEYS: &[&str] = &["resync", "periodic", "crate", "status_summary"];

/// `#[secondaries(resync = "30m", periodic = "1m", crate = "::kube_secondary", status_summary)]`.
#[derive(Default)]
pub struct SecondariesAttr {
    pub resync: Option<syn::LitStr>,
    pub periodic: Option<syn::LitStr>,
    pub krate: Option<syn::LitStr>,
    /// `status_summary`, where it is written.
    pub status_summary: Option<Span>,
}

impl SecondariesAttr {
    /// Reads every `#[secondaries(...)]` (a key may appear in only one of them), reporting every
    /// mistake to `errors`.
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
        for (key, meta) in keyed(&items, "secondaries", SECONDARIES_KEYS, errors) {
            let slot = match key.as_str() {
                "resync" => &mut parsed.resync,
                "periodic" => &mut parsed.periodic,
                "crate" => &mut parsed.krate,
                _ => {
                    parsed.status_summary = errors.handle(flag(meta, "secondaries", &key));
                    continue;
                }
            };
            *slot = errors.handle(string(meta, "secondaries", &key));
        }
        parsed
    }
}

/// The keys of `#[secondary(Kind, ...)]` after the kind.
pub const SECONDARY_KEYS: &[&str] = &["predicate", "metadata_only", "map", "selector", "field"];

/// One `#[secondary(Kind, key = value, ...)]`.
pub struct SecondaryAttr {
    /// The attribute's name, where a missing kind is reported.
    pub span: Span,
    /// The kind type, written first.
    pub kind: Option<syn::Path>,
    /// `predicate = generation | labels | path::to_fn`.
    pub predicate: Option<syn::Expr>,
    /// `metadata_only`.
    pub metadata_only: Option<Span>,
    /// `map = owner | label("key") | annotation("key")`.
    pub map: Option<syn::Expr>,
    /// `selector = "app=db"`, checked against the label selector grammar.
    pub selector: Option<syn::LitStr>,
    /// `field = name`.
    pub field: Option<syn::Ident>,
}

impl SecondaryAttr {
    /// Parses one `#[secondary(...)]`, reporting every mistake in it to `errors` and returning
    /// what could be read, so that a bad option does not hide the kind from later checks.
    pub fn from_attribute(
        attr: &syn::Attribute,
        errors: &mut darling::error::Accumulator,
    ) -> Option<Self> {
        let span = attr.path().span();
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
                if !SECONDARY_KEYS.iter().any(|key| path.is_ident(key)) =>
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
        let mut parsed = Self {
            span,
            kind,
            predicate: None,
            metadata_only: None,
            map: None,
            selector: None,
            field: None,
        };
        for (key, meta) in keyed(rest, "secondary", SECONDARY_KEYS, errors) {
            match key.as_str() {
                "predicate" => {
                    parsed.predicate = errors.handle(value(meta, "secondary", &key)).cloned()
                }
                "metadata_only" => {
                    parsed.metadata_only = errors.handle(flag(meta, "secondary", &key))
                }
                "map" => parsed.map = errors.handle(value(meta, "secondary", &key)).cloned(),
                "selector" => {
                    parsed.selector =
                        errors.handle(string(meta, "secondary", &key).and_then(selector))
                }
                _ => parsed.field = errors.handle(ident(meta)),
            }
        }
        Some(parsed)
    }
}

/// The known `key`s of an attribute's items, each once; unknown, repeated or positional items are
/// reported to `errors` in the attribute's own words.
fn keyed<'a>(
    items: &'a [NestedMeta],
    attr: &str,
    keys: &[&str],
    errors: &mut darling::error::Accumulator,
) -> Vec<(String, &'a syn::Meta)> {
    let mut seen: Vec<(String, &syn::Meta)> = Vec::new();
    for item in items {
        let meta = match item {
            NestedMeta::Meta(meta) => meta,
            NestedMeta::Lit(lit) => {
                errors.push(
                    Error::custom(format!(
                        "unexpected literal in `#[{attr}(...)]`; write `key = value`"
                    ))
                    .with_span(lit),
                );
                continue;
            }
            NestedMeta::NameValueInvalidExpr(invalid) => {
                errors.push(
                    Error::custom(format!("invalid value for `{}`", path_text(&invalid.path)))
                        .with_span(&invalid.value),
                );
                continue;
            }
        };
        let key = path_text(meta.path());
        if !keys.contains(&key.as_str()) {
            errors.push(unknown_key(meta.path(), &key, attr, keys));
        } else if seen.iter().any(|(earlier, _)| *earlier == key) {
            let hint = if key == "predicate" {
                "; combine predicates with `|`"
            } else {
                "; keep one"
            };
            errors.push(
                Error::custom(format!("`{key}` is set twice in `#[{attr}(...)]`{hint}"))
                    .with_span(meta.path()),
            );
        } else {
            seen.push((key, meta));
        }
    }
    seen
}

fn unknown_key(path: &syn::Path, key: &str, attr: &str, keys: &[&str]) -> Error {
    let message = if attr == "secondary" && is_type_like(path) {
        format!(
            "one kind per `#[secondary(...)]`; declare `{key}` in its own `#[secondary({key})]`"
        )
    } else if let Some(suggestion) = crate::names::closest(key, keys) {
        format!("unknown key `{key}` in `#[{attr}(...)]`; did you mean `{suggestion}`?")
    } else {
        let expected = keys
            .iter()
            .map(|key| format!("`{key}`"))
            .collect::<Vec<_>>()
            .join(", ");
        format!("unknown key `{key}` in `#[{attr}(...)]`; expected one of {expected}")
    };
    Error::custom(message).with_span(path)
}

/// `apps::Deployment` or `Deployment`: a type, not a misspelled key.
fn is_type_like(path: &syn::Path) -> bool {
    path.segments.len() > 1
        || path.segments[0]
            .ident
            .to_string()
            .starts_with(|c: char| c.is_ascii_uppercase())
}

fn path_text(path: &syn::Path) -> String {
    path.segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

fn value<'a>(meta: &'a syn::Meta, attr: &str, key: &str) -> darling::Result<&'a syn::Expr> {
    match meta {
        syn::Meta::NameValue(name_value) => Ok(&name_value.value),
        _ => Err(
            Error::custom(format!("expected `{key} = ...` in `#[{attr}(...)]`")).with_span(meta),
        ),
    }
}

fn string(meta: &syn::Meta, attr: &str, key: &str) -> darling::Result<syn::LitStr> {
    match value(meta, attr, key)? {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(lit),
            ..
        }) => Ok(lit.clone()),
        other => Err(Error::custom(format!(
            "expected a string, e.g. `{key} = \"...\"` in `#[{attr}(...)]`"
        ))
        .with_span(other)),
    }
}

/// A label selector the API server accepts.
fn selector(lit: syn::LitStr) -> darling::Result<syn::LitStr> {
    let text = lit.value();
    if text.trim().is_empty() {
        return Err(Error::custom(
            "`selector` is empty; write a label selector such as `selector = \"app=db\"`, or remove it",
        )
        .with_span(&lit));
    }
    match crate::selector::check(&text) {
        Ok(()) => Ok(lit),
        Err(problem) => Err(Error::custom(format!(
            "invalid label selector `{text}` in `#[secondary(selector = ...)]`: {problem}; expected e.g. `app=db,tier in (a,b)`"
        ))
        .with_span(&lit)),
    }
}

fn flag(meta: &syn::Meta, attr: &str, key: &str) -> darling::Result<Span> {
    let kind = if attr == "secondary" { "Kind, " } else { "" };
    match meta {
        syn::Meta::Path(path) => Ok(path.span()),
        _ => Err(Error::custom(format!(
            "`{key}` takes no value; write `#[{attr}({kind}{key})]`"
        ))
        .with_span(meta)),
    }
}

fn ident(meta: &syn::Meta) -> darling::Result<syn::Ident> {
    match value(meta, "secondary", "field")? {
        syn::Expr::Path(path) if path.qself.is_none() && path.path.get_ident().is_some() => {
            Ok(path
                .path
                .get_ident()
                .cloned()
                .expect("checked to be an ident"))
        }
        other => Err(Error::custom(
            "expected a field name, e.g. `field = members` in `#[secondary(...)]`",
        )
        .with_span(other)),
    }
}
