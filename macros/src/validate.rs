//! The cross-attribute checks: the shape of the annotated type, at least one kind, each kind and
//! each generated name once. One accumulator collects every mistake, each at its own token, so
//! the user sees all of them in one compile. A valid declaration becomes the `Model`; otherwise
//! what parsed feeds the fallback stub.

use darling::Error;
use darling::error::Accumulator;
use syn::ext::IdentExt;

use crate::attrs::{Input, KubePrimary, SecondariesAttr, SecondaryAttr, Shape};
use crate::model::{Items, Kind, Model, Stub};
use crate::names::{plural_snake, upper_camel};

/// What the derive makes of its input.
pub enum Validated {
    Model(Model),
    /// Every error found, and what parsed, for the stub emitted beside them.
    Errors(Error, Stub),
    /// `#[kube(...)]` names no kind: kube-derive reports it, and generating for the spec struct
    /// would only add follow-on errors.
    KubeReports,
}

/// The model of `input`, or every error found in it.
pub fn validate(input: &Input) -> Validated {
    let mut errors = Error::accumulator();
    let supported_shape = check_shape(input, &mut errors);
    let options = SecondariesAttr::from_attributes(input.attrs("secondaries"), &mut errors);
    let mut kinds: Vec<Kind> = Vec::new();
    for attr in input.attrs("secondary") {
        if let Some(parsed) = SecondaryAttr::from_attribute(attr, &mut errors) {
            let kind = kind(parsed);
            check_unique(&mut errors, &kinds, &kind);
            kinds.push(kind);
        }
    }
    if input.attrs("secondary").next().is_none() {
        errors.push(
            Error::custom(
                "declare at least one `#[secondary(Kind)]` on this type, e.g. `#[secondary(Deployment)]`, naming a kind its primary owns",
            )
            .with_span(&input.ident),
        );
    }

    let primary = match KubePrimary::from_attributes(input.attrs("kube")) {
        KubePrimary::Absent => Some(input.ident.clone()),
        KubePrimary::Named(primary) => Some(primary),
        KubePrimary::Unnamed => None,
    };
    let named = primary.clone().unwrap_or_else(|| input.ident.clone());
    let items = Items {
        secondaries: syn::Ident::new(&format!("{named}Secondaries"), named.span()),
        kind_enum: syn::Ident::new(&format!("{named}SecondaryKind"), named.span()),
        primary: named,
        vis: input.vis.clone(),
        krate: options
            .krate
            .unwrap_or_else(|| syn::parse_quote!(::kube_secondary)),
    };
    match (errors.finish(), primary) {
        (Err(errors), primary) => Validated::Errors(
            errors,
            Stub {
                items,
                kinds,
                // A type of the wrong shape cannot be a primary; a missing primary is kube's
                // error.
                aware: supported_shape && primary.is_some(),
            },
        ),
        (Ok(()), None) => Validated::KubeReports,
        (Ok(()), Some(_)) => Validated::Model(Model {
            items,
            resync: options.resync,
            periodic: options.periodic,
            status_summary: options.status_summary,
            kinds,
        }),
    }
}

/// Whether the annotated type is a non-generic struct with named fields (or a unit struct);
/// otherwise the errors say so.
fn check_shape(input: &Input, errors: &mut Accumulator) -> bool {
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
    let generic = !input.generics.params.is_empty();
    if generic {
        errors.push(
            Error::custom("`#[derive(SecondaryAware)]` does not support generic parameters; declare it on a concrete type")
                .with_span(&input.generics.params),
        );
    }
    unsupported.is_none() && !generic
}

/// The kind of one attribute, with its generated names: the kind's type name (its variant) and
/// that name in plural snake case (its field), or `field` and that in upper camel case.
fn kind(attr: SecondaryAttr) -> Kind {
    let (variant, field) = match attr.field {
        Some(field) => (
            syn::Ident::new(&upper_camel(&field.unraw().to_string()), field.span()),
            field,
        ),
        None => {
            let type_name = attr
                .kind
                .segments
                .last()
                .expect("a path has a segment")
                .ident
                .unraw();
            let field = plural_snake(&type_name.to_string());
            (type_name.clone(), syn::Ident::new(&field, type_name.span()))
        }
    };
    Kind {
        ty: attr.kind,
        variant,
        field,
        form: attr.form,
        predicates: attr.predicates,
        mapping: attr.mapping,
        selector: attr.selector,
    }
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

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
