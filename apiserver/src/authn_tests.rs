//! Request-header authentication with certificates made here: the front proxy's certificate
//! vouches, other certificates and bare headers do not.

use std::collections::BTreeMap;
use std::sync::Arc;

use http::{HeaderMap, HeaderValue};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};
use rustls::pki_types::CertificateDer;

use super::{Authenticator, PeerChain};
use crate::requestheader::RequestHeaderConfig;

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

/// A leaf certificate for `usage` named `common_name`.
fn leaf(
    issuer: &CertifiedIssuer<'static, KeyPair>,
    common_name: &str,
    usage: ExtendedKeyUsagePurpose,
) -> CertificateDer<'static> {
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.extended_key_usages = vec![usage];
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, issuer).unwrap();
    cert.der().clone()
}

fn client(issuer: &CertifiedIssuer<'static, KeyPair>, common_name: &str) -> PeerChain {
    let cert = leaf(issuer, common_name, ExtendedKeyUsagePurpose::ClientAuth);
    PeerChain(Arc::from(vec![cert]))
}

fn trust(
    front_proxy_ca: &CertifiedIssuer<'static, KeyPair>,
    allowed_names: &str,
) -> RequestHeaderConfig {
    let data = BTreeMap::from([
        (
            "requestheader-client-ca-file".to_string(),
            front_proxy_ca.pem(),
        ),
        (
            "requestheader-allowed-names".to_string(),
            allowed_names.to_string(),
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

fn alice() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("x-remote-user", HeaderValue::from_static("alice"));
    headers.insert("x-remote-group", HeaderValue::from_static("devs"));
    headers
}

#[test]
fn the_front_proxy_certificate_vouches_for_the_headers() {
    let front_proxy_ca = ca("front-proxy-ca");
    let authn = Authenticator::default();
    authn
        .update(trust(&front_proxy_ca, r#"["front-proxy-client"]"#))
        .unwrap();
    assert!(authn.loaded());

    let user = authn
        .authenticate(
            Some(&client(&front_proxy_ca, "front-proxy-client")),
            &alice(),
        )
        .unwrap();
    assert_eq!(user.name, "alice");
    assert_eq!(user.groups, ["devs"]);
}

#[test]
fn nothing_else_authenticates() {
    let front_proxy_ca = ca("front-proxy-ca");
    let authn = Authenticator::default();
    let proxy = client(&front_proxy_ca, "front-proxy-client");
    assert_eq!(
        authn.authenticate(Some(&proxy), &alice()).unwrap_err().code,
        401,
        "nothing loaded yet"
    );

    authn
        .update(trust(&front_proxy_ca, r#"["front-proxy-client"]"#))
        .unwrap();
    let unauthorized = |chain: Option<&PeerChain>, headers: &HeaderMap| {
        authn.authenticate(chain, headers).unwrap_err().code == 401
    };
    assert!(
        unauthorized(None, &alice()),
        "headers without a certificate"
    );
    assert!(
        unauthorized(Some(&proxy), &HeaderMap::new()),
        "a certificate without a user"
    );
    assert!(
        unauthorized(Some(&client(&front_proxy_ca, "intruder")), &alice()),
        "a name not allowed"
    );
    assert!(
        unauthorized(
            Some(&client(&ca("other-ca"), "front-proxy-client")),
            &alice()
        ),
        "another CA"
    );
    let server_cert = leaf(
        &front_proxy_ca,
        "front-proxy-client",
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    assert!(
        unauthorized(Some(&PeerChain(Arc::from(vec![server_cert]))), &alice()),
        "not for client auth"
    );

    authn.forget();
    assert!(unauthorized(Some(&proxy), &alice()), "the ConfigMap went");
}

#[test]
fn an_empty_allowed_names_list_accepts_any_name_from_the_ca() {
    let front_proxy_ca = ca("front-proxy-ca");
    let authn = Authenticator::default();
    authn.update(trust(&front_proxy_ca, "[]")).unwrap();
    let user = authn
        .authenticate(Some(&client(&front_proxy_ca, "anyone")), &alice())
        .unwrap();
    assert_eq!(user.name, "alice");
}

#[test]
fn a_rotated_ca_applies_to_open_connections() {
    let (old_ca, new_ca) = (ca("old"), ca("new"));
    let authn = Authenticator::default();
    authn.update(trust(&old_ca, "[]")).unwrap();
    let old_proxy = client(&old_ca, "front-proxy-client");
    assert!(authn.authenticate(Some(&old_proxy), &alice()).is_ok());
    authn.update(trust(&new_ca, "[]")).unwrap();
    assert_eq!(
        authn
            .authenticate(Some(&old_proxy), &alice())
            .unwrap_err()
            .code,
        401
    );
}

#[test]
fn settings_without_a_request_header_ca_are_loaded_but_trust_no_one() {
    let front_proxy_ca = ca("front-proxy-ca");
    let authn = Authenticator::default();
    let mut no_ca = trust(&front_proxy_ca, r#"["front-proxy-client"]"#);
    no_ca.client_ca.clear();
    authn.update(no_ca).unwrap();
    assert!(authn.loaded());
    assert!(
        !authn.trusts_a_ca(),
        "/readyz would pass with every caller a 401"
    );
    let chain = client(&front_proxy_ca, "front-proxy-client");
    assert!(authn.authenticate(Some(&chain), &alice()).is_err());

    authn
        .update(trust(&front_proxy_ca, r#"["front-proxy-client"]"#))
        .unwrap();
    assert!(authn.trusts_a_ca());
}
