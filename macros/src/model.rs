//! The checked model the expansion works from: only a valid declaration becomes a `Model`. It
//! keeps the user's tokens for spans.

use std::time::Duration;

/// Everything the derive generates code from.
pub struct Model {
    pub items: Items,
    /// `None`: the runtime's `Options::DEFAULT_RESYNC`.
    pub resync: Option<Duration>,
    pub periodic: Option<Duration>,
    /// `#[secondaries(status_summary)]`, spanned where it is written for the feature check.
    pub status_summary: Option<proc_macro2::Span>,
    /// In declaration order; each cached type once, which names its cache.
    pub kinds: Vec<Kind>,
}

/// The generated items' names and home, shared by the expansion and the fallback stub.
pub struct Items {
    /// The primary resource type (`Database`), which the items are named after; in the stub of a
    /// declaration whose `#[kube(...)]` names no kind, the annotated type.
    pub primary: syn::Ident,
    /// `DatabaseSecondaries`.
    pub secondaries: syn::Ident,
    /// `DatabaseSecondaryKind`.
    pub kind_enum: syn::Ident,
    /// Visibility of the generated items: the annotated struct's.
    pub vis: syn::Visibility,
    /// The facade crate path, `::kube_secondary` unless overridden.
    pub krate: syn::Path,
}

/// One declared secondary kind.
pub struct Kind {
    /// The kind's type as written.
    pub ty: syn::Path,
    /// The enum variant naming it; its text is also the kind's name in metrics.
    pub variant: syn::Ident,
    /// The field of the typed cache struct.
    pub field: syn::Ident,
    /// Cached whole (with its drift rule, if any) or as metadata only.
    pub form: Form,
    /// Predicates combined with `|`; empty means the runtime's default.
    pub predicates: Vec<Predicate>,
    pub mapping: Mapping,
    pub selector: Option<syn::LitStr>,
}

impl Kind {
    /// The type's name as written, for docs and errors: `Deployment`, `apps::v1::Deployment`.
    pub fn type_name(&self) -> String {
        crate::names::path_text(&self.ty)
    }

    /// `metadata_only`: the cache holds `PartialObjectMeta<Kind>`.
    pub fn metadata_only(&self) -> bool {
        matches!(self.form, Form::MetadataOnly)
    }
}

/// How a kind is cached. A drift rule compares whole objects, so only a kind cached whole has one.
pub enum Form {
    /// The whole object; `drift = path` names a user function `fn(&Kind, &Kind) -> bool` that
    /// replaces `Context::apply`'s comparison.
    Full { drift: Option<syn::Path> },
    /// `metadata_only`.
    MetadataOnly,
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

/// What parsed from an invalid declaration: enough to name the generated items.
pub struct Stub {
    pub items: Items,
    /// Every kind that could be read, in declaration order; names may clash (an error already).
    pub kinds: Vec<Kind>,
    /// Whether the primary gets a stub impl: not when the annotated type has a shape that cannot
    /// be a primary, nor when `#[kube(...)]` names none.
    pub aware: bool,
}
