//! A hand-written primary for the unit tests: what the derive generates, spelled out.

use std::fmt;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::Resource;
use kube::api::ObjectMeta;

use crate::aware::{Declare, Options, SecondaryAware, SecondaryKind};
use crate::kinds::declaration::watch_full;

/// The primary: a Deployment stands in for a custom resource.
pub(crate) type Primary = Deployment;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    ConfigMap,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl SecondaryKind for Kind {
    const ALL: &'static [Self] = &[Kind::ConfigMap];

    fn name(self) -> &'static str {
        "ConfigMap"
    }
}

#[derive(Clone, Debug, Default)]
pub struct Children {
    pub config_maps: Vec<Arc<ConfigMap>>,
}

impl SecondaryAware for Deployment {
    type Secondaries = Children;
    type Kind = Kind;

    fn options() -> Options {
        Options::new(
            Options::DEFAULT_RESYNC,
            Some(std::time::Duration::from_secs(60)),
        )
    }

    fn declare<D: Declare<Self>>(set: &mut D) {
        set.add(Kind::ConfigMap, watch_full::<ConfigMap>());
    }

    fn secondaries<C: crate::aware::Children>(caches: &C, primary: &Self) -> Children {
        Children {
            config_maps: caches.of::<Self, ConfigMap>(primary),
        }
    }
}

pub(crate) fn primary(name: &str, uid: &str) -> Primary {
    Deployment {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some("ns".into()),
            uid: Some(uid.into()),
            generation: Some(1),
            ..ObjectMeta::default()
        },
        ..Deployment::default()
    }
}

/// A ConfigMap owned (controller: true) by `owner`, at resourceVersion `rv`.
pub(crate) fn child(name: &str, owner: &Primary, rv: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some("ns".into()),
            resource_version: Some(rv.into()),
            owner_references: Some(vec![OwnerReference {
                api_version: Primary::api_version(&()).into(),
                kind: Primary::kind(&()).into(),
                name: owner.metadata.name.clone().unwrap(),
                uid: owner.metadata.uid.clone().unwrap(),
                controller: Some(true),
                ..OwnerReference::default()
            }]),
            ..ObjectMeta::default()
        },
        ..ConfigMap::default()
    }
}
