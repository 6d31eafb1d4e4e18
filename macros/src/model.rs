//! The checked model the expansion works from; it keeps the user's tokens for spans.

use std::time::Duration;

/// Everything the derive generates code from.
pub struct Model {
    /// The primary resource type (`Database`).
    pub primary: syn::Ident,
    /// Visibility of the generated items: the annotated struct's.
    pub vis: syn::Visibility,
    /// The facade crate path, `::kube_secondary` unless overridden.
    pub krate: syn::Path,
    pub resync: Duration,
    pub periodic: Option<Duration>,
    pub kinds: Vec<Kind>,
}

impl Model {
    /// `DatabaseSecondaries`.
    pub fn secondaries_ident(&self) -> syn::Ident {
        quote::format_ident!("{}Secondaries", self.primary)
    }

    /// `DatabaseSecondaryKind`.
    pub fn kind_ident(&self) -> syn::Ident {
        quote::format_ident!("{}SecondaryKind", self.primary)
    }
}

/// One declared secondary kind.
pub struct Kind {
    /// The kind's type as written.
    pub ty: syn::Path,
    /// The enum variant naming it.
    pub variant: syn::Ident,
    /// The field of the typed cache struct.
    pub field: syn::Ident,
    pub metadata_only: bool,
    /// Predicates combined with `|`; empty means the runtime's default.
    pub predicates: Vec<Predicate>,
    pub mapping: Mapping,
    pub selector: Option<syn::LitStr>,
}

/// One predicate of `predicate = a | b`.
pub enum Predicate {
    /// `generation`, `labels`, `annotations`, `resource_version`.
    Builtin(syn::Ident),
    /// A user function `fn(&K) -> Option<u64>`.
    User(syn::Path),
}

/// How a child names its primary.
pub enum Mapping {
    Owner,
    Label(syn::LitStr),
    Annotation(syn::LitStr),
}
