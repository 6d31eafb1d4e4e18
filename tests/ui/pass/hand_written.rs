//! A hand-written resource type (no `#[kube]`): the derive generates for the type itself.

use std::borrow::Cow;
use std::sync::Arc;

use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::Resource;
use kube::api::ObjectMeta;
use kube_secondary::SecondaryAware;
use serde::{Deserialize, Serialize};

#[derive(SecondaryAware, Clone, Debug, Default, Serialize, Deserialize)]
#[secondary(ConfigMap)]
pub struct Backup {
    pub metadata: ObjectMeta,
    pub target: String,
}

impl Resource for Backup {
    type DynamicType = ();
    type Scope = NamespaceResourceScope;

    fn kind(_: &()) -> Cow<'_, str> {
        "Backup".into()
    }
    fn group(_: &()) -> Cow<'_, str> {
        "demo.example.com".into()
    }
    fn version(_: &()) -> Cow<'_, str> {
        "v1".into()
    }
    fn plural(_: &()) -> Cow<'_, str> {
        "backups".into()
    }
    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

fn main() {
    let config_maps: Vec<Arc<ConfigMap>> = BackupSecondaries::default().config_maps;
    assert!(config_maps.is_empty());
    assert_eq!(BackupSecondaryKind::ConfigMap.to_string(), "ConfigMap");
    let rules = kube_secondary::rbac::policy_rules::<Backup>();
    assert_eq!(
        rules[0].resources.as_deref(),
        Some(&["backups".to_string()][..])
    );
    let _ = <Backup as SecondaryAware>::options();
}
