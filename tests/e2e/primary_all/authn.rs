//! Authentication straight at the server, past the kube-apiserver: the `X-Remote-*` headers
//! count only from a client certificate that chains to the request-header CA and names an
//! allowed proxy (`front-proxy-client`), as the `extension-apiserver-authentication` ConfigMap
//! says. Each test first gets a 200 with the kube-apiserver's own certificate, so each refusal
//! differs from an answer only in the certificate presented.

use kube_secondary_apiserver::Server;
use kube_secondary_examples::database::Database;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PKCS_RSA_SHA256,
};

use super::fixtures::{create, database};
use super::pki::Pki;
use super::requests::{AS_ADMIN, Identity, database_path, direct, get, try_get};
use super::shared::{DATABASES, server_addr, server_config};
use crate::support::{TestNamespace, setup, wait_for};

/// A Database, and the path of its view once the server answers the front proxy with it.
async fn served_to_the_front_proxy(prefix: &str) -> (TestNamespace, String) {
    let (client, ns) = setup::<Database>(prefix).await;
    create(&client, ns.name(), database("db")).await;
    let path = database_path(ns.name(), "db", 1);
    let front_proxy = direct(server_addr().await, Identity::FrontProxy, &AS_ADMIN);
    wait_for("the server to answer the front proxy", || async {
        get(&front_proxy, &path).await.status == 200
    })
    .await;
    (ns, path)
}

/// A client certificate for `common_name`, signed by `issuer`.
fn client_certificate(common_name: &str, issuer: &Issuer<'_, KeyPair>) -> Identity {
    let key = KeyPair::generate().expect("a key");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("parameters");
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let cert = params.signed_by(&key, issuer).expect("sign");
    Identity::Certificate {
        cert: cert.pem(),
        key: key.serialize_pem(),
    }
}

#[tokio::test]
async fn the_front_proxy_certificate_with_a_user_header_is_served_as_that_user() {
    let (ns, path) = served_to_the_front_proxy("pa-authn-proxy").await;
    let front_proxy = direct(server_addr().await, Identity::FrontProxy, &AS_ADMIN);
    let reply = get(&front_proxy, &path).await;
    assert_eq!(reply.primary_all().primary["metadata"]["name"], "db");

    // The certificate alone names no user: there is nobody to serve.
    let no_user = direct(server_addr().await, Identity::FrontProxy, &[]);
    let reply = get(&no_user, &path).await;
    assert_eq!(reply.status, 401, "{}", reply.body);
    reply.error_status();
    ns.delete().await;
}

#[tokio::test]
async fn a_forged_user_header_without_a_client_certificate_is_unauthorized() {
    let (ns, path) = served_to_the_front_proxy("pa-authn-forged").await;
    let headers = [
        ("X-Remote-User", "system:admin"),
        ("X-Remote-Group", "system:masters"),
    ];
    let forger = direct(server_addr().await, Identity::Nobody, &headers);
    let reply = get(&forger, &path).await;
    assert_eq!(reply.status, 401, "{}", reply.body);
    let status = reply.error_status();
    assert_eq!(status.reason.as_deref(), Some("Unauthorized"));
    ns.delete().await;
}

#[tokio::test]
async fn a_client_certificate_from_another_ca_is_refused() {
    let (ns, path) = served_to_the_front_proxy("pa-authn-ca").await;
    // A CA of the front-proxy CA's name, with another key.
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("parameters");
    let name = "kube-secondary-front-proxy-ca";
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let impostor_ca = Issuer::new(params, KeyPair::generate().expect("a key"));
    let identity = client_certificate("front-proxy-client", &impostor_ca);
    let impostor = direct(server_addr().await, identity, &AS_ADMIN);
    match try_get(&impostor, &path).await {
        // Refused during the TLS handshake: the server's alert ends the connection.
        Err(error) => {
            let causes =
                std::iter::successors(Some(&error as &dyn std::error::Error), |e| e.source());
            let causes: Vec<String> = causes.map(ToString::to_string).collect();
            assert!(
                causes.iter().any(|c| c.starts_with("received fatal alert")),
                "not a TLS refusal: {causes:?}"
            );
        }
        Ok(reply) => {
            assert_eq!(reply.status, 401, "{}", reply.body);
            reply.error_status();
        }
    }
    ns.delete().await;
}

#[tokio::test]
async fn a_front_proxy_ca_certificate_for_a_name_not_allowed_is_unauthorized() {
    let (ns, path) = served_to_the_front_proxy("pa-authn-name").await;
    let pki = Pki::from_env();
    let key =
        KeyPair::from_pem_and_sign_algo(&pki.read_pem("front-proxy-ca.key"), &PKCS_RSA_SHA256)
            .expect("the front-proxy CA's key");
    let front_proxy_ca = Issuer::from_ca_cert_pem(&pki.read_pem("front-proxy-ca.crt"), key)
        .expect("the front-proxy CA");
    let identity = client_certificate("front-proxy-impostor", &front_proxy_ca);
    let impostor = direct(server_addr().await, identity, &AS_ADMIN);
    let reply = get(&impostor, &path).await;
    assert_eq!(reply.status, 401, "{}", reply.body);
    reply.error_status();
    ns.delete().await;
}

/// The kube-apiserver keeps its connections to an extension server open and sends request
/// after request over them; one opened as the server starts must serve once the server has
/// read its request-header trust.
#[tokio::test]
async fn a_connection_opened_as_the_server_starts_is_served_once_the_trust_is_read() {
    let (client, ns) = setup::<Database>("pa-authn-early").await;
    let pki = Pki::from_env();
    let server = Server::start(client, server_config(&pki, &[DATABASES]))
        .await
        .expect("start a server");
    let front_proxy = direct(server.local_addr(), Identity::FrontProxy, &AS_ADMIN);
    wait_for("discovery over the first connection", || async {
        get(&front_proxy, "/apis/primary-all/v1").await.status == 200
    })
    .await;
    server.shutdown().await;
    ns.delete().await;
}
