//! One attribute value parsed into its typed form, with the checks that concern it alone:
//! durations, the crate path, predicates, the mapping, the selector, the field name and the drift
//! rule.

use std::time::Duration;

use darling::Error;

use crate::model::{Mapping, Predicate};
use crate::names::closest;

pub fn duration(lit: &syn::LitStr, key: &str) -> darling::Result<Duration> {
    crate::duration::parse(&lit.value()).ok_or_else(|| {
        Error::custom(format!(
            "invalid duration `{}` in `#[secondaries({key} = ...)]`; write a positive duration such as \"45s\", \"30m\", \"1h\", \"2h30m\" or \"500ms\"",
            lit.value()
        ))
        .with_span(lit)
    })
}

pub fn crate_path(lit: syn::LitStr) -> darling::Result<syn::Path> {
    lit.parse::<syn::Path>().map_err(|_| {
        Error::custom("expected a crate path in `#[secondaries(crate = \"...\")]`, e.g. `crate = \"::kube_secondary\"`")
            .with_span(&lit)
    })
}

/// The predicates `#[secondary(predicate = ...)]` knows by name.
const BUILTIN_PREDICATES: &[&str] = &["generation", "labels", "annotations", "resource_version"];

/// Splits `a | b | c` and resolves each side, reporting every bad side.
pub fn predicates(expr: &syn::Expr) -> darling::Result<Vec<Predicate>> {
    match expr {
        syn::Expr::Binary(binary) if matches!(binary.op, syn::BinOp::BitOr(_)) => {
            let mut errors = Error::accumulator();
            let mut all = errors.handle(predicates(&binary.left)).unwrap_or_default();
            all.extend(errors.handle(predicates(&binary.right)).unwrap_or_default());
            errors.finish_with(all)
        }
        syn::Expr::Paren(paren) => predicates(&paren.expr),
        syn::Expr::Path(path) if path.qself.is_none() => predicate(&path.path).map(|predicate| vec![predicate]),
        other => Err(Error::custom(
            "expected predicates combined with `|` in `#[secondary(predicate = ...)]`, e.g. `generation | labels`, or the path of a function `fn(&Kind) -> Option<u64>`",
        )
        .with_span(other)),
    }
}

/// A built-in name, a typo of one (an error), or a user function. A lone name within edit
/// distance 2 of a built-in one is taken as a typo; a function with such a name can be written
/// as a path (`self::label`).
fn predicate(path: &syn::Path) -> darling::Result<Predicate> {
    let Some(ident) = path.get_ident() else {
        return Ok(Predicate::User(path.clone()));
    };
    let name = ident.to_string();
    if BUILTIN_PREDICATES.contains(&name.as_str()) {
        return Ok(Predicate::Builtin(ident.clone()));
    }
    match closest(&name, BUILTIN_PREDICATES) {
        Some(suggestion) => Err(Error::custom(format!(
            "unknown predicate `{name}` in `#[secondary(...)]`; did you mean `{suggestion}`? (for your own function, write its path, e.g. `self::{name}`)"
        ))
        .with_span(ident)),
        None => Ok(Predicate::User(path.clone())),
    }
}

pub fn mapping(expr: &syn::Expr) -> darling::Result<Mapping> {
    let hint = "expected `map = owner`, `map = label(\"key\")` or `map = annotation(\"key\")` in `#[secondary(...)]`";
    let syn::Expr::Call(call) = expr else {
        return match expr {
            syn::Expr::Path(path) if path.path.is_ident("owner") => Ok(Mapping::Owner),
            other => Err(Error::custom(hint).with_span(other)),
        };
    };
    let syn::Expr::Path(function) = call.func.as_ref() else {
        return Err(Error::custom(hint).with_span(&call.func));
    };
    let make = if function.path.is_ident("label") {
        Mapping::Label
    } else if function.path.is_ident("annotation") {
        Mapping::Annotation
    } else {
        return Err(Error::custom(hint).with_span(function));
    };
    match call.args.iter().collect::<Vec<_>>().as_slice() {
        [
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(key),
                ..
            }),
        ] if !key.value().trim().is_empty() => Ok(make(key.clone())),
        _ => Err(Error::custom(
            "expected one non-empty key, e.g. `label(\"app.kubernetes.io/instance\")`",
        )
        .with_span(&call.paren_token.span.join())),
    }
}

/// A label selector the API server accepts.
pub fn selector(lit: syn::LitStr) -> darling::Result<syn::LitStr> {
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

/// A field name with letters, from which the variant is also named.
pub fn field(expr: &syn::Expr) -> darling::Result<syn::Ident> {
    match expr {
        syn::Expr::Path(path) if path.qself.is_none() && path.path.get_ident().is_some() => {
            let field = path
                .path
                .get_ident()
                .cloned()
                .expect("checked to be an ident");
            if field.to_string().chars().any(char::is_alphabetic) {
                Ok(field)
            } else {
                Err(
                    Error::custom("`field` needs a name with letters, e.g. `field = members`")
                        .with_span(&field),
                )
            }
        }
        other => Err(Error::custom(
            "expected a field name, e.g. `field = members` in `#[secondary(...)]`",
        )
        .with_span(other)),
    }
}

/// The path of a user function `fn(&Kind, &Kind) -> bool`.
pub fn drift(expr: &syn::Expr) -> darling::Result<syn::Path> {
    match expr {
        syn::Expr::Path(path) if path.qself.is_none() => Ok(path.path.clone()),
        other => Err(Error::custom(
            "expected the path of a function `fn(&Kind, &Kind) -> bool` in `#[secondary(drift = ...)]`, e.g. `drift = my_module::deployment_drifted`",
        )
        .with_span(other)),
    }
}
