/// The children of one [`Database`], read from the watch caches.
#[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::default::Default)]
pub struct DatabaseSecondaries {
    /// `Deployment` children.
    pub deployments: ::std::vec::Vec<::std::sync::Arc<Deployment>>,
    /// `Service` children.
    pub services: ::std::vec::Vec<::std::sync::Arc<Service>>,
    /// `Secret` children.
    pub secrets: ::std::vec::Vec<
        ::std::sync::Arc<::kube_secondary::__private::PartialObjectMeta<Secret>>,
    >,
    /// `ConfigMap` children.
    pub config_maps: ::std::vec::Vec<::std::sync::Arc<ConfigMap>>,
    /// `Pod` children.
    pub pods: ::std::vec::Vec<::std::sync::Arc<Pod>>,
    /// `PersistentVolumeClaim` children.
    pub persistent_volume_claims: ::std::vec::Vec<
        ::std::sync::Arc<PersistentVolumeClaim>,
    >,
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
    /// `Secret` children.
    Secret,
    /// `ConfigMap` children.
    ConfigMap,
    /// `Pod` children.
    Pods,
    /// `PersistentVolumeClaim` children.
    PersistentVolumeClaim,
}
const _: () = {
    #[automatically_derived]
    impl DatabaseSecondaryKind {
        /// Every declared kind, in declaration order.
        pub const ALL: &'static [Self] = &[
            Self::Deployment,
            Self::Service,
            Self::Secret,
            Self::ConfigMap,
            Self::Pods,
            Self::PersistentVolumeClaim,
        ];
        /// The kind's name, used in metrics: the variant's name.
        pub const fn name(self) -> &'static str {
            match self {
                Self::Deployment => "Deployment",
                Self::Service => "Service",
                Self::Secret => "Secret",
                Self::ConfigMap => "ConfigMap",
                Self::Pods => "Pods",
                Self::PersistentVolumeClaim => "PersistentVolumeClaim",
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
const _: () = {
    #[automatically_derived]
    impl ::kube_secondary::__private::SecondaryAware for Database {
        type Secondaries = DatabaseSecondaries;
        type Kind = DatabaseSecondaryKind;
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
                >(set: &mut D, kind: P::Kind, drift: fn(&K, &K) -> bool) {
                    ::kube_secondary::__private::Declare::add(
                        set,
                        kind,
                        ::kube_secondary::__private::watch_full::<K>()
                            .predicate(
                                ::kube_secondary::__private::predicates::generation,
                            )
                            .drift(drift),
                    );
                }
                add::<
                    Self,
                    Deployment,
                    D,
                >(
                    set,
                    DatabaseSecondaryKind::Deployment,
                    ::kube_secondary::__private::user_drift::<
                        Deployment,
                        fn(&Deployment, &Deployment) -> bool,
                    >(rules::deployment_drifted),
                );
            }
            ::kube_secondary::__private::assert_secondary_resource::<Service>();
            ::kube_secondary::__private::assert_can_own::<Self, Service>();
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
                add::<Self, Service, D>(set, DatabaseSecondaryKind::Service);
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
                add::<Self, Secret, D>(set, DatabaseSecondaryKind::Secret);
            }
            ::kube_secondary::__private::assert_secondary_resource::<ConfigMap>();
            ::kube_secondary::__private::assert_can_own::<Self, ConfigMap>();
            {
                fn add<
                    P: ::kube_secondary::__private::SecondaryAware,
                    K: ::kube_secondary::__private::SecondaryResource,
                    D: ::kube_secondary::__private::Declare<P>,
                >(set: &mut D, kind: P::Kind) {
                    ::kube_secondary::__private::Declare::add(
                        set,
                        kind,
                        ::kube_secondary::__private::watch_full::<K>()
                            .predicate(::kube_secondary::__private::predicates::labels)
                            .predicate(
                                ::kube_secondary::__private::predicates::annotations,
                            ),
                    );
                }
                add::<Self, ConfigMap, D>(set, DatabaseSecondaryKind::ConfigMap);
            }
            ::kube_secondary::__private::assert_secondary_resource::<Pod>();
            ::kube_secondary::__private::assert_can_own::<Self, Pod>();
            {
                fn add<
                    P: ::kube_secondary::__private::SecondaryAware,
                    K: ::kube_secondary::__private::SecondaryResource,
                    D: ::kube_secondary::__private::Declare<P>,
                >(set: &mut D, kind: P::Kind) {
                    ::kube_secondary::__private::Declare::add(
                        set,
                        kind,
                        ::kube_secondary::__private::watch_full::<K>()
                            .map_label("app.kubernetes.io/instance")
                            .selector("app=db"),
                    );
                }
                add::<Self, Pod, D>(set, DatabaseSecondaryKind::Pods);
            }
            ::kube_secondary::__private::assert_secondary_resource::<
                PersistentVolumeClaim,
            >();
            ::kube_secondary::__private::assert_can_own::<Self, PersistentVolumeClaim>();
            {
                fn add<
                    P: ::kube_secondary::__private::SecondaryAware,
                    K: ::kube_secondary::__private::SecondaryResource,
                    D: ::kube_secondary::__private::Declare<P>,
                >(
                    set: &mut D,
                    kind: P::Kind,
                    predicate_0: fn(&K) -> ::core::option::Option<u64>,
                ) {
                    ::kube_secondary::__private::Declare::add(
                        set,
                        kind,
                        ::kube_secondary::__private::watch_full::<K>()
                            .predicate(predicate_0)
                            .predicate(
                                ::kube_secondary::__private::predicates::generation,
                            ),
                    );
                }
                add::<
                    Self,
                    PersistentVolumeClaim,
                    D,
                >(
                    set,
                    DatabaseSecondaryKind::PersistentVolumeClaim,
                    ::kube_secondary::__private::user_predicate::<
                        PersistentVolumeClaim,
                        fn(&PersistentVolumeClaim) -> ::core::option::Option<u64>,
                    >(my_module::my_predicate),
                );
            }
        }
        fn secondaries<C: ::kube_secondary::__private::Children>(
            caches: &C,
            primary: &Self,
        ) -> DatabaseSecondaries {
            ::kube_secondary::__private::assert_secondary_resource::<Deployment>();
            ::kube_secondary::__private::assert_secondary_resource::<Service>();
            ::kube_secondary::__private::assert_secondary_resource::<Secret>();
            ::kube_secondary::__private::assert_secondary_resource::<ConfigMap>();
            ::kube_secondary::__private::assert_secondary_resource::<Pod>();
            ::kube_secondary::__private::assert_secondary_resource::<
                PersistentVolumeClaim,
            >();
            DatabaseSecondaries {
                deployments: ::kube_secondary::__private::Children::of::<
                    Self,
                    Deployment,
                >(caches, primary),
                services: ::kube_secondary::__private::Children::of::<
                    Self,
                    Service,
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
                config_maps: ::kube_secondary::__private::Children::of::<
                    Self,
                    ConfigMap,
                >(caches, primary),
                pods: ::kube_secondary::__private::Children::of::<
                    Self,
                    Pod,
                >(caches, primary),
                persistent_volume_claims: ::kube_secondary::__private::Children::of::<
                    Self,
                    PersistentVolumeClaim,
                >(caches, primary),
            }
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
    impl ::kube_secondary::__private::Declares<
        Secret,
        ::kube_secondary::__private::MetadataOnly,
    > for Database {}
    #[automatically_derived]
    impl ::kube_secondary::__private::Declares<
        ConfigMap,
        ::kube_secondary::__private::Full,
    > for Database {}
    #[automatically_derived]
    impl ::kube_secondary::__private::Declares<Pod, ::kube_secondary::__private::Full>
    for Database {}
    #[automatically_derived]
    impl ::kube_secondary::__private::Declares<
        PersistentVolumeClaim,
        ::kube_secondary::__private::Full,
    > for Database {}
};
