//! TLS with rustls (the `ring` provider, as kube uses): the serving certificate, and a
//! client-certificate verifier for the request-header CA. Client certificates are optional at
//! the TLS layer; whether a request is authenticated is decided per request.

use std::path::Path;
use std::sync::Arc;

use rustls::RootCertStore;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::danger::ClientCertVerifier;
use rustls::server::{ServerConfig, WebPkiClientVerifier};

use crate::error::{Error, TrustError};

/// The crypto provider of every TLS configuration here.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The serving certificate chain and key, read once at start-up.
#[derive(Debug)]
pub struct Serving {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl Serving {
    /// Reads the PEM files.
    pub fn load(cert: &Path, key: &Path) -> Result<Self, Error> {
        let pem = |what: &'static str, path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Pem { what, path, source }
        };
        let chain = CertificateDer::pem_file_iter(cert)
            .map_err(pem("certificate", cert))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(pem("certificate", cert))?;
        let key = PrivateKeyDer::from_pem_file(key).map_err(pem("private key", key))?;
        Ok(Self::new(chain, key)?)
    }

    /// Serves `chain` with `key`; refuses a key that does not go with the certificate now
    /// rather than at the first handshake.
    pub fn new(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Result<Self, rustls::Error> {
        let serving = Self { chain, key };
        serving.config(no_client_auth())?;
        Ok(serving)
    }

    /// A server configuration presenting this certificate and asking for client certificates
    /// as `verifier` says, speaking HTTP/2 and HTTP/1.1.
    pub fn config(
        &self,
        verifier: Arc<dyn ClientCertVerifier>,
    ) -> Result<Arc<ServerConfig>, rustls::Error> {
        let mut config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_client_cert_verifier(verifier)
            .with_single_cert(self.chain.clone(), self.key.clone_key())?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// A verifier that asks for no client certificate.
pub fn no_client_auth() -> Arc<dyn ClientCertVerifier> {
    WebPkiClientVerifier::no_client_auth()
}

/// A verifier accepting client certificates that chain to `roots` (with the client-auth
/// usage), and connections without one; `None` when there are no roots.
pub fn client_verifier(
    roots: &[CertificateDer<'static>],
) -> Result<Option<Arc<dyn ClientCertVerifier>>, TrustError> {
    if roots.is_empty() {
        return Ok(None);
    }
    let mut store = RootCertStore::empty();
    for root in roots {
        store.add(root.clone()).map_err(TrustError::Tls)?;
    }
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(store), provider())
        .allow_unauthenticated()
        .build()
        .map_err(TrustError::Verifier)?;
    Ok(Some(verifier))
}
