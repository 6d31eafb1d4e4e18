//! A kind as configured: group, version and kind, written `group/version/Kind`.

use std::fmt;

use serde::{Deserialize, Deserializer};

use crate::error::Error;

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
}
