/// The children of one [`Backup`], read from the watch caches.
#[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::default::Default)]
pub(crate) struct BackupSecondaries {
    /// `k8s_openapi::api::batch::v1::Job` children.
    pub(crate) jobs: ::std::vec::Vec<::std::sync::Arc<k8s_openapi::api::batch::v1::Job>>,
    /// `Secret` children.
    pub(crate) secrets: ::std::vec::Vec<
        ::std::sync::Arc<
            crate::reexports::kube_secondary::__private::PartialObjectMeta<Secret>,
        >,
    >,
}
/// The secondary kinds of [`Backup`].
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
pub(crate) enum BackupSecondaryKind {
    /// `k8s_openapi::api::batch::v1::Job` children.
    Job,
    /// `Secret` children.
    Secret,
}
const _: () = {
    #[automatically_derived]
    impl BackupSecondaryKind {
        /// Every declared kind, in declaration order.
        pub const ALL: &'static [Self] = &[Self::Job, Self::Secret];
        /// The kind's name, used in metrics: the variant's name.
        pub const fn name(self) -> &'static str {
            match self {
                Self::Job => "Job",
                Self::Secret => "Secret",
            }
        }
    }
    #[automatically_derived]
    impl ::core::fmt::Display for BackupSecondaryKind {
        fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
            f.write_str(BackupSecondaryKind::name(*self))
        }
    }
    #[automatically_derived]
    impl crate::reexports::kube_secondary::__private::SecondaryKind
    for BackupSecondaryKind {
        const ALL: &'static [Self] = BackupSecondaryKind::ALL;
        fn name(self) -> &'static str {
            BackupSecondaryKind::name(self)
        }
    }
};
const _: () = {
    #[automatically_derived]
    impl crate::reexports::kube_secondary::__private::SecondaryAware for Backup {
        type Secondaries = BackupSecondaries;
        type Kind = BackupSecondaryKind;
        fn options() -> crate::reexports::kube_secondary::__private::Options {
            crate::reexports::kube_secondary::__private::Options::new(
                ::core::time::Duration::from_secs(9000u64),
                ::core::option::Option::Some(::core::time::Duration::from_millis(500u64)),
            )
        }
        fn declare(
            set: &mut crate::reexports::kube_secondary::__private::WatchSet<Self>,
        ) {
            crate::reexports::kube_secondary::__private::assert_secondary_resource::<
                k8s_openapi::api::batch::v1::Job,
            >();
            crate::reexports::kube_secondary::__private::assert_can_own::<
                Self,
                k8s_openapi::api::batch::v1::Job,
            >();
            {
                fn add<
                    P: crate::reexports::kube_secondary::__private::SecondaryAware,
                    K: crate::reexports::kube_secondary::__private::SecondaryResource,
                >(
                    set: &mut crate::reexports::kube_secondary::__private::WatchSet<P>,
                    kind: P::Kind,
                ) {
                    set.add(
                        crate::reexports::kube_secondary::__private::watch_full::<
                            P,
                            K,
                        >(kind)
                            .map_annotation("example.com/owner"),
                    );
                }
                add::<
                    Self,
                    k8s_openapi::api::batch::v1::Job,
                >(set, BackupSecondaryKind::Job);
            }
            crate::reexports::kube_secondary::__private::assert_secondary_resource::<
                Secret,
            >();
            crate::reexports::kube_secondary::__private::assert_can_own::<
                Self,
                Secret,
            >();
            {
                fn add<
                    P: crate::reexports::kube_secondary::__private::SecondaryAware,
                    K: crate::reexports::kube_secondary::__private::SecondaryResource,
                >(
                    set: &mut crate::reexports::kube_secondary::__private::WatchSet<P>,
                    kind: P::Kind,
                    predicate_0: fn(
                        &crate::reexports::kube_secondary::__private::PartialObjectMeta<
                            K,
                        >,
                    ) -> ::core::option::Option<u64>,
                ) {
                    set.add(
                        crate::reexports::kube_secondary::__private::watch_metadata::<
                            P,
                            K,
                        >(kind)
                            .predicate(predicate_0),
                    );
                }
                add::<
                    Self,
                    Secret,
                >(
                    set,
                    BackupSecondaryKind::Secret,
                    crate::reexports::kube_secondary::__private::user_predicate::<
                        crate::reexports::kube_secondary::__private::PartialObjectMeta<
                            Secret,
                        >,
                        fn(
                            &crate::reexports::kube_secondary::__private::PartialObjectMeta<
                                Secret,
                            >,
                        ) -> ::core::option::Option<u64>,
                    >(secret_labels),
                );
            }
        }
        fn secondaries(
            caches: &crate::reexports::kube_secondary::__private::Caches,
            primary: &Self,
        ) -> BackupSecondaries {
            crate::reexports::kube_secondary::__private::assert_secondary_resource::<
                k8s_openapi::api::batch::v1::Job,
            >();
            crate::reexports::kube_secondary::__private::assert_secondary_resource::<
                Secret,
            >();
            BackupSecondaries {
                jobs: caches.of::<Self, k8s_openapi::api::batch::v1::Job>(primary),
                secrets: {
                    fn metadata<
                        P: crate::reexports::kube_secondary::__private::SecondaryAware,
                        K: crate::reexports::kube_secondary::__private::SecondaryResource,
                    >(
                        caches: &crate::reexports::kube_secondary::__private::Caches,
                        primary: &P,
                    ) -> ::std::vec::Vec<
                        ::std::sync::Arc<
                            crate::reexports::kube_secondary::__private::PartialObjectMeta<
                                K,
                            >,
                        >,
                    > {
                        caches
                            .of::<
                                P,
                                crate::reexports::kube_secondary::__private::PartialObjectMeta<
                                    K,
                                >,
                            >(primary)
                    }
                    metadata::<Self, Secret>(caches, primary)
                },
            }
        }
    }
    #[automatically_derived]
    impl crate::reexports::kube_secondary::__private::Declares<
        k8s_openapi::api::batch::v1::Job,
        crate::reexports::kube_secondary::__private::Full,
    > for Backup {}
    #[automatically_derived]
    impl crate::reexports::kube_secondary::__private::Declares<
        Secret,
        crate::reexports::kube_secondary::__private::MetadataOnly,
    > for Backup {}
};
