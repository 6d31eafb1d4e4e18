/// The children of one [`CacheResource`], read from the watch caches.
#[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::default::Default)]
struct CacheResourceSecondaries {
    /// `Deployment` children.
    deployments: ::std::vec::Vec<::std::sync::Arc<Deployment>>,
}
/// The secondary kinds of [`CacheResource`].
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
enum CacheResourceSecondaryKind {
    /// `Deployment` children.
    Deployment,
}
const _: () = {
    #[automatically_derived]
    impl CacheResourceSecondaryKind {
        /// Every declared kind, in declaration order.
        pub const ALL: &'static [Self] = &[Self::Deployment];
        /// The kind's name, used in metrics: the variant's name.
        pub const fn name(self) -> &'static str {
            match self {
                Self::Deployment => "Deployment",
            }
        }
    }
    #[automatically_derived]
    impl ::core::fmt::Display for CacheResourceSecondaryKind {
        fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
            f.write_str(CacheResourceSecondaryKind::name(*self))
        }
    }
    #[automatically_derived]
    impl ::kube_secondary::__private::SecondaryKind for CacheResourceSecondaryKind {
        const ALL: &'static [Self] = CacheResourceSecondaryKind::ALL;
        fn name(self) -> &'static str {
            CacheResourceSecondaryKind::name(self)
        }
    }
};
const _: () = {
    #[automatically_derived]
    impl ::kube_secondary::__private::SecondaryAware for CacheResource {
        type Secondaries = CacheResourceSecondaries;
        type Kind = CacheResourceSecondaryKind;
        fn options() -> ::kube_secondary::__private::Options {
            ::kube_secondary::__private::Options::new(
                ::kube_secondary::__private::Options::DEFAULT_RESYNC,
                ::core::option::Option::None,
            )
        }
        fn declare<D: ::kube_secondary::__private::Declare<Self>>(set: &mut D) {
            ::kube_secondary::__private::assert_secondary_resource::<Deployment>();
            ::kube_secondary::__private::assert_can_own::<Self, Deployment>();
            {
                fn add<
                    P: ::kube_secondary::__private::SecondaryAware,
                    K: ::kube_secondary::__private::SecondaryResource,
                    D: ::kube_secondary::__private::Declare<P>,
                >(set: &mut D, kind: P::Kind) {
                    ::kube_secondary::__private::Declare::add(
                        set,
                        kind,
                        ::kube_secondary::__private::watch_full::<K>(),
                    );
                }
                add::<Self, Deployment, D>(set, CacheResourceSecondaryKind::Deployment);
            }
        }
        fn secondaries<C: ::kube_secondary::__private::Children>(
            caches: &C,
            primary: &Self,
        ) -> CacheResourceSecondaries {
            ::kube_secondary::__private::assert_secondary_resource::<Deployment>();
            CacheResourceSecondaries {
                deployments: ::kube_secondary::__private::Children::of::<
                    Self,
                    Deployment,
                >(caches, primary),
            }
        }
    }
    #[automatically_derived]
    impl ::kube_secondary::__private::Declares<
        Deployment,
        ::kube_secondary::__private::Full,
    > for CacheResource {}
};
