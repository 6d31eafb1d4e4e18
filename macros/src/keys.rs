//! Reading one attribute's keys: each key matched by exactly one arm, unknown keys named with
//! a suggestion, and the value forms (`key = value`, `key = "..."`, a bare flag).

use darling::Error;
use darling::ast::NestedMeta;
use proc_macro2::Span;
use syn::spanned::Spanned;

use crate::names::{closest, path_text};

/// A key of an attribute: the match on it is exhaustive, so a new key needs its own arm.
pub(crate) trait Key: Copy + PartialEq + 'static {
    const ALL: &'static [Self];
    fn name(self) -> &'static str;
}

/// The known keys of an attribute's items, each once; unknown, repeated or positional items are
/// reported to `errors` in the attribute's own words.
pub(crate) fn keyed<'a, K: Key>(
    items: &'a [NestedMeta],
    attr: &str,
    errors: &mut darling::error::Accumulator,
) -> Vec<(K, &'a syn::Meta)> {
    let names: Vec<&str> = K::ALL.iter().map(|key| key.name()).collect();
    let mut seen: Vec<(K, &syn::Meta)> = Vec::new();
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
        let text = path_text(meta.path());
        let Some(key) = K::ALL.iter().copied().find(|key| key.name() == text) else {
            errors.push(unknown_key(meta.path(), &text, attr, &names));
            continue;
        };
        if seen.iter().any(|(earlier, _)| *earlier == key) {
            let hint = if text == "predicate" {
                "; combine predicates with `|`"
            } else {
                "; keep one"
            };
            errors.push(
                Error::custom(format!("`{text}` is set twice in `#[{attr}(...)]`{hint}"))
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
    } else if let Some(suggestion) = closest(key, keys) {
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

pub(crate) fn value<'a>(
    meta: &'a syn::Meta,
    attr: &str,
    key: &str,
) -> darling::Result<&'a syn::Expr> {
    match meta {
        syn::Meta::NameValue(name_value) => Ok(&name_value.value),
        _ => Err(
            Error::custom(format!("expected `{key} = ...` in `#[{attr}(...)]`")).with_span(meta),
        ),
    }
}

pub(crate) fn string(meta: &syn::Meta, attr: &str, key: &str) -> darling::Result<syn::LitStr> {
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

pub(crate) fn flag(meta: &syn::Meta, attr: &str, key: &str) -> darling::Result<Span> {
    let kind = if attr == "secondary" { "Kind, " } else { "" };
    match meta {
        syn::Meta::Path(path) => Ok(path.span()),
        _ => Err(Error::custom(format!(
            "`{key}` takes no value; write `#[{attr}({kind}{key})]`"
        ))
        .with_span(meta)),
    }
}
