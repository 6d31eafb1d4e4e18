//! What the server is told to serve: its address, certificate, and the kinds it caches.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use serde::{Deserialize, Deserializer};

use crate::error::Error;
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

/// A kind by group, version and kind; its plural and scope are resolved by discovery when the
/// server starts.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KindSpec {
    /// The API group, `""` for the core group.
    pub group: String,
    /// `v1`.
    pub version: String,
    /// `Deployment`.
    pub kind: String,
}

impl KindSpec {
    /// Parses `group/version/Kind`, or `version/Kind` for the core group:
    /// `apps/v1/Deployment`, `v1/ConfigMap`, `demo.kube-secondary.dev/v1/Database`.
    ///
    /// ```
    /// use kube_secondary_apiserver::KindSpec;
    ///
    /// let spec = KindSpec::parse("apps/v1/Deployment").unwrap();
    /// assert_eq!((spec.group.as_str(), spec.kind.as_str()), ("apps", "Deployment"));
    /// assert_eq!(KindSpec::parse("v1/ConfigMap").unwrap().group, "");
    /// ```
    pub fn parse(s: &str) -> anyhow::Result<Self> {
        Ok(parse(s)?)
    }

    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

fn parse(s: &str) -> Result<KindSpec, Error> {
    let bad = || Error::KindSpec(s.to_string());
    let parts: Vec<&str> = s.split('/').collect();
    let (group, version, kind) = match parts.as_slice() {
        [version, kind] => ("", *version, *kind),
        [group, version, kind] => (*group, *version, *kind),
        _ => return Err(bad()),
    };
    let group = if group == "core" { "" } else { group };
    if version.is_empty() || kind.is_empty() || !kind.starts_with(|c: char| c.is_ascii_uppercase())
    {
        return Err(bad());
    }
    Ok(KindSpec {
        group: group.to_string(),
        version: version.to_string(),
        kind: kind.to_string(),
    })
}

impl fmt::Display for KindSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.api_version(), self.kind)
    }
}

impl std::str::FromStr for KindSpec {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

impl<'de> Deserialize<'de> for KindSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_specs_parse_with_and_without_a_group() {
        let database = KindSpec::parse("demo.kube-secondary.dev/v1/Database").unwrap();
        assert_eq!(database.group, "demo.kube-secondary.dev");
        assert_eq!(database.version, "v1");
        assert_eq!(database.kind, "Database");
        assert_eq!(database.to_string(), "demo.kube-secondary.dev/v1/Database");

        let config_map = KindSpec::parse("v1/ConfigMap").unwrap();
        assert_eq!(config_map.group, "");
        assert_eq!(config_map.api_version(), "v1");
        assert_eq!(KindSpec::parse("core/v1/ConfigMap").unwrap(), config_map);
    }

    #[test]
    fn malformed_kind_specs_are_refused() {
        for bad in [
            "ConfigMap",
            "apps/v1/deployment",
            "a/b/c/D",
            "apps//Deployment",
            "",
        ] {
            assert!(KindSpec::parse(bad).is_err(), "{bad} parsed");
        }
    }

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
