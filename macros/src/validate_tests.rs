//! Every mistake is reported, once, in one compile: the tests count errors, as darling's own
//! `accrue_errors.rs` does.

use darling::FromDeriveInput;

use super::{Validated, validate};
use crate::attrs::Input;

/// The number of errors `#[derive(SecondaryAware)]` reports for `input`.
fn errors(input: syn::DeriveInput) -> usize {
    let input = Input::from_derive_input(&input).expect("the receiver reads any input");
    match validate(&input) {
        Validated::Errors(errors, _) => errors.flatten().len(),
        Validated::Model(_) | Validated::KubeReports => 0,
    }
}

#[test]
fn a_valid_declaration_has_no_errors() {
    let input = syn::parse_quote! {
        #[kube(group = "g", version = "v1", kind = "Database", namespaced, printcolumn = r#"{"name":"x"}"#)]
        #[secondaries(resync = "1h", periodic = "30s", crate = "::kube_secondary")]
        #[secondary(Deployment, predicate = generation | labels | my::hash, drift = my::drifted)]
        #[secondary(Secret, metadata_only)]
        #[secondary(Pod, map = label("app"), selector = "app=db", field = pods)]
        #[secondary(ConfigMap, map = annotation("owner"), predicate = (labels | annotations))]
        struct DatabaseSpec {}
    };
    assert_eq!(errors(input), 0);
}

#[test]
fn every_mistake_is_reported_at_once() {
    let input = syn::parse_quote! {
        #[secondaries(resync = "soon", periodc = "1m")]
        #[secondary(Deployment, predicate = genration | labls)]
        #[secondary(Deployment)]
        #[secondary(predicate = labels)]
        #[secondary(Pod, map = owners, selectr = "a=b")]
        struct DatabaseSpec {}
    };
    // resync, periodc, genration, labls, duplicate Deployment, missing kind, owners, selectr.
    assert_eq!(errors(input), 8);
}

#[test]
fn three_mistakes_make_three_errors() {
    let input = syn::parse_quote! {
        #[kube(group = "g", version = "v1", kind = "Database", namespaced)]
        #[secondary(Deployment, predicate = genration)]
        #[secondary(Service, metadata_onyl)]
        #[secondary(Service)]
        struct DatabaseSpec {}
    };
    assert_eq!(errors(input), 3);
}

#[test]
fn shapes_other_than_named_structs_are_errors() {
    assert_eq!(
        errors(syn::parse_quote! { #[secondary(Pod)] enum Database { A } }),
        1
    );
    assert_eq!(
        errors(syn::parse_quote! { #[secondary(Pod)] struct Database(u8); }),
        1
    );
    assert_eq!(
        errors(syn::parse_quote! { #[secondary(Pod)] struct Database<T> { t: T } }),
        1
    );
    assert_eq!(
        errors(syn::parse_quote! { #[secondary(Pod)] struct Database; }),
        0
    );
}

#[test]
fn a_type_without_secondaries_is_an_error() {
    assert_eq!(errors(syn::parse_quote! { struct Database {} }), 1);
}

#[test]
fn clashing_names_are_errors() {
    let same_field = syn::parse_quote! {
        #[secondary(Pod)]
        #[secondary(Service, field = pods)]
        struct Database {}
    };
    assert_eq!(errors(same_field), 1);
    let same_type_name = syn::parse_quote! {
        #[secondary(a::Config)]
        #[secondary(b::Config)]
        #[secondary(c::Config, field = c_configs)]
        struct Database {}
    };
    assert_eq!(errors(same_type_name), 1);
}

#[test]
fn misplaced_items_are_errors() {
    let input = syn::parse_quote! {
        #[secondary(Deployment, Service)]
        #[secondary("ConfigMap")]
        #[secondary(Secret, metadata_only = true, field = "secrets", selector = app)]
        #[secondary]
        struct Database {}
    };
    // Service, "ConfigMap", metadata_only = true, "secrets", app, bare attribute.
    assert_eq!(errors(input), 6);
}

#[test]
fn status_summary_is_a_flag() {
    let valid = syn::parse_quote! {
        #[secondaries(status_summary, resync = "1h")]
        #[secondary(Deployment)]
        struct Database {}
    };
    assert_eq!(errors(valid), 0);
    let mistakes = syn::parse_quote! {
        #[secondaries(status_summary = true)]
        #[secondaries(status_sumary)]
        #[secondary(Deployment)]
        struct Database {}
    };
    // A value for the flag, a misspelled key.
    assert_eq!(errors(mistakes), 2);
}

#[test]
fn lone_names_far_from_builtins_are_user_functions() {
    let input = syn::parse_quote! {
        #[secondary(ConfigMap, predicate = data_hash | self::label)]
        struct Database {}
    };
    assert_eq!(errors(input), 0);
}

#[test]
fn each_value_is_checked_where_it_is_parsed() {
    let input = syn::parse_quote! {
        #[secondaries(resync = "0s", periodic = 30, crate = "not a path", status_summary = true)]
        #[secondary(Deployment, predicate = 1 + 1, map = owners, selector = "a b", field = _)]
        #[secondary(Service, metadata_only, map = label(""))]
        struct Database {}
    };
    // resync, periodic, crate, status_summary; predicate, map, selector, field; empty label.
    assert_eq!(errors(input), 9);
}

#[test]
fn a_key_written_first_is_not_a_kind() {
    let input = syn::parse_quote! {
        #[secondary(metadata_only)]
        #[secondary(Secret, metadata_only)]
        struct Database {}
    };
    // The first has no kind; the second is fine.
    assert_eq!(errors(input), 1);
}

#[test]
fn drift_is_the_path_of_a_function() {
    let valid = syn::parse_quote! {
        #[secondary(Deployment, drift = rules::deployment_drifted)]
        #[secondary(Service, drift = service_drifted)]
        struct Database {}
    };
    assert_eq!(errors(valid), 0);
    let mistakes = syn::parse_quote! {
        #[secondary(Deployment, drift)]
        #[secondary(Service, drift = |desired, cached| desired != cached)]
        #[secondary(ConfigMap, drift = "rules::drifted")]
        #[secondary(Pod, drift = a, drift = b)]
        #[secondary(Secret, drfit = rules::drifted)]
        struct Database {}
    };
    // No value, a closure, a string, set twice, misspelled.
    assert_eq!(errors(mistakes), 5);
}

#[test]
fn drift_needs_the_whole_object() {
    let input = syn::parse_quote! {
        #[secondary(Secret, metadata_only, drift = rules::secret_drifted)]
        #[secondary(ConfigMap, drift = rules::config_map_drifted, metadata_only)]
        struct Database {}
    };
    // Once per attribute, in either order.
    assert_eq!(errors(input), 2);
}
