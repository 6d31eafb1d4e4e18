//! Why the server could not start. Errors answered to callers are `Status` objects
//! ([`crate::status`]).

use std::net::SocketAddr;
use std::path::PathBuf;

/// A start-up failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A kind was not written as `group/version/Kind`.
    #[error(
        "`{0}` is not a kind; write group/version/Kind, or version/Kind for the core group (apps/v1/Deployment, v1/ConfigMap)"
    )]
    KindSpec(String),
    /// A mapping was not written as `PRIMARY:CHILD:label(KEY)`.
    #[error(
        "`{0}` is not a mapping; write PRIMARY:CHILD:label(KEY) or PRIMARY:CHILD:annotation(KEY) (demo.example.com/v1/ReplSet:v1/Pod:label(app.kubernetes.io/instance))"
    )]
    Mapping(String),
    /// A mapping names a primary kind that is not served.
    #[error("the mapping {0} names a primary kind that is not served; add it (--primary)")]
    MappingPrimary(String),
    /// `label_keys` with more than one primary kind: which one would a label name?
    #[error(
        "--label-key maps the children to the one primary kind; with several, name each mapping (--map PRIMARY:CHILD:label(KEY))"
    )]
    LabelKeysWithPrimaries,
    /// Nothing to serve.
    #[error("no primary kind to serve; name at least one (--primary group/version/Kind)")]
    NoPrimaries,
    /// Discovery does not know a primary kind.
    #[error("cannot resolve primary kind {kind} through discovery")]
    PrimaryDiscovery {
        /// The kind as configured.
        kind: String,
        /// Discovery's answer.
        #[source]
        source: kube::Error,
    },
    /// Discovery of every kind (for `discover_children`) failed.
    #[error("cannot discover the cluster's kinds")]
    Discovery(#[source] kube::Error),
    /// A certificate or key file could not be read.
    #[error("cannot read the {what} file {}", path.display())]
    Read {
        /// `certificate` or `private key`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A certificate or key file could not be parsed.
    #[error("cannot read {what} from {}", path.display())]
    Pem {
        /// `certificate` or `private key`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: rustls::pki_types::pem::Error,
    },
    /// rustls refused the serving certificate, key or client CA.
    #[error("invalid TLS configuration")]
    Tls(#[from] rustls::Error),
    /// The address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// Why the request-header settings of `extension-apiserver-authentication` cannot be used;
/// callers stay unauthenticated until they can.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// A list entry is not a JSON list of strings.
    #[error("{key} is not a JSON list of strings")]
    List {
        /// The ConfigMap key.
        key: &'static str,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// `requestheader-client-ca-file` is not PEM certificates.
    #[error("requestheader-client-ca-file is not PEM certificates")]
    Pem(#[source] rustls::pki_types::pem::Error),
    /// A certificate of `requestheader-client-ca-file` is not a usable CA.
    #[error("requestheader-client-ca-file holds a certificate that is not a usable CA")]
    Ca(#[source] rustls::Error),
    /// rustls cannot verify client certificates with the CA.
    #[error("requestheader-client-ca-file cannot verify client certificates")]
    Verifier(#[source] rustls::server::VerifierBuilderError),
}

/// `error` and its causes, `: `-separated, for logs.
pub fn report(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
