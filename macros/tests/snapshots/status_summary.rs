/// The children of one [`App`], read from the watch caches.
#[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::default::Default)]
pub struct AppSecondaries {
    /// `Deployment` children.
    pub deployments: ::std::vec::Vec<::std::sync::Arc<Deployment>>,
    /// `Secret` children.
    pub secrets: ::std::vec::Vec<
        ::std::sync::Arc<::kube_secondary::__private::PartialObjectMeta<Secret>>,
    >,
}
/// The secondary kinds of [`App`].
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
pub enum AppSecondaryKind {
    /// `Deployment` children.
    Deployment,
    /// `Secret` children.
    Secret,
}
const _: () = {
    #[automatically_derived]
    impl AppSecondaryKind {
        /// Every declared kind, in declaration order.
        pub const ALL: &'static [Self] = &[Self::Deployment, Self::Secret];
        /// The kind's name, used in metrics: the variant's name.
        pub const fn name(self) -> &'static str {
            match self {
                Self::Deployment => "Deployment",
                Self::Secret => "Secret",
            }
        }
    }
    #[automatically_derived]
    impl ::core::fmt::Display for AppSecondaryKind {
        fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
            f.write_str(AppSecondaryKind::name(*self))
        }
    }
    #[automatically_derived]
    impl ::kube_secondary::__private::SecondaryKind for AppSecondaryKind {
        const ALL: &'static [Self] = AppSecondaryKind::ALL;
        fn name(self) -> &'static str {
            AppSecondaryKind::name(self)
        }
    }
};
const _: () = {
    #[automatically_derived]
    impl ::kube_secondary::__private::SecondaryAware for App {
        type Secondaries = AppSecondaries;
        type Kind = AppSecondaryKind;
        fn options() -> ::kube_secondary::__private::Options {
            ::kube_secondary::__private::Options::new(
                    ::kube_secondary::__private::Options::DEFAULT_RESYNC,
                    ::core::option::Option::None,
                )
                .with_status_summary()
        }
        fn declare(set: &mut ::kube_secondary::__private::WatchSet<Self>) {
            ::kube_secondary::__private::assert_secondary_resource::<Deployment>();
            ::kube_secondary::__private::assert_can_own::<Self, Deployment>();
            {
                fn add<
                    P: ::kube_secondary::__private::SecondaryAware,
                    K: ::kube_secondary::__private::SecondaryResource,
                >(set: &mut ::kube_secondary::__private::WatchSet<P>, kind: P::Kind) {
                    set.add(::kube_secondary::__private::watch_full::<P, K>(kind));
                }
                add::<Self, Deployment>(set, AppSecondaryKind::Deployment);
            }
            ::kube_secondary::__private::assert_secondary_resource::<Secret>();
            ::kube_secondary::__private::assert_can_own::<Self, Secret>();
            {
                fn add<
                    P: ::kube_secondary::__private::SecondaryAware,
                    K: ::kube_secondary::__private::SecondaryResource,
                >(set: &mut ::kube_secondary::__private::WatchSet<P>, kind: P::Kind) {
                    set.add(::kube_secondary::__private::watch_metadata::<P, K>(kind));
                }
                add::<Self, Secret>(set, AppSecondaryKind::Secret);
            }
        }
        fn secondaries(
            caches: &::kube_secondary::__private::Caches,
            primary: &Self,
        ) -> AppSecondaries {
            ::kube_secondary::__private::assert_secondary_resource::<Deployment>();
            ::kube_secondary::__private::assert_secondary_resource::<Secret>();
            AppSecondaries {
                deployments: caches.of::<Self, Deployment>(primary),
                secrets: {
                    fn metadata<
                        P: ::kube_secondary::__private::SecondaryAware,
                        K: ::kube_secondary::__private::SecondaryResource,
                    >(
                        caches: &::kube_secondary::__private::Caches,
                        primary: &P,
                    ) -> ::std::vec::Vec<
                        ::std::sync::Arc<
                            ::kube_secondary::__private::PartialObjectMeta<K>,
                        >,
                    > {
                        caches
                            .of::<
                                P,
                                ::kube_secondary::__private::PartialObjectMeta<K>,
                            >(primary)
                    }
                    metadata::<Self, Secret>(caches, primary)
                },
            }
        }
        fn status_summary(
            primary: &Self,
            secondaries: &AppSecondaries,
        ) -> ::kube_secondary::__private::Summary {
            ::kube_secondary::__private::assert_status_summary_feature::<
                ::kube_secondary::__private::StatusSummary,
            >();
            let mut summary = ::kube_secondary::__private::Summary::of(primary);
            ::kube_secondary::__private::assert_secondary_resource::<Deployment>();
            ::kube_secondary::__private::assert_secondary_resource::<Secret>();
            summary.add(&secondaries.deployments);
            {
                fn metadata<K: ::kube_secondary::__private::SecondaryResource>(
                    summary: &mut ::kube_secondary::__private::Summary,
                    children: &[::std::sync::Arc<
                        ::kube_secondary::__private::PartialObjectMeta<K>,
                    >],
                ) {
                    summary.add(children);
                }
                metadata::<Secret>(&mut summary, &secondaries.secrets);
            }
            summary
        }
    }
    #[automatically_derived]
    impl ::kube_secondary::__private::Declares<
        Deployment,
        ::kube_secondary::__private::Full,
    > for App {}
    #[automatically_derived]
    impl ::kube_secondary::__private::Declares<
        Secret,
        ::kube_secondary::__private::MetadataOnly,
    > for App {}
};
