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
        fn declare<D: crate::reexports::kube_secondary::__private::Declare<Self>>(
            set: &mut D,
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
                    D: crate::reexports::kube_secondary::__private::Declare<P>,
                >(set: &mut D, kind: P::Kind) {
                    crate::reexports::kube_secondary::__private::Declare::add(
                        set,
                        kind,
                        crate::reexports::kube_secondary::__private::watch_full::<K>()
                            .map_annotation("example.com/owner"),
                    );
                }
                add::<
                    Self,
                    k8s_openapi::api::batch::v1::Job,
                    D,
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
                    D: crate::reexports::kube_secondary::__private::Declare<P>,
                >(
                    set: &mut D,
                    kind: P::Kind,
                    predicate_0: fn(
                        &crate::reexports::kube_secondary::__private::PartialObjectMeta<
                            K,
                        >,
                    ) -> ::core::option::Option<u64>,
                ) {
                    crate::reexports::kube_secondary::__private::Declare::add(
                        set,
                        kind,
                        crate::reexports::kube_secondary::__private::watch_metadata::<
                            K,
                        >()
                            .predicate(predicate_0),
                    );
                }
                add::<
                    Self,
                    Secret,
                    D,
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
        fn secondaries<C: crate::reexports::kube_secondary::__private::Children>(
            caches: &C,
            primary: &Self,
        ) -> BackupSecondaries {
            crate::reexports::kube_secondary::__private::assert_secondary_resource::<
                k8s_openapi::api::batch::v1::Job,
            >();
            crate::reexports::kube_secondary::__private::assert_secondary_resource::<
                Secret,
            >();
            BackupSecondaries {
                jobs: crate::reexports::kube_secondary::__private::Children::of::<
                    Self,
                    k8s_openapi::api::batch::v1::Job,
                >(caches, primary),
                secrets: {
                    fn metadata<
                        P: crate::reexports::kube_secondary::__private::SecondaryAware,
                        K: crate::reexports::kube_secondary::__private::SecondaryResource,
                        C: crate::reexports::kube_secondary::__private::Children,
                    >(
                        caches: &C,
                        primary: &P,
                    ) -> ::std::vec::Vec<
                        ::std::sync::Arc<
                            crate::reexports::kube_secondary::__private::PartialObjectMeta<
                                K,
                            >,
                        >,
                    > {
                        crate::reexports::kube_secondary::__private::Children::of::<
                            P,
                            crate::reexports::kube_secondary::__private::PartialObjectMeta<
                                K,
                            >,
                        >(caches, primary)
                    }
                    metadata::<Self, Secret, C>(caches, primary)
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
