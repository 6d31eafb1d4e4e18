//! The control plane's certificates, which these tests need beyond the kubeconfig: the server
//! serves with the extension certificate, and requests straight to it present the front-proxy
//! client certificate (or a forged one).

use std::path::PathBuf;

/// The variable naming the directory `cargo xtask cluster up` wrote the certificates to.
pub const PKI_VARIABLE: &str = "KUBE_SECONDARY_PKI";

/// The certificate directory of the running control plane.
pub struct Pki {
    dir: PathBuf,
}

impl Pki {
    /// From `KUBE_SECONDARY_PKI`; panics saying how to set it.
    pub fn from_env() -> Self {
        let dir = std::env::var_os(PKI_VARIABLE).unwrap_or_else(|| {
            panic!(
                "{PKI_VARIABLE} is not set: the primary-all tests need the control plane's \
                 certificates; run `cargo xtask test`, or `eval \"$(cargo xtask cluster env)\"` \
                 (it prints `export {PKI_VARIABLE}=…` beside `export KUBECONFIG=…`)"
            )
        });
        let pki = Self {
            dir: PathBuf::from(dir),
        };
        assert!(
            pki.path("front-proxy-ca.key").exists(),
            "{PKI_VARIABLE}={} holds no front-proxy-ca.key: point it at the directory \
             `cargo xtask cluster up` generated the certificates in",
            pki.dir.display()
        );
        pki
    }

    /// The path of `file` in it.
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// The contents of `file`.
    pub fn read(&self, file: &str) -> Vec<u8> {
        let path = self.path(file);
        std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    /// The contents of `file`, as text (PEM).
    pub fn read_pem(&self, file: &str) -> String {
        String::from_utf8(self.read(file)).expect("PEM is text")
    }
}
