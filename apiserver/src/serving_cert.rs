//! The serving certificate, read again from its files when they change, so that a certificate
//! rotated in its Secret (cert-manager, or by hand) is served without a restart. Every
//! handshake asks [`ServingCert`] for the pair of the moment; a pair that does not parse or
//! whose key does not match its certificate (files caught half-written) leaves the old one
//! served until the next read.

use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use crate::error::{Error, report};
use crate::tls;

/// The pair served now, and the file contents it was made from.
#[derive(Debug)]
pub struct ServingCert {
    cert: PathBuf,
    key: PathBuf,
    current: RwLock<Loaded>,
}

#[derive(Debug)]
struct Loaded {
    files: (Vec<u8>, Vec<u8>),
    pair: Arc<CertifiedKey>,
}

impl ServingCert {
    /// Reads `cert` and `key` (PEM); an error when they cannot be read or do not match.
    pub fn load(cert: &Path, key: &Path) -> Result<Arc<Self>, Error> {
        let current = read(cert, key)?;
        Ok(Arc::new(Self {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
            current: RwLock::new(current),
        }))
    }

    /// Reads the files again and serves what they hold if it changed; `Ok(true)` when it did.
    pub fn reload(&self) -> Result<bool, Error> {
        let files = (
            read_file("certificate", &self.cert)?,
            read_file("private key", &self.key)?,
        );
        if self.loaded().files == files {
            return Ok(false);
        }
        let loaded = parse(&self.cert, &self.key, files)?;
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = loaded;
        Ok(true)
    }

    /// Reloads every `interval`, logging each new pair and each new failure once.
    pub async fn watch(self: Arc<Self>, interval: Duration) {
        let mut last_error = None;
        loop {
            tokio::time::sleep(interval).await;
            match self.reload() {
                Ok(true) => {
                    last_error = None;
                    let cert = self.cert.display();
                    tracing::info!(%cert, "serving a new certificate");
                }
                Ok(false) => last_error = None,
                Err(error) => {
                    let error = report(&error);
                    if last_error.as_ref() != Some(&error) {
                        tracing::warn!(%error, "cannot reload the serving certificate; serving the one before");
                    }
                    last_error = Some(error);
                }
            }
        }
    }

    fn loaded(&self) -> std::sync::RwLockReadGuard<'_, Loaded> {
        self.current.read().unwrap_or_else(PoisonError::into_inner)
    }
}

impl ResolvesServerCert for ServingCert {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(&self.loaded().pair))
    }
}

fn read(cert: &Path, key: &Path) -> Result<Loaded, Error> {
    let files = (
        read_file("certificate", cert)?,
        read_file("private key", key)?,
    );
    parse(cert, key, files)
}

fn read_file(what: &'static str, path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Read {
        what,
        path: path.to_path_buf(),
        source,
    })
}

fn parse(cert: &Path, key: &Path, files: (Vec<u8>, Vec<u8>)) -> Result<Loaded, Error> {
    let pem = |what: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Pem { what, path, source }
    };
    let chain = CertificateDer::pem_slice_iter(&files.0)
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem("certificate", cert))?;
    if chain.is_empty() {
        return Err(Error::Pem {
            what: "certificate",
            path: cert.to_path_buf(),
            source: rustls::pki_types::pem::Error::NoItemsFound,
        });
    }
    let private_key = PrivateKeyDer::from_pem_slice(&files.1).map_err(pem("private key", key))?;
    let pair = CertifiedKey::from_der(chain, private_key, &tls::provider())?;
    Ok(Loaded {
        files,
        pair: Arc::new(pair),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(name: &str) -> (String, String) {
        let generated = rcgen::generate_simple_self_signed(vec![name.to_string()]).unwrap();
        (generated.cert.pem(), generated.signing_key.serialize_pem())
    }

    fn served(cert: &ServingCert) -> Vec<u8> {
        cert.loaded().pair.cert[0].to_vec()
    }

    #[test]
    fn a_changed_pair_is_served_and_a_broken_one_is_not() {
        let dir = std::env::temp_dir().join(format!("serving-cert-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (cert_path, key_path) = (dir.join("tls.crt"), dir.join("tls.key"));
        let write = |(cert, key): &(String, String)| {
            std::fs::write(&cert_path, cert).unwrap();
            std::fs::write(&key_path, key).unwrap();
        };
        let first = pair("first.example");
        write(&first);
        let cert = ServingCert::load(&cert_path, &key_path).unwrap();
        let before = served(&cert);
        assert!(!cert.reload().unwrap(), "nothing changed");

        let second = pair("second.example");
        // Half-rotated: the new certificate with the old key.
        std::fs::write(&cert_path, &second.0).unwrap();
        assert!(cert.reload().is_err());
        assert_eq!(served(&cert), before, "the old pair is still served");

        write(&second);
        assert!(cert.reload().unwrap());
        assert_ne!(served(&cert), before);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
