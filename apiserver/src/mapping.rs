//! Which objects a label or annotation makes a primary's children, as the runtime's
//! `#[secondary(Kind, map = label("key"))]` declares it: for one primary kind and one child
//! kind, the value under one key names the primary. An object of another kind with the same
//! label (a Helm release of the same name, another primary kind's child) is not a child.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer};

use crate::error::Error;
use crate::kind_spec::KindSpec;

/// A label or annotation whose value names a child's primary.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MapKey {
    /// `label("app.kubernetes.io/instance")`.
    Label(String),
    /// `annotation("example.com/owner")`.
    Annotation(String),
}

/// A declared label or annotation mapping, written
/// `PRIMARY:CHILD:label(KEY)` or `PRIMARY:CHILD:annotation(KEY)`, the kinds as
/// [`KindSpec::parse`] reads them.
///
/// ```
/// use kube_secondary_apiserver::{MapKey, Mapping};
///
/// let mapping: Mapping =
///     "demo.example.com/v1/ReplSet:v1/Pod:label(app.kubernetes.io/instance)".parse().unwrap();
/// assert_eq!(mapping.child.kind, "Pod");
/// assert_eq!(mapping.key, MapKey::Label("app.kubernetes.io/instance".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// The primary kind the value names an object of.
    pub primary: KindSpec,
    /// The child kind that carries the label or annotation.
    pub child: KindSpec,
    /// Which label or annotation.
    pub key: MapKey,
}

impl MapKey {
    /// The object's value under this key.
    pub fn value<'a>(&self, meta: &'a kube::api::ObjectMeta) -> Option<&'a String> {
        match self {
            MapKey::Label(key) => meta.labels.as_ref()?.get(key),
            MapKey::Annotation(key) => meta.annotations.as_ref()?.get(key),
        }
    }
}

impl FromStr for Mapping {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let bad = || Error::Mapping(s.to_string());
        let mut parts = s.splitn(3, ':');
        let (Some(primary), Some(child), Some(key)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let key = match key.strip_suffix(')') {
            Some(rest) => match rest.split_once('(') {
                Some(("label", key)) if !key.is_empty() => MapKey::Label(key.to_string()),
                Some(("annotation", key)) if !key.is_empty() => MapKey::Annotation(key.to_string()),
                _ => return Err(bad()),
            },
            None => return Err(bad()),
        };
        Ok(Mapping {
            primary: primary.parse().map_err(|_| bad())?,
            child: child.parse().map_err(|_| bad())?,
            key,
        })
    }
}

impl fmt::Display for Mapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (source, key) = match &self.key {
            MapKey::Label(key) => ("label", key),
            MapKey::Annotation(key) => ("annotation", key),
        };
        write!(f, "{}:{}:{source}({key})", self.primary, self.child)
    }
}

impl<'de> Deserialize<'de> for Mapping {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_read_as_the_derive_writes_them() {
        let mapping: Mapping =
            "demo.kube-secondary.dev/v1/Database:v1/ConfigMap:annotation(example.com/db)"
                .parse()
                .unwrap();
        assert_eq!(mapping.primary.kind, "Database");
        assert_eq!(mapping.child.group, "");
        assert_eq!(mapping.key, MapKey::Annotation("example.com/db".into()));
        assert_eq!(
            mapping.to_string(),
            "demo.kube-secondary.dev/v1/Database:v1/ConfigMap:annotation(example.com/db)"
        );
    }

    #[test]
    fn malformed_mappings_are_refused() {
        for bad in [
            "v1/ConfigMap:label(app)",
            "demo/v1/Database:v1/ConfigMap:app",
            "demo/v1/Database:v1/ConfigMap:label()",
            "demo/v1/Database:v1/ConfigMap:owner(app)",
            "demo/v1/Database:configmap:label(app)",
        ] {
            assert!(bad.parse::<Mapping>().is_err(), "{bad} parsed");
        }
    }
}
