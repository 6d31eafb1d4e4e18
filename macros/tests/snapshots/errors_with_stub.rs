::core::compile_error! {
    "unknown predicate `genration` in `#[secondary(...)]`; did you mean `generation`? (for your own function, write its path, e.g. `self::genration`)"
}
::core::compile_error! {
    "unknown key `preducate` in `#[secondary(...)]`; did you mean `predicate`?"
}
::core::compile_error! {
    "`Service` is declared twice with `#[secondary(...)]`; declare each kind once and combine its predicates with `|`"
}
/// The children of one [`Database`], read from the watch caches.
#[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::default::Default)]
pub struct DatabaseSecondaries {
    /// `Deployment` children.
    pub deployments: ::std::vec::Vec<::std::sync::Arc<Deployment>>,
    /// `Service` children.
    pub services: ::std::vec::Vec<::std::sync::Arc<Service>>,
    /// `Pod` children.
    pub pods: ::std::vec::Vec<::std::sync::Arc<Pod>>,
}
/// The secondary kinds of [`Database`].
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
pub enum DatabaseSecondaryKind {
    /// `Deployment` children.
    Deployment,
    /// `Service` children.
    Service,
    /// `Pod` children.
    Pod,
}
const _: () = {
    #[automatically_derived]
    impl DatabaseSecondaryKind {
        /// Every declared kind, in declaration order.
        pub const ALL: &'static [Self] = &[Self::Deployment, Self::Service, Self::Pod];
        /// The kind's name, used in metrics: the variant's name.
        pub const fn name(self) -> &'static str {
            match self {
                Self::Deployment => "Deployment",
                Self::Service => "Service",
                Self::Pod => "Pod",
            }
        }
    }
    #[automatically_derived]
    impl ::core::fmt::Display for DatabaseSecondaryKind {
        fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
            f.write_str(DatabaseSecondaryKind::name(*self))
        }
    }
    #[automatically_derived]
    impl ::kube_secondary::__private::SecondaryKind for DatabaseSecondaryKind {
        const ALL: &'static [Self] = DatabaseSecondaryKind::ALL;
        fn name(self) -> &'static str {
            DatabaseSecondaryKind::name(self)
        }
    }
};
const _: ::core::marker::PhantomData<(Deployment, Service, Pod, Service)> = ::core::marker::PhantomData;
const _: () = {
    #[automatically_derived]
    impl ::kube_secondary::__private::SecondaryAware for Database {
        type Secondaries = DatabaseSecondaries;
        type Kind = DatabaseSecondaryKind;
        fn options() -> ::kube_secondary::__private::Options {
            ::core::unreachable!()
        }
        fn declare<D: ::kube_secondary::__private::Declare<Self>>(_: &mut D) {
            ::core::unreachable!()
        }
        fn secondaries<C: ::kube_secondary::__private::Children>(
            _: &C,
            _: &Self,
        ) -> DatabaseSecondaries {
            ::core::unreachable!()
        }
    }
    #[automatically_derived]
    impl ::kube_secondary::__private::Declares<
        Deployment,
        ::kube_secondary::__private::Full,
    > for Database {}
    #[automatically_derived]
    impl ::kube_secondary::__private::Declares<
        Service,
        ::kube_secondary::__private::Full,
    > for Database {}
    #[automatically_derived]
    impl ::kube_secondary::__private::Declares<Pod, ::kube_secondary::__private::Full>
    for Database {}
};
