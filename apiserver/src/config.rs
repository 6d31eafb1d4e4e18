//! What the server is told to serve: its address, certificate, and the kinds it caches.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

use crate::error::Error;
use crate::kind_spec::KindSpec;
use crate::mapping::{MapKey, Mapping};
use crate::serving::Serving;

/// How to run a [`Server`](crate::Server). The binary reads it from flags, or from a YAML file
/// whose keys are these field names (`tls_cert`, `label_keys`, ...).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Where to listen, e.g. `127.0.0.1:8443`; port 0 picks any free port.
    pub bind: SocketAddr,
    /// The serving certificate chain (PEM).
    pub tls_cert: PathBuf,
    /// Its private key (PEM).
    pub tls_key: PathBuf,
    /// The primary kinds served, one API resource each.
    #[serde(default)]
    pub primaries: Vec<KindSpec>,
    /// The child kinds cached and searched for children.
    #[serde(default)]
    pub children: Vec<KindSpec>,
    /// Label or annotation mappings as the runtime declares them (`map = label(..)`): which
    /// child kind's label names an object of which primary kind.
    #[serde(default)]
    pub mappings: Vec<Mapping>,
    /// A shorthand for one primary kind: labels whose value names a child's primary, for
    /// every kind in `children` (not for discovered kinds). Refused with several primary kinds.
    #[serde(default)]
    pub label_keys: Vec<String>,
    /// Kinds held as metadata only besides Secrets, as the runtime's `metadata_only` declares
    /// them.
    #[serde(default)]
    pub metadata_only: Vec<KindSpec>,
    /// Kinds held and answered whole although metadata-only by default (Secrets): only for
    /// a server whose callers need the data and whose memory can hold it.
    #[serde(default)]
    pub full_objects: Vec<KindSpec>,
    /// Also cache every namespaced kind that supports list and watch, found by discovery once
    /// at start-up (events excepted: they are never anyone's children).
    #[serde(default)]
    pub discover_children: bool,
    /// Where to serve the server's metrics (`GET /metrics`, plain HTTP, a port of its own
    /// apart from the API), e.g. `0.0.0.0:9090`; none when unset.
    #[serde(default)]
    pub metrics_bind: Option<SocketAddr>,
    /// Timeouts, limits, certificate reloading and shutdown.
    #[serde(default)]
    pub serving: Serving,
}

impl ServerConfig {
    /// Every declared mapping: `mappings`, and `label_keys` spelled out for the one primary
    /// kind and each child kind.
    pub fn all_mappings(&self) -> Result<Vec<Mapping>, Error> {
        let mut mappings = self.mappings.clone();
        if self.label_keys.is_empty() {
            return Ok(mappings);
        }
        let [primary] = self.primaries.as_slice() else {
            return Err(Error::LabelKeysWithPrimaries);
        };
        for key in &self.label_keys {
            mappings.extend(self.children.iter().map(|child| Mapping {
                primary: primary.clone(),
                child: child.clone(),
                key: MapKey::Label(key.clone()),
            }));
        }
        Ok(mappings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_yaml_config_uses_the_field_names_of_the_flags() {
        let config: ServerConfig = serde_yaml::from_str(
            "bind: 127.0.0.1:0\n\
             tls_cert: /pki/extension.crt\n\
             tls_key: /pki/extension.key\n\
             primaries: [demo.kube-secondary.dev/v1/Database]\n\
             children: [v1/ConfigMap, apps/v1/StatefulSet]\n\
             label_keys: [app.kubernetes.io/instance]\n",
        )
        .unwrap();
        assert_eq!(config.primaries[0].kind, "Database");
        assert_eq!(config.children[1].group, "apps");
        assert_eq!(config.label_keys, ["app.kubernetes.io/instance"]);
        assert!(!config.discover_children);
        let mappings = config.all_mappings().unwrap();
        assert_eq!(mappings.len(), 2, "the label for each child kind");
        assert_eq!(mappings[0].primary.kind, "Database");
    }

    #[test]
    fn label_keys_need_exactly_one_primary_kind() {
        let config: ServerConfig = serde_yaml::from_str(
            "bind: 127.0.0.1:0\n\
             tls_cert: a\n\
             tls_key: b\n\
             primaries: [demo.example.com/v1/A, demo.example.com/v1/B]\n\
             children: [v1/Pod]\n\
             mappings: ['demo.example.com/v1/A:v1/Pod:label(app.kubernetes.io/instance)']\n",
        )
        .unwrap();
        assert_eq!(config.all_mappings().unwrap().len(), 1);
        let shorthand = ServerConfig {
            label_keys: vec!["app.kubernetes.io/instance".into()],
            ..config
        };
        assert!(shorthand.all_mappings().is_err());
    }
}
