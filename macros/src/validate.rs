//! From the receivers to the checked model. One accumulator collects every mistake, each at its
//! own token, so the user sees all of them in one compile; the model is built anyway, from what
//! could be read, for the fallback stub.

use std::time::Duration;

use darling::error::Accumulator;
use darling::{Error, FromMeta};
use syn::ext::IdentExt;

use crate::attrs::{Input, KubeAttr, SecondariesAttr, SecondaryAttr, Shape};
use crate::model::{Kind, Mapping, Model, Predicate};
use crate::names::{closest, plural_snake, upper_camel};

/// The predicates `#[secondary(predicate = ...)]` knows by name.
pub const BUILTIN_PREDICATES: &[&str] =
    &["generation", "labels", "annotations", "resource_version"];

/// The default fallback resync; the runtime's `Options::DEFAULT_RESYNC`.
const DEFAULT_RESYNC: Duration = Duration::from_secs(30 * 60);

/// The model of `input`, and every error found in it.
pub fn validate(input: &Input) -> (Model, darling::Result<()>) {
    let mut errors = Error::accumulator();
    check_shape(input, &mut errors);
    let primary = primary(input);
    let named = primary.clone().unwrap_or_else(|| input.ident.clone());

    let options = SecondariesAttr::from_attributes(attrs(input, "secondaries"), &mut errors);
    let resync = options
        .resync
        .as_ref()
        .and_then(|lit| errors.handle(duration(lit, "resync")));
    let periodic = options
        .periodic
        .as_ref()
        .and_then(|lit| errors.handle(duration(lit, "periodic")));
    let krate = options.krate.as_ref().and_then(|lit| {
        errors.handle(lit.parse::<syn::Path>().map_err(|_| {
            Error::custom("expected a crate path in `#[secondaries(crate = \"...\")]`, e.g. `crate = \"::kube_secondary\"`")
                .with_span(lit)
        }))
    });

    let mut kinds: Vec<Kind> = Vec::new();
    for attr in attrs(input, "secondary") {
        let Some(parsed) = SecondaryAttr::from_attribute(attr, &mut errors) else {
            continue;
        };
        if let Some(kind) = kind(parsed, &mut errors) {
            check_unique(&mut errors, &kinds, &kind);
            kinds.push(kind);
        }
    }
    if attrs(input, "secondary").next().is_none() {
        errors.push(
            Error::custom(
                "declare at least one `#[secondary(Kind)]` on this type, e.g. `#[secondary(Deployment)]`, naming a kind its primary owns",
            )
            .with_span(&input.ident),
        );
    }

    let model = Model {
        secondaries: syn::Ident::new(&format!("{named}Secondaries"), named.span()),
        kind_enum: syn::Ident::new(&format!("{named}SecondaryKind"), named.span()),
        primary,
        vis: input.vis.clone(),
        supported_shape: matches!(input.data, Shape::Struct) && input.generics.params.is_empty(),
        krate: krate.unwrap_or_else(|| syn::parse_quote!(::kube_secondary)),
        resync: resync.unwrap_or(DEFAULT_RESYNC),
        periodic,
        status_summary: options.status_summary,
        kinds,
    };
    (model, errors.finish())
}

fn attrs<'a>(input: &'a Input, name: &'a str) -> impl Iterator<Item = &'a syn::Attribute> {
    input
        .attrs
        .iter()
        .filter(move |attr| attr.path().is_ident(name))
}

fn check_shape(input: &Input, errors: &mut Accumulator) {
    let unsupported = match input.data {
        Shape::Struct => None,
        Shape::Tuple(span) => Some((span, "a tuple struct")),
        Shape::Enum(span) => Some((span, "an enum")),
        Shape::Union(span) => Some((span, "a union")),
    };
    if let Some((span, what)) = unsupported {
        errors.push(
            Error::custom(format!(
                "`#[derive(SecondaryAware)]` cannot be used on {what}; put it on the struct with named fields that carries `#[derive(CustomResource)]`, or on a resource struct"
            ))
            .with_span(&span),
        );
    }
    if !input.generics.params.is_empty() {
        errors.push(
            Error::custom("`#[derive(SecondaryAware)]` does not support generic parameters; declare it on a concrete type")
                .with_span(&input.generics.params),
        );
    }
}

/// The primary type: kube's generated struct when `#[kube(...)]` is present (`root`, else `kind`),
/// else the annotated type itself. `None` when kube's attribute names no valid kind: kube-derive
/// reports that, and generating for the spec struct would only add follow-on errors.
fn primary(input: &Input) -> Option<syn::Ident> {
    let kube: Vec<_> = attrs(input, "kube").collect();
    if kube.is_empty() {
        return Some(input.ident.clone());
    }
    let mut name = None;
    for attr in kube {
        let syn::Meta::List(list) = &attr.meta else {
            continue;
        };
        let Ok(items) = darling::ast::NestedMeta::parse_meta_list(list.tokens.clone()) else {
            continue;
        };
        let Ok(kube) = KubeAttr::from_list(&items) else {
            continue;
        };
        name = kube.root.or(kube.kind).or(name);
    }
    let name = name?;
    let ident = syn::parse_str::<syn::Ident>(&name).ok()?;
    Some(syn::Ident::new(&ident.to_string(), name.span()))
}

/// The checked kind of one attribute; its errors go to `errors`. A kind whose options had errors
/// is still returned, so that the duplicate checks and the fallback stub see it.
fn kind(attr: SecondaryAttr, errors: &mut Accumulator) -> Option<Kind> {
    let Some(ty) = attr.kind else {
        errors.push(
            Error::custom(
                "missing kind in `#[secondary(...)]`; write the child's type first, e.g. `#[secondary(Deployment, predicate = generation)]`",
            )
            .with_span(&attr.span),
        );
        return None;
    };
    let type_name = ty
        .segments
        .last()
        .expect("a path has a segment")
        .ident
        .unraw();
    let (variant, field) = match &attr.field {
        Some(field) => match upper_camel(&field.unraw().to_string()) {
            variant if variant.is_empty() => {
                errors.push(
                    Error::custom("`field` needs a name with letters, e.g. `field = members`")
                        .with_span(field),
                );
                return None;
            }
            variant => (syn::Ident::new(&variant, field.span()), field.clone()),
        },
        None => (
            type_name.clone(),
            syn::Ident::new(&plural_snake(&type_name.to_string()), type_name.span()),
        ),
    };
    let predicates = attr
        .predicate
        .as_ref()
        .and_then(|expr| errors.handle(predicates(expr)))
        .unwrap_or_default();
    let mapping = attr
        .map
        .as_ref()
        .and_then(|expr| errors.handle(mapping(expr)))
        .unwrap_or(Mapping::Owner);
    Some(Kind {
        ty,
        variant,
        field,
        metadata_only: attr.metadata_only.is_some(),
        predicates,
        mapping,
        selector: attr.selector,
    })
}

/// Each kind once, and each generated name once.
fn check_unique(errors: &mut Accumulator, earlier: &[Kind], kind: &Kind) {
    if let Some(first) = earlier.iter().find(|first| first.ty == kind.ty) {
        errors.push(
            Error::custom(format!(
                "`{}` is declared twice with `#[secondary(...)]`; declare each kind once and combine its predicates with `|`",
                first.type_name()
            ))
            .with_span(&kind.ty),
        );
    } else if let Some(first) = earlier.iter().find(|first| first.field == kind.field) {
        errors.push(
            Error::custom(format!(
                "`{}` and `{}` would both be cached in the field `{}`; name one with `field = ...`",
                first.type_name(),
                kind.type_name(),
                kind.field
            ))
            .with_span(&kind.field),
        );
    } else if let Some(first) = earlier.iter().find(|first| first.variant == kind.variant) {
        errors.push(
            Error::custom(format!(
                "`{}` and `{}` would both be named by the variant `{}`; name one with `field = ...`",
                first.type_name(),
                kind.type_name(),
                kind.variant
            ))
            .with_span(&kind.variant),
        );
    }
}

/// Splits `a | b | c` and resolves each side, reporting every bad side.
fn predicates(expr: &syn::Expr) -> darling::Result<Vec<Predicate>> {
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

fn mapping(expr: &syn::Expr) -> darling::Result<Mapping> {
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

fn duration(lit: &syn::LitStr, key: &str) -> darling::Result<Duration> {
    parse_duration(&lit.value()).ok_or_else(|| {
        Error::custom(format!(
            "invalid duration `{}` in `#[secondaries({key} = ...)]`; write a positive duration such as \"45s\", \"30m\", \"1h\", \"2h30m\" or \"500ms\"",
            lit.value()
        ))
        .with_span(lit)
    })
}

/// Parses `500ms`, `45s`, `30m`, `1h`, `2h30m`, `1d`: numbers each followed by a unit. Zero is
/// not a duration: a zero resync would reconcile in a loop.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let mut total = Duration::ZERO;
    let mut rest = text;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let number: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit] {
            "ms" => {
                total = total.checked_add(Duration::from_millis(number))?;
                rest = &rest[unit..];
                continue;
            }
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86400,
            _ => return None,
        };
        total = total.checked_add(Duration::from_secs(number.checked_mul(seconds)?))?;
        rest = &rest[unit..];
    }
    (!total.is_zero()).then_some(total)
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
