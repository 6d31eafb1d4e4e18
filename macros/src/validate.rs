//! Cross-attribute checks: every mistake is reported in one compile, each at its own token.

use std::time::Duration;

use darling::{Error, FromMeta};

use crate::attrs::{Input, KubeAttr, SecondaryAttr};
use crate::model::{Kind, Mapping, Model, Predicate};

/// The predicates `#[secondary(predicate = ...)]` knows by name.
pub const BUILTIN_PREDICATES: &[&str] = &["generation", "labels", "annotations", "resource_version"];

/// The default fallback resync.
const DEFAULT_RESYNC: Duration = Duration::from_secs(30 * 60);

/// The primary type: `#[kube(kind = "...")]` when present, else the annotated type itself.
pub fn primary(input: &Input) -> darling::Result<syn::Ident> {
    for attr in input.attrs.iter().filter(|attr| attr.path().is_ident("kube")) {
        let items = darling::ast::NestedMeta::parse_meta_list(match &attr.meta {
            syn::Meta::List(list) => list.tokens.clone(),
            _ => continue,
        })?;
        if let Some(kind) = KubeAttr::from_list(&items)?.kind {
            return syn::parse_str::<syn::Ident>(&kind)
                .map(|ident| syn::Ident::new(&ident.to_string(), kind.span()))
                .map_err(|_| Error::custom("`#[kube(kind = ...)]` is not a type name").with_span(&kind.span()));
        }
    }
    Ok(input.ident.clone())
}

/// Builds the checked model, or every error found.
pub fn model(input: &Input) -> darling::Result<Model> {
    let mut errors = Error::accumulator();
    if !input.data.is_struct() || !matches!(input.data, darling::ast::Data::Struct(ref fields) if fields.style != darling::ast::Style::Tuple) {
        errors.push(
            Error::custom("`#[derive(SecondaryAware)]` needs a struct with named fields (the CustomResource spec or the resource type); enums and tuple structs are not supported")
                .with_span(&input.ident),
        );
    }
    if !input.generics.params.is_empty() {
        errors.push(Error::custom("`#[derive(SecondaryAware)]` does not support generic types; declare it on a concrete type").with_span(&input.generics));
    }
    let primary = errors.handle(primary(input));
    let resync = input.resync.as_ref().and_then(|value| errors.handle(duration(value, "resync"))).unwrap_or(DEFAULT_RESYNC);
    let periodic = input.periodic.as_ref().and_then(|value| errors.handle(duration(value, "periodic")));

    let mut kinds: Vec<Kind> = Vec::new();
    let declared: Vec<_> = input.attrs.iter().filter(|attr| attr.path().is_ident("secondary")).collect();
    if declared.is_empty() {
        errors.push(
            Error::custom("declare at least one secondary kind with `#[secondary(Kind)]`, e.g. `#[secondary(Deployment)]`")
                .with_span(&input.ident),
        );
    }
    for attr in declared {
        let Some(parsed) = errors.handle(SecondaryAttr::from_attribute(attr)) else { continue };
        if let Some(kind) = kind(parsed, &mut errors) {
            check_unique(&mut errors, &kinds, &kind);
            kinds.push(kind);
        }
    }
    errors.finish()?;
    Ok(Model {
        primary: primary.expect("no error means a primary"),
        vis: input.vis.clone(),
        krate: input.krate.clone().unwrap_or_else(|| syn::parse_quote!(::kube_secondary)),
        resync,
        periodic,
        kinds,
    })
}

fn check_unique(errors: &mut darling::error::Accumulator, earlier: &[Kind], kind: &Kind) {
    let written = |path: &syn::Path| quote::quote!(#path).to_string();
    if let Some(first) = earlier.iter().find(|k| written(&k.ty) == written(&kind.ty)) {
        errors.push(
            Error::custom(format!(
                "`{}` is declared twice; declare each secondary kind once",
                written(&first.ty).replace(' ', "")
            ))
            .with_span(&kind.ty),
        );
    } else if let Some(first) = earlier.iter().find(|k| k.field == kind.field || k.variant == kind.variant) {
        errors.push(
            Error::custom(format!(
                "`{}` and `{}` would both be cached in the field `{}`; name one with `field = ...`",
                written(&first.ty).replace(' ', ""),
                written(&kind.ty).replace(' ', ""),
                kind.field
            ))
            .with_span(&kind.ty),
        );
    }
}

/// The checked kind of one attribute; its errors go to `errors`, and a kind whose options had
/// errors is still returned so that later checks (duplicates) see it.
fn kind(attr: SecondaryAttr, errors: &mut darling::error::Accumulator) -> Option<Kind> {
    let Some(ty) = attr.kind else {
        errors.push(
            Error::custom(
                "missing kind in `#[secondary(...)]`; write the child's type first, e.g. `#[secondary(Deployment, predicate = generation)]`",
            )
            .with_span(&attr.span),
        );
        return None;
    };
    let type_name = ty.segments.last().expect("a path has a segment").ident.clone();
    let (variant, field) = match &attr.options.field {
        Some(field) => (syn::Ident::new(&upper_camel(&field.to_string()), field.span()), field.clone()),
        None => (type_name.clone(), syn::Ident::new(&plural_snake(&type_name.to_string()), type_name.span())),
    };
    let predicates = attr.options.predicate.as_ref().map(|expr| errors.handle(predicates(expr)).unwrap_or_default()).unwrap_or_default();
    let mapping = attr.options.map.as_ref().and_then(|expr| errors.handle(mapping(expr))).unwrap_or(Mapping::Owner);
    if let Some(selector) = &attr.options.selector
        && selector.value().trim().is_empty()
    {
        errors.push(Error::custom("`selector` is empty; write a label selector such as `selector = \"app=db\"` or drop it").with_span(selector));
    }
    Some(Kind {
        ty,
        variant,
        field,
        metadata_only: attr.options.metadata_only.is_present(),
        predicates,
        mapping,
        selector: attr.options.selector,
    })
}

/// Splits `a | b | c` and resolves each side.
fn predicates(expr: &syn::Expr) -> darling::Result<Vec<Predicate>> {
    match expr {
        syn::Expr::Binary(binary) if matches!(binary.op, syn::BinOp::BitOr(_)) => {
            let mut errors = Error::accumulator();
            let mut all = errors.handle(predicates(&binary.left)).unwrap_or_default();
            all.extend(errors.handle(predicates(&binary.right)).unwrap_or_default());
            errors.finish_with(all)
        }
        syn::Expr::Path(path) if path.qself.is_none() => predicate(&path.path).map(|p| vec![p]),
        other => Err(Error::custom(
            "expected predicates combined with `|`, e.g. `predicate = generation | labels` or a function path `predicate = my_predicate`",
        )
        .with_span(other)),
    }
}

fn predicate(path: &syn::Path) -> darling::Result<Predicate> {
    let Some(ident) = path.get_ident() else { return Ok(Predicate::User(path.clone())) };
    let name = ident.to_string();
    if BUILTIN_PREDICATES.contains(&name.as_str()) {
        return Ok(Predicate::Builtin(ident.clone()));
    }
    match closest(&name, BUILTIN_PREDICATES) {
        Some(suggestion) => Err(Error::custom(format!(
            "unknown predicate `{name}` in `#[secondary(...)]`; did you mean `{suggestion}`?"
        ))
        .with_span(ident)),
        None => Ok(Predicate::User(path.clone())),
    }
}

fn mapping(expr: &syn::Expr) -> darling::Result<Mapping> {
    let hint = "expected `map = owner`, `map = label(\"key\")` or `map = annotation(\"key\")`";
    match expr {
        syn::Expr::Path(path) if path.path.is_ident("owner") => Ok(Mapping::Owner),
        syn::Expr::Call(call) => {
            let syn::Expr::Path(function) = call.func.as_ref() else { return Err(Error::custom(hint).with_span(expr)) };
            let key = match call.args.iter().collect::<Vec<_>>().as_slice() {
                [syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(key), .. })] if !key.value().is_empty() => key.clone(),
                _ => return Err(Error::custom(format!("{hint}, with one non-empty string key")).with_span(&call.args)),
            };
            if function.path.is_ident("label") {
                Ok(Mapping::Label(key))
            } else if function.path.is_ident("annotation") {
                Ok(Mapping::Annotation(key))
            } else {
                Err(Error::custom(hint).with_span(function))
            }
        }
        other => Err(Error::custom(hint).with_span(other)),
    }
}

/// Parses `500ms`, `45s`, `30m`, `1h`, `2h30m`, `1d`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let mut total = Duration::ZERO;
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let number: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let part = match &rest[..unit] {
            "ms" => Duration::from_millis(number),
            "s" => Duration::from_secs(number),
            "m" => Duration::from_secs(number * 60),
            "h" => Duration::from_secs(number * 3600),
            "d" => Duration::from_secs(number * 86400),
            _ => return None,
        };
        total += part;
        rest = &rest[unit..];
    }
    (!total.is_zero()).then_some(total)
}

fn duration(value: &darling::util::SpannedValue<String>, key: &str) -> darling::Result<Duration> {
    parse_duration(value).ok_or_else(|| {
        Error::custom(format!(
            "invalid duration `{}` for `#[secondaries({key} = ...)]`; write a positive duration such as \"30s\", \"30m\", \"1h\" or \"2h30m\"",
            value.as_str()
        ))
        .with_span(&value.span())
    })
}

/// `ConfigMap` -> `config_maps`, `Ingress` -> `ingresses`, `NetworkPolicy` -> `network_policies`.
pub fn plural_snake(type_name: &str) -> String {
    let mut snake = String::new();
    for (i, c) in type_name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            snake.push('_');
        }
        snake.extend(c.to_lowercase());
    }
    if let Some(stem) = snake.strip_suffix('y').filter(|stem| !stem.ends_with(['a', 'e', 'i', 'o', 'u'])) {
        format!("{stem}ies")
    } else if snake.ends_with('s') || snake.ends_with('x') || snake.ends_with("ch") || snake.ends_with("sh") {
        format!("{snake}es")
    } else {
        format!("{snake}s")
    }
}

/// `pods` -> `Pods`, `config_maps` -> `ConfigMaps`.
pub fn upper_camel(snake: &str) -> String {
    snake
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|first| first.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
        })
        .collect()
}

/// The candidate within edit distance 2 of `name`, if any.
pub fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (edit_distance(name, candidate), *candidate))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            current.push((previous[j] + usize::from(ca != *cb)).min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use darling::FromDeriveInput;

    fn errors(input: syn::DeriveInput) -> usize {
        let input = Input::from_derive_input(&input).expect("the receiver parses");
        model(&input).err().map_or(0, |e| e.flatten().len())
    }

    #[test]
    fn a_valid_declaration_has_no_errors() {
        assert_eq!(errors(syn::parse_quote! {
            #[kube(group = "g", version = "v1", kind = "Database", namespaced)]
            #[secondaries(resync = "1h")]
            #[secondary(Deployment, predicate = generation | labels)]
            #[secondary(Pod, map = label("app"), selector = "app=db", field = pods)]
            struct DatabaseSpec {}
        }), 0);
    }

    #[test]
    fn every_mistake_is_reported_at_once() {
        assert_eq!(errors(syn::parse_quote! {
            #[secondaries(resync = "soon")]
            #[secondary(Deployment, predicate = genration)]
            #[secondary(Deployment)]
            #[secondary(predicate = labels)]
            #[secondary(Pod, map = owners)]
            struct DatabaseSpec {}
        }), 5);
    }

    #[test]
    fn enums_and_missing_kinds_are_errors() {
        assert_eq!(errors(syn::parse_quote! { enum Database { A } }), 2);
    }

    #[test]
    fn names_and_durations() {
        assert_eq!(plural_snake("ConfigMap"), "config_maps");
        assert_eq!(plural_snake("Ingress"), "ingresses");
        assert_eq!(plural_snake("NetworkPolicy"), "network_policies");
        assert_eq!(plural_snake("Gateway"), "gateways");
        assert_eq!(upper_camel("config_maps"), "ConfigMaps");
        assert_eq!(parse_duration("2h30m"), Some(Duration::from_secs(9000)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("0s"), None);
        assert_eq!(parse_duration("30 minutes"), None);
        assert_eq!(closest("genration", BUILTIN_PREDICATES), Some("generation"));
        assert_eq!(closest("spec_hash", BUILTIN_PREDICATES), None);
    }
}
