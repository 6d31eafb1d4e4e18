///The children of one [`Database`], read from the watch caches.
#[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::default::Default)]
pub struct DatabaseSecondaries {
    ///`Deployment` children.
    pub deployments: ::kube_secondary::__private::Vec<
        ::kube_secondary::__private::Arc<Deployment>,
    >,
    ///`Service` children.
    pub services: ::kube_secondary::__private::Vec<
        ::kube_secondary::__private::Arc<Service>,
    >,
    ///`Secret` children.
    pub secrets: ::kube_secondary::__private::Vec<
        ::kube_secondary::__private::Arc<
            ::kube_secondary::__private::PartialObjectMeta<Secret>,
        >,
    >,
    ///`ConfigMap` children.
    pub config_maps: ::kube_secondary::__private::Vec<
        ::kube_secondary::__private::Arc<ConfigMap>,
    >,
    ///`Pod` children.
    pub pods: ::kube_secondary::__private::Vec<::kube_secondary::__private::Arc<Pod>>,
}
///The secondary kinds of [`Database`].
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
    ///`Deployment` children.
    Deployment,
    ///`Service` children.
    Service,
    ///`Secret` children.
    Secret,
    ///`ConfigMap` children.
    ConfigMap,
    ///`Pod` children.
    Pods,
}
const _: () = {
    #[automatically_derived]
    impl ::core::fmt::Display for DatabaseSecondaryKind {
        fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
            f.write_str(::kube_secondary::__private::SecondaryKind::name(*self))
        }
    }
    #[automatically_derived]
    impl ::kube_secondary::__private::SecondaryKind for DatabaseSecondaryKind {
        const ALL: &'static [Self] = &[
            Self::Deployment,
            Self::Service,
            Self::Secret,
            Self::ConfigMap,
            Self::Pods,
        ];
        fn name(self) -> &'static str {
            match self {
                Self::Deployment => "Deployment",
                Self::Service => "Service",
                Self::Secret => "Secret",
                Self::ConfigMap => "ConfigMap",
                Self::Pods => "Pod",
            }
        }
    }
    #[automatically_derived]
    impl ::kube_secondary::__private::SecondaryAware for Database {
        type Secondaries = DatabaseSecondaries;
        type Kind = DatabaseSecondaryKind;
        fn options() -> ::kube_secondary::__private::Options {
            ::kube_secondary::__private::Options::new(
                ::kube_secondary::__private::Duration::from_millis(3600000u64),
                ::core::option::Option::Some(
                    ::kube_secondary::__private::Duration::from_millis(30000u64),
                ),
            )
        }
        fn declare(set: &mut ::kube_secondary::__private::WatchSet<Self>) {
            ::kube_secondary::__private::assert_secondary_resource::<Deployment>();
            ::kube_secondary::__private::assert_can_own::<Self, Deployment>();
            set.add(
                ::kube_secondary::__private::watch_full::<
                    Self,
                    Deployment,
                >(DatabaseSecondaryKind::Deployment)
                    .predicate(::kube_secondary::__private::predicates::generation)
                    .predicate(::kube_secondary::__private::predicates::labels),
            );
            ::kube_secondary::__private::assert_secondary_resource::<Service>();
            ::kube_secondary::__private::assert_can_own::<Self, Service>();
            set.add(
                ::kube_secondary::__private::watch_full::<
                    Self,
                    Service,
                >(DatabaseSecondaryKind::Service),
            );
            ::kube_secondary::__private::assert_secondary_resource::<Secret>();
            ::kube_secondary::__private::assert_can_own::<Self, Secret>();
            set.add(
                ::kube_secondary::__private::watch_metadata::<
                    Self,
                    Secret,
                >(DatabaseSecondaryKind::Secret),
            );
            ::kube_secondary::__private::assert_secondary_resource::<ConfigMap>();
            ::kube_secondary::__private::assert_can_own::<Self, ConfigMap>();
            set.add(
                ::kube_secondary::__private::watch_full::<
                    Self,
                    ConfigMap,
                >(DatabaseSecondaryKind::ConfigMap)
                    .predicate(
                        ::kube_secondary::__private::user_predicate::<
                            ConfigMap,
                            _,
                        >(checks::data_hash),
                    ),
            );
            ::kube_secondary::__private::assert_secondary_resource::<Pod>();
            ::kube_secondary::__private::assert_can_own::<Self, Pod>();
            set.add(
                ::kube_secondary::__private::watch_full::<
                    Self,
                    Pod,
                >(DatabaseSecondaryKind::Pods)
                    .map_label("app.kubernetes.io/instance")
                    .selector("app=db"),
            );
        }
        fn secondaries(
            caches: &::kube_secondary::__private::Caches,
            primary: &Self,
        ) -> DatabaseSecondaries {
            DatabaseSecondaries {
                deployments: caches.children::<Self, Deployment>(0usize, primary),
                services: caches.children::<Self, Service>(1usize, primary),
                secrets: caches
                    .children::<
                        Self,
                        ::kube_secondary::__private::PartialObjectMeta<Secret>,
                    >(2usize, primary),
                config_maps: caches.children::<Self, ConfigMap>(3usize, primary),
                pods: caches.children::<Self, Pod>(4usize, primary),
            }
        }
    }
};
