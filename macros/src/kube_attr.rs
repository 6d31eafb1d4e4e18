//! kube's `#[kube(...)]`, read only for the name of the type it generates.

use darling::FromMeta;
use darling::ast::NestedMeta;
use darling::util::SpannedValue;

/// `#[kube(kind = "...", root = "...", ...)]`: the name of the resource type kube generates.
/// Every other key is kube's business.
#[derive(FromMeta)]
#[darling(allow_unknown_fields)]
struct KubeAttr {
    kind: Option<SpannedValue<String>>,
    /// kube's override of the generated struct's name.
    root: Option<SpannedValue<String>>,
}

/// What kube's `#[kube(...)]` says the primary is.
pub enum KubePrimary {
    /// No `#[kube(...)]`: the annotated type is the resource itself.
    Absent,
    /// The struct kube generates: `root`, else `kind`, spanned where it is written.
    Named(syn::Ident),
    /// `#[kube(...)]` names no valid kind; kube-derive reports that.
    Unnamed,
}

impl KubePrimary {
    /// Reads kube's attributes; their mistakes are kube-derive's to report.
    pub fn from_attributes<'a>(attrs: impl Iterator<Item = &'a syn::Attribute>) -> Self {
        let mut written = false;
        let mut name = None;
        for attr in attrs {
            written = true;
            let syn::Meta::List(list) = &attr.meta else {
                continue;
            };
            let Ok(items) = NestedMeta::parse_meta_list(list.tokens.clone()) else {
                continue;
            };
            let Ok(kube) = KubeAttr::from_list(&items) else {
                continue;
            };
            name = kube.root.or(kube.kind).or(name);
        }
        if !written {
            return KubePrimary::Absent;
        }
        let Some(name) = name else {
            return KubePrimary::Unnamed;
        };
        match syn::parse_str::<syn::Ident>(&name) {
            Ok(ident) => KubePrimary::Named(syn::Ident::new(&ident.to_string(), name.span())),
            Err(_) => KubePrimary::Unnamed,
        }
    }
}
