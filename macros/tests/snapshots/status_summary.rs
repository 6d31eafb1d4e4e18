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
                add::<Self, Deployment, D>(set, AppSecondaryKind::Deployment);
            }
            ::kube_secondary::__private::assert_secondary_resource::<Secret>();
            ::kube_secondary::__private::assert_can_own::<Self, Secret>();
            {
                fn add<
                    P: ::kube_secondary::__private::SecondaryAware,
                    K: ::kube_secondary::__private::SecondaryResource,
                    D: ::kube_secondary::__private::Declare<P>,
                >(set: &mut D, kind: P::Kind) {
                    ::kube_secondary::__private::Declare::add(
                        set,
                        kind,
                        ::kube_secondary::__private::watch_metadata::<K>(),
                    );
                }
                add::<Self, Secret, D>(set, AppSecondaryKind::Secret);
            }
        }
        fn secondaries<C: ::kube_secondary::__private::Children>(
            caches: &C,
            primary: &Self,
        ) -> AppSecondaries {
            ::kube_secondary::__private::assert_secondary_resource::<Deployment>();
            ::kube_secondary::__private::assert_secondary_resource::<Secret>();
            AppSecondaries {
                deployments: ::kube_secondary::__private::Children::of::<
                    Self,
                    Deployment,
                >(caches, primary),
                secrets: {
                    fn metadata<
                        P: ::kube_secondary::__private::SecondaryAware,
                        K: ::kube_secondary::__private::SecondaryResource,
                        C: ::kube_secondary::__private::Children,
                    >(
                        caches: &C,
                        primary: &P,
                    ) -> ::std::vec::Vec<
                        ::std::sync::Arc<
                            ::kube_secondary::__private::PartialObjectMeta<K>,
                        >,
                    > {
                        ::kube_secondary::__private::Children::of::<
                            P,
                            ::kube_secondary::__private::PartialObjectMeta<K>,
                        >(caches, primary)
                    }
                    metadata::<Self, Secret, C>(caches, primary)
                },
            }
        }
        fn status_summary<S: ::kube_secondary::__private::Summarize>(
            primary: &Self,
            secondaries: &AppSecondaries,
            summary: &mut S,
        ) {
            ::kube_secondary::__private::assert_status_summary_feature::<
                ::kube_secondary::__private::StatusSummary,
            >();
            let _ = primary;
            ::kube_secondary::__private::assert_secondary_resource::<Deployment>();
            ::kube_secondary::__private::assert_secondary_resource::<Secret>();
            ::kube_secondary::__private::Summarize::add(
                summary,
                &secondaries.deployments,
            );
            {
                fn metadata<
                    K: ::kube_secondary::__private::SecondaryResource,
                    S: ::kube_secondary::__private::Summarize,
                >(
                    summary: &mut S,
                    children: &[::std::sync::Arc<
                        ::kube_secondary::__private::PartialObjectMeta<K>,
                    >],
                ) {
                    ::kube_secondary::__private::Summarize::add(summary, children);
                }
                metadata::<Secret, S>(summary, &secondaries.secrets);
            }
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
