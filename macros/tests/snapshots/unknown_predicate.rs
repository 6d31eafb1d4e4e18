::core::compile_error! {
    "unknown predicate `genration` in `#[secondary(...)]`; did you mean `generation`?"
}
#[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::default::Default)]
pub struct DatabaseSecondaries {}
#[derive(
    ::core::clone::Clone,
    ::core::marker::Copy,
    ::core::fmt::Debug,
    ::core::cmp::PartialEq,
    ::core::cmp::Eq,
    ::core::hash::Hash,
    ::core::cmp::PartialOrd,
    ::core::cmp::Ord
)]
pub enum DatabaseSecondaryKind {}
