//! The request-header settings the kube-apiserver publishes in
//! `kube-system/extension-apiserver-authentication`, and the caller they name in a request's
//! `X-Remote-*` headers: what `k8s.io/apiserver`'s `headerrequest` authenticator reads.

use std::collections::BTreeMap;

use http::{HeaderMap, HeaderValue};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::TrustError;

/// The namespace and name of the ConfigMap the kube-apiserver writes.
pub const CONFIG_MAP: (&str, &str) = ("kube-system", "extension-apiserver-authentication");

/// Who may vouch for callers, and in which headers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestHeaderConfig {
    /// The CA a front proxy's client certificate must chain to (`requestheader-client-ca-file`).
    pub client_ca: Vec<CertificateDer<'static>>,
    /// Common names allowed for that certificate; empty allows any.
    pub allowed_names: Vec<String>,
    /// Headers naming the user, the first non-empty one wins.
    pub username_headers: Vec<String>,
    /// Headers naming the user's uid.
    pub uid_headers: Vec<String>,
    /// Headers naming the user's groups, every value of each.
    pub group_headers: Vec<String>,
    /// Prefixes of the headers carrying extra attributes (`X-Remote-Extra-`).
    pub extra_headers_prefixes: Vec<String>,
}

/// The authenticated caller, as access reviews name it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct UserInfo {
    /// `alice`, `system:serviceaccount:prod:deployer`.
    pub name: String,
    /// The uid, when the front proxy sent one.
    pub uid: Option<String>,
    /// The groups.
    pub groups: Vec<String>,
    /// Extra attributes by (decoded, lower-case) key.
    pub extra: BTreeMap<String, Vec<String>>,
}

impl RequestHeaderConfig {
    /// Reads the ConfigMap's `data`. Without `requestheader-client-ca-file` nobody may vouch for
    /// callers, as in `k8s.io/apiserver`.
    pub fn from_config_map(data: &BTreeMap<String, String>) -> Result<Self, TrustError> {
        let list = |key: &'static str| -> Result<Vec<String>, TrustError> {
            match data.get(key) {
                None => Ok(Vec::new()),
                Some(json) => {
                    serde_json::from_str(json).map_err(|source| TrustError::List { key, source })
                }
            }
        };
        let client_ca = match data.get("requestheader-client-ca-file") {
            None => Vec::new(),
            Some(pem) => CertificateDer::pem_slice_iter(pem.as_bytes())
                .collect::<Result<_, _>>()
                .map_err(TrustError::Pem)?,
        };
        Ok(Self {
            client_ca,
            allowed_names: list("requestheader-allowed-names")?,
            username_headers: list("requestheader-username-headers")?,
            uid_headers: list("requestheader-uid-headers")?,
            group_headers: list("requestheader-group-headers")?,
            extra_headers_prefixes: list("requestheader-extra-headers-prefix")?,
        })
    }

    /// Whether a client certificate with common name `cn` may vouch for callers.
    pub fn allows_name(&self, cn: Option<&str>) -> bool {
        self.allowed_names.is_empty()
            || cn.is_some_and(|cn| self.allowed_names.iter().any(|name| name == cn))
    }

    /// The caller `headers` name; `None` without a user name. Values are read as bytes, so
    /// UTF-8 names, groups and extra values are kept as the kube-apiserver sent them. Extra keys
    /// lose their prefix, are lower-cased and percent-decoded (`X-Remote-Extra-Scopes%2fA` is
    /// `scopes/a`).
    pub fn user(&self, headers: &HeaderMap) -> Option<UserInfo> {
        let first = |names: &[String]| {
            names
                .iter()
                .filter_map(|name| headers.get(name.as_str()))
                .map(text)
                .find(|value| !value.is_empty())
        };
        let name = first(&self.username_headers)?;
        let uid = first(&self.uid_headers);
        let groups = self
            .group_headers
            .iter()
            .flat_map(|name| headers.get_all(name.as_str()))
            .map(text)
            .filter(|value| !value.is_empty())
            .collect();
        let mut extra: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for prefix in &self.extra_headers_prefixes {
            let prefix = prefix.to_ascii_lowercase();
            for (header, value) in headers {
                // Header names arrive lower-cased.
                let Some(key) = header.as_str().strip_prefix(prefix.as_str()) else {
                    continue;
                };
                extra.entry(unescape(key)).or_default().push(text(value));
            }
        }
        Some(UserInfo {
            name,
            uid,
            groups,
            extra,
        })
    }
}

/// A header value as text. Go's `net/http` passes a header's bytes through as they came, and
/// the kube-apiserver sends UTF-8 names (an OIDC `José`) that way; bytes that are not UTF-8
/// become U+FFFD, as Go's JSON encoding of the access review would make them.
fn text(value: &HeaderValue) -> String {
    String::from_utf8_lossy(value.as_bytes()).into_owned()
}

/// Percent-decodes an extra key, keeping it as sent when it does not decode (Go's
/// `url.PathUnescape` fallback in `headerrequest`).
fn unescape(key: &str) -> String {
    match percent_encoding::percent_decode_str(key).decode_utf8() {
        Ok(decoded) => decoded.into_owned(),
        Err(_) => key.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kube_apiserver_config() -> RequestHeaderConfig {
        let data = BTreeMap::from([
            (
                "requestheader-allowed-names".to_string(),
                r#"["front-proxy-client"]"#.to_string(),
            ),
            (
                "requestheader-username-headers".to_string(),
                r#"["X-Remote-User"]"#.to_string(),
            ),
            (
                "requestheader-group-headers".to_string(),
                r#"["X-Remote-Group"]"#.to_string(),
            ),
            (
                "requestheader-extra-headers-prefix".to_string(),
                r#"["X-Remote-Extra-"]"#.to_string(),
            ),
        ]);
        RequestHeaderConfig::from_config_map(&data).unwrap()
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, http::HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn the_config_map_lists_are_json() {
        let config = kube_apiserver_config();
        assert_eq!(config.allowed_names, ["front-proxy-client"]);
        assert_eq!(config.username_headers, ["X-Remote-User"]);
        assert!(config.uid_headers.is_empty());
        assert!(config.client_ca.is_empty(), "no CA: nobody may vouch");
        let broken = BTreeMap::from([(
            "requestheader-group-headers".to_string(),
            "X-Remote-Group".to_string(),
        )]);
        assert!(RequestHeaderConfig::from_config_map(&broken).is_err());
    }

    #[test]
    fn user_groups_and_extra_come_from_the_headers() {
        let user = kube_apiserver_config()
            .user(&headers(&[
                ("x-remote-user", "alice"),
                ("x-remote-group", "devs"),
                ("x-remote-group", "system:authenticated"),
                ("x-remote-group", ""),
                ("x-remote-extra-scopes", "read"),
                ("x-remote-extra-scopes", "write"),
                ("x-remote-extra-example.com%2fteam", "orders"),
                ("x-remote-extra-bad%zz", "kept"),
                ("x-other", "ignored"),
            ]))
            .unwrap();
        assert_eq!(user.name, "alice");
        assert_eq!(user.uid, None);
        assert_eq!(user.groups, ["devs", "system:authenticated"]);
        assert_eq!(
            user.extra,
            BTreeMap::from([
                ("bad%zz".to_string(), vec!["kept".to_string()]),
                ("example.com/team".to_string(), vec!["orders".to_string()]),
                (
                    "scopes".to_string(),
                    vec!["read".to_string(), "write".to_string()]
                ),
            ])
        );
    }

    #[test]
    fn utf8_names_groups_and_extra_values_are_kept() {
        let utf8 = |s: &str| HeaderValue::from_bytes(s.as_bytes()).unwrap();
        let mut headers = HeaderMap::new();
        headers.append("x-remote-user", utf8("José"));
        headers.append("x-remote-group", utf8("équipe-données"));
        headers.append("x-remote-group", utf8("devs"));
        headers.append("x-remote-extra-team", utf8("Zürich"));
        headers.append(
            "x-remote-extra-team",
            HeaderValue::from_bytes(b"bad\xff").unwrap(),
        );
        let user = kube_apiserver_config().user(&headers).unwrap();
        assert_eq!(user.name, "José");
        assert_eq!(user.groups, ["équipe-données", "devs"]);
        assert_eq!(user.extra["team"], ["Zürich", "bad\u{fffd}"]);
    }

    #[test]
    fn without_a_user_name_nobody_is_named() {
        let config = kube_apiserver_config();
        assert_eq!(config.user(&headers(&[("x-remote-group", "devs")])), None);
        assert_eq!(config.user(&headers(&[("x-remote-user", "")])), None);
    }

    #[test]
    fn the_first_non_empty_username_header_wins_and_uid_headers_are_read() {
        let mut config = kube_apiserver_config();
        config.username_headers = vec!["X-First".into(), "X-Remote-User".into()];
        config.uid_headers = vec!["X-Remote-Uid".into()];
        let user = config
            .user(&headers(&[
                ("x-first", ""),
                ("x-remote-user", "bob"),
                ("x-remote-uid", "42"),
            ]))
            .unwrap();
        assert_eq!(
            (user.name.as_str(), user.uid.as_deref()),
            ("bob", Some("42"))
        );
    }

    #[test]
    fn allowed_names_limit_the_vouching_certificate() {
        let mut config = kube_apiserver_config();
        assert!(config.allows_name(Some("front-proxy-client")));
        assert!(!config.allows_name(Some("someone-else")));
        assert!(!config.allows_name(None));
        config.allowed_names.clear();
        assert!(
            config.allows_name(Some("someone-else")),
            "an empty list allows any name"
        );
    }
}
