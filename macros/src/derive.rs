//! The derive: read the input, validate it, then expand it, or on errors emit the errors and a
//! stub (`fallback`).

use darling::FromDeriveInput;
use proc_macro2::TokenStream;

use crate::attrs::Input;
use crate::validate::{self, Validated};
use crate::{expand, fallback};

/// The derive: read, validate, expand; on errors, the errors plus a stub (see `fallback.rs`).
pub fn derive(input: TokenStream) -> TokenStream {
    let input = match syn::parse2::<syn::DeriveInput>(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let input = match Input::from_derive_input(&input) {
        Ok(input) => input,
        Err(error) => return error.write_errors(),
    };
    match validate::validate(&input) {
        Validated::Model(model) => expand::expand(&model),
        Validated::Errors(errors, stub) => fallback::expand(errors, &stub),
        Validated::KubeReports => TokenStream::new(),
    }
}
