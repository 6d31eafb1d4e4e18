//! Requests to the `primary-all` API: through the kube-apiserver (as admin, or as a user admin
//! impersonates), or straight to the server with a chosen client certificate and headers.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use base64::Engine;
use http::StatusCode;
use http::header::{HeaderName, HeaderValue, RETRY_AFTER};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use kube::Client;
use kube::client::Body;
use kube_secondary::primary_all::{PrimaryAll, path};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde::de::DeserializeOwned;

use super::pki::Pki;

/// The path of Database `name`'s view in `namespace`, `depth` levels of children deep.
pub fn database_path(namespace: &str, name: &str, depth: u32) -> String {
    let path = path(
        "demo.kube-secondary.dev",
        "databases",
        Some(namespace),
        name,
    );
    format!("{path}?depth={depth}")
}

/// An answer, whatever its status.
pub struct Reply {
    pub status: StatusCode,
    pub retry_after: Option<String>,
    pub body: String,
}

impl Reply {
    /// The body as `T`; panics showing the body if it is not one.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body).unwrap_or_else(|e| {
            panic!(
                "a {} answer that is not a {} ({e}): {}",
                self.status,
                std::any::type_name::<T>(),
                self.body
            )
        })
    }

    /// The body of a 200, as a [`PrimaryAll`].
    pub fn primary_all(&self) -> PrimaryAll {
        assert_eq!(self.status, StatusCode::OK, "{}", self.body);
        self.json()
    }

    /// The body of an error, as the Kubernetes `Status` it must be; checks its code.
    pub fn error_status(&self) -> Status {
        let status: Status = self.json();
        assert_eq!(
            status.code,
            Some(i32::from(self.status.as_u16())),
            "{}",
            self.body
        );
        assert_eq!(status.status.as_deref(), Some("Failure"), "{}", self.body);
        status
    }
}

/// `GET path`, whatever the answer's status; fails only when there is no answer.
pub async fn try_get(client: &Client, path: &str) -> Result<Reply, kube::Error> {
    try_get_accepting(client, path, None).await
}

/// `GET path` with `Accept: accept`, whatever the answer's status.
pub async fn get_accepting(client: &Client, path: &str, accept: &str) -> Reply {
    try_get_accepting(client, path, Some(accept))
        .await
        .unwrap_or_else(|e| panic!("GET {path} accepting {accept}: {e}"))
}

async fn try_get_accepting(
    client: &Client,
    path: &str,
    accept: Option<&str>,
) -> Result<Reply, kube::Error> {
    let mut request = http::Request::get(path);
    if let Some(accept) = accept {
        request = request.header(http::header::ACCEPT, accept);
    }
    let request = request.body(Body::empty()).expect("a request");
    let response = client.send(request).await?;
    let status = response.status();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .map(|value| value.to_str().expect("a text header").to_string());
    let body = response.into_body().collect_bytes().await?;
    Ok(Reply {
        status,
        retry_after,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// `GET path`, whatever the answer's status.
pub async fn get(client: &Client, path: &str) -> Reply {
    try_get(client, path)
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

/// The names of the children in `view` by kind, for the kinds that have any; checks that each
/// kind has one group.
pub fn names_by_kind(view: &PrimaryAll) -> BTreeMap<String, Vec<String>> {
    let mut names = BTreeMap::new();
    for group in &view.secondaries {
        let items: Vec<String> = group
            .items
            .iter()
            .map(|item| {
                item["metadata"]["name"]
                    .as_str()
                    .expect("a name")
                    .to_string()
            })
            .collect();
        if !items.is_empty() {
            let previous = names.insert(group.kind.clone(), items);
            assert!(previous.is_none(), "{} grouped twice", group.kind);
        }
    }
    names
}

/// Names by kind, as [`names_by_kind`] gives them, to compare with.
pub fn names<const N: usize>(kinds: [(&str, Vec<&str>); N]) -> BTreeMap<String, Vec<String>> {
    let owned = |names: Vec<&str>| names.into_iter().map(String::from).collect();
    kinds
        .into_iter()
        .map(|(kind, names)| (kind.to_string(), owned(names)))
        .collect()
}

/// A client of the kube-apiserver acting as `user` (admin impersonates it), with no groups
/// beyond `system:authenticated`.
pub async fn as_user(user: &str) -> Client {
    let mut config = kube::Config::infer().await.expect("a kubeconfig");
    config.auth_info.impersonate = Some(user.into());
    Client::try_from(config).expect("a client")
}

/// The client certificate a request straight to the server presents.
pub enum Identity {
    /// None at all.
    Nobody,
    /// The kube-apiserver's own, `CN=front-proxy-client` signed by the front-proxy CA.
    FrontProxy,
    /// Another certificate and its key (PEM).
    Certificate { cert: String, key: String },
}

/// A client of the server at `addr` itself, trusting the cluster CA (which signed the
/// server's certificate), presenting `identity` and sending `headers` with every request. It
/// does not retry: a 503 is an answer these tests look for.
pub fn direct(addr: SocketAddr, identity: Identity, headers: &[(&str, &str)]) -> Client {
    let pki = Pki::from_env();
    let url = format!("https://{addr}").parse().expect("a URL");
    let mut config = kube::Config::new(url);
    let ca = CertificateDer::from_pem_file(pki.path("ca.crt")).expect("the cluster CA");
    config.root_cert = Some(vec![ca.to_vec()]);
    config.default_retry = false;
    let base64 = |pem: &str| base64::engine::general_purpose::STANDARD.encode(pem);
    match identity {
        Identity::Nobody => {}
        Identity::FrontProxy => {
            config.auth_info.client_certificate_data =
                Some(base64(&pki.read_pem("front-proxy-client.crt")));
            config.auth_info.client_key_data =
                Some(base64(&pki.read_pem("front-proxy-client.key")).into());
        }
        Identity::Certificate { cert, key } => {
            config.auth_info.client_certificate_data = Some(base64(&cert));
            config.auth_info.client_key_data = Some(base64(&key).into());
        }
    }
    config.headers = headers
        .iter()
        .map(|(name, value)| {
            (
                HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
                HeaderValue::from_bytes(value.as_bytes()).expect("a header value"),
            )
        })
        .collect();
    Client::try_from(config).expect("a client")
}

/// The headers the kube-apiserver sends for admin.
pub const AS_ADMIN: [(&str, &str); 2] = [
    ("X-Remote-User", "admin"),
    ("X-Remote-Group", "system:masters"),
];
