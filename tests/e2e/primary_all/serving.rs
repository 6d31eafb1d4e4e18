//! Serving that cannot be starved and does not need restarts: connections that send nothing
//! are closed and do not stop real requests, a rotated serving certificate is served by the
//! running server, and shutdown fails `/readyz` before it stops serving. Each test runs a
//! server of its own with short timeouts.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::join_all;
use kube_secondary::crd::install_crd;
use kube_secondary_apiserver::{Server, ServerConfig};
use kube_secondary_examples::database::Database;
use rcgen::{CertificateParams, Issuer, KeyPair, PKCS_RSA_SHA256};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::pki::Pki;
use super::requests::{AS_ADMIN, Identity, direct, get, try_get};
use super::shared::{DATABASES, server_config};
use crate::support::{PATIENCE, client, wait_for};

/// The name the serving certificate is for.
const SERVER_NAME: &str = "kube-secondary-apiserver.kube-secondary.svc";

/// Starts a server with `config` and waits until it is ready.
pub async fn start(config: ServerConfig) -> Server {
    let client = client().await;
    install_crd::<Database>(&client, "kube-secondary-tests")
        .await
        .expect("install the Database CRD");
    let server = Server::start(client, config)
        .await
        .expect("start a primary-all server");
    let probe = direct(server.local_addr(), Identity::Nobody, &[]);
    wait_for("the server to be ready", || async {
        get(&probe, "/readyz").await.status == 200
    })
    .await;
    server
}

/// A TLS client trusting the cluster CA, which signed the serving certificate.
fn connector() -> TlsConnector {
    let pki = Pki::from_env();
    let mut roots = rustls::RootCertStore::empty();
    let ca = CertificateDer::from_pem_file(pki.path("ca.crt")).expect("the cluster CA");
    roots.add(ca).expect("a usable CA");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

/// A connection to `addr` with its TLS handshake done.
async fn handshake(connector: &TlsConnector, addr: SocketAddr) -> TlsStream<TcpStream> {
    let tcp = TcpStream::connect(addr).await.expect("connect");
    let name = ServerName::try_from(SERVER_NAME).expect("a server name");
    connector.connect(name, tcp).await.expect("a TLS handshake")
}

/// Whether the server closed `tls`: a read ends (EOF or reset) rather than waiting for data.
async fn closed_by_server(mut tls: TlsStream<TcpStream>) -> bool {
    let mut byte = [0u8; 1];
    match tokio::time::timeout(PATIENCE, tls.read(&mut byte)).await {
        Ok(Ok(0) | Err(_)) => true,
        Ok(Ok(_)) => panic!("the server sent data on a connection that asked nothing"),
        Err(_) => false,
    }
}

#[tokio::test]
async fn five_hundred_idle_connections_are_closed_and_do_not_stop_a_request() {
    let pki = Pki::from_env();
    let mut config = server_config(&pki, &[DATABASES]);
    config.serving.header_read_timeout = Duration::from_secs(2);
    config.serving.shutdown_delay = Duration::ZERO;
    let server = start(config).await;
    let addr = server.local_addr();
    let connector = connector();
    let opened = Instant::now();
    let mut idle = Vec::new();
    for _ in 0..500 {
        idle.push(handshake(&connector, addr).await);
    }

    // A real request is answered while all of them are open.
    let front_proxy = direct(addr, Identity::FrontProxy, &AS_ADMIN);
    let reply = get(&front_proxy, "/apis/primary-all/v1").await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    let closed = join_all(idle.into_iter().map(closed_by_server)).await;
    let open = closed.iter().filter(|closed| !**closed).count();
    assert_eq!(open, 0, "connections that sent nothing still open");
    eprintln!(
        "500 connections that sent nothing were closed {:?} after the first was opened (header timeout 2 s)",
        opened.elapsed()
    );
    server.shutdown().await;
}

/// The cluster CA, to sign a new serving certificate with.
fn cluster_ca(pki: &Pki) -> Issuer<'static, KeyPair> {
    let key = KeyPair::from_pem_and_sign_algo(&pki.read_pem("ca.key"), &PKCS_RSA_SHA256)
        .expect("the cluster CA's key");
    Issuer::from_ca_cert_pem(&pki.read_pem("ca.crt"), key).expect("the cluster CA")
}

/// The certificate the server at `addr` presents now.
async fn served_certificate(connector: &TlsConnector, addr: SocketAddr) -> Vec<u8> {
    let tls = handshake(connector, addr).await;
    let chain = tls.get_ref().1.peer_certificates().expect("a certificate");
    chain[0].to_vec()
}

#[tokio::test]
async fn a_rotated_serving_certificate_is_served_without_a_restart() {
    let pki = Pki::from_env();
    let dir = std::env::temp_dir().join(format!("pa-rotation-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a directory for the certificate");
    let (cert, key): (PathBuf, PathBuf) = (dir.join("tls.crt"), dir.join("tls.key"));
    std::fs::copy(pki.path("extension.crt"), &cert).expect("copy the certificate");
    std::fs::copy(pki.path("extension.key"), &key).expect("copy the key");
    let mut config = server_config(&pki, &[DATABASES]);
    config.tls_cert = cert.clone();
    config.tls_key = key.clone();
    config.serving.cert_reload_interval = Duration::from_millis(200);
    config.serving.shutdown_delay = Duration::ZERO;
    let server = start(config).await;
    let addr = server.local_addr();
    let connector = connector();
    let before = served_certificate(&connector, addr).await;
    assert_eq!(before, pki_der(&pki.read_pem("extension.crt")));

    // What cert-manager does: a new key and certificate in the same files.
    let new_key = KeyPair::generate().expect("a key");
    let new_cert = CertificateParams::new(vec![SERVER_NAME.to_string(), "127.0.0.1".to_string()])
        .expect("parameters")
        .signed_by(&new_key, &cluster_ca(&pki))
        .expect("sign");
    std::fs::write(&key, new_key.serialize_pem()).expect("write the key");
    std::fs::write(&cert, new_cert.pem()).expect("write the certificate");
    let rotated = new_cert.der().to_vec();
    wait_for("the new certificate to be served", || async {
        served_certificate(&connector, addr).await == rotated
    })
    .await;
    // Requests are answered with it.
    let front_proxy = direct(addr, Identity::FrontProxy, &AS_ADMIN);
    assert_eq!(get(&front_proxy, "/apis/primary-all/v1").await.status, 200);
    server.shutdown().await;
    std::fs::remove_dir_all(&dir).expect("remove the certificate");
}

fn pki_der(pem: &str) -> Vec<u8> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .expect("a certificate")
        .to_vec()
}

#[tokio::test]
async fn shutdown_fails_readyz_first_then_stops_serving() {
    let pki = Pki::from_env();
    let mut config = server_config(&pki, &[DATABASES]);
    config.serving.shutdown_delay = Duration::from_secs(3);
    let server = start(config).await;
    let addr = server.local_addr();
    let probe = direct(addr, Identity::Nobody, &[]);
    let stopping = tokio::spawn(server.shutdown());

    // Still answering, but no longer ready.
    wait_for("/readyz to fail", || async {
        let reply = get(&probe, "/readyz").await;
        reply.status == 503 && reply.body.contains("shutting down")
    })
    .await;
    let front_proxy = direct(addr, Identity::FrontProxy, &AS_ADMIN);
    assert_eq!(get(&front_proxy, "/apis/primary-all/v1").await.status, 200);

    stopping.await.expect("shutdown");
    let fresh = direct(addr, Identity::Nobody, &[]);
    assert!(
        try_get(&fresh, "/readyz").await.is_err(),
        "a stopped server still answers"
    );
}
