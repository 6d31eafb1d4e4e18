//! The control plane's certificates, generated in Rust: RSA-2048 keys (PKCS#8) from the `rsa`
//! crate, certificates signed with rcgen.

use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, PKCS_RSA_SHA256, SanType,
};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

/// The name the aggregator dials the extension API server by (its serving certificate's SAN).
pub const EXTENSION_SERVER_NAME: &str = "kube-secondary-apiserver.kube-secondary.svc";

/// Every file [`ensure`] writes.
pub const FILES: [&str; 14] = [
    "ca.crt",
    "ca.key",
    "apiserver.crt",
    "apiserver.key",
    "admin.crt",
    "admin.key",
    "extension.crt",
    "extension.key",
    "front-proxy-ca.crt",
    "front-proxy-ca.key",
    "front-proxy-client.crt",
    "front-proxy-client.key",
    "sa.key",
    "sa.pub",
];

/// `count` RSA-2048 keys, generated on all cores (each takes seconds in a debug build).
fn rsa_keys(count: usize) -> anyhow::Result<Vec<rsa::RsaPrivateKey>> {
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..count)
            .map(|_| scope.spawn(|| rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)))
            .collect();
        workers
            .into_iter()
            .map(|worker| Ok(worker.join().expect("key generation panicked")?))
            .collect()
    })
}

/// An rcgen key pair signing with RSA-SHA256.
fn key_pair(key: &rsa::RsaPrivateKey) -> anyhow::Result<KeyPair> {
    let der = key.to_pkcs8_der()?;
    Ok(KeyPair::from_pkcs8_der_and_sign_algo(
        &der.as_bytes().into(),
        &PKCS_RSA_SHA256,
    )?)
}

fn write(dir: &Path, name: &str, pem: &str) -> anyhow::Result<()> {
    std::fs::write(dir.join(name), pem)?;
    Ok(())
}

fn ca(
    dir: &Path,
    file: &str,
    name: &str,
    key: KeyPair,
) -> anyhow::Result<CertifiedIssuer<'static, KeyPair>> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let issuer = CertifiedIssuer::self_signed(params, key)?;
    write(dir, &format!("{file}.crt"), &issuer.pem())?;
    write(dir, &format!("{file}.key"), &issuer.key().serialize_pem())?;
    Ok(issuer)
}

/// One certificate signed by `issuer`: the subject, its SANs (IPs or DNS names) and its usage.
struct Leaf<'a> {
    file: &'a str,
    common_name: &'a str,
    organization: Option<&'a str>,
    sans: &'a [&'a str],
    usage: ExtendedKeyUsagePurpose,
}

impl Leaf<'_> {
    fn write(
        self,
        dir: &Path,
        issuer: &CertifiedIssuer<'static, KeyPair>,
        key: KeyPair,
    ) -> anyhow::Result<()> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params
            .distinguished_name
            .push(DnType::CommonName, self.common_name);
        if let Some(organization) = self.organization {
            params
                .distinguished_name
                .push(DnType::OrganizationName, organization);
        }
        params.subject_alt_names = self
            .sans
            .iter()
            .map(|san| match san.parse() {
                Ok(ip) => Ok(SanType::IpAddress(ip)),
                Err(_) => Ok(SanType::DnsName((*san).try_into()?)),
            })
            .collect::<anyhow::Result<_>>()?;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![self.usage];
        let cert = params.signed_by(&key, issuer)?;
        write(dir, &format!("{}.crt", self.file), &cert.pem())?;
        write(dir, &format!("{}.key", self.file), &key.serialize_pem())
    }
}

/// Writes every certificate and key into `dir`, unless a complete set is already there.
///
/// The set is written to a sibling directory first and renamed, so an interrupted run leaves
/// nothing half-made behind.
pub fn ensure(dir: &Path) -> anyhow::Result<()> {
    if FILES.iter().all(|file| dir.join(file).exists()) {
        return Ok(());
    }
    let partial = dir.with_extension(format!("partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial)?;
    generate(&partial)?;
    let _ = std::fs::remove_dir_all(dir);
    std::fs::rename(&partial, dir)?;
    Ok(())
}

fn generate(dir: &Path) -> anyhow::Result<()> {
    let mut keys = rsa_keys(7)?.into_iter();
    let mut next = || keys.next().expect("one key per certificate");
    let (server, client) = (
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    );

    let cluster_ca = ca(dir, "ca", "kube-secondary-ca", key_pair(&next())?)?;
    let apiserver = Leaf {
        file: "apiserver",
        common_name: "kube-apiserver",
        organization: None,
        sans: &[
            "localhost",
            "127.0.0.1",
            "kubernetes",
            "kubernetes.default.svc",
        ],
        usage: server.clone(),
    };
    apiserver.write(dir, &cluster_ca, key_pair(&next())?)?;
    let admin = Leaf {
        file: "admin",
        common_name: "admin",
        organization: Some("system:masters"),
        sans: &[],
        usage: client.clone(),
    };
    admin.write(dir, &cluster_ca, key_pair(&next())?)?;
    let extension = Leaf {
        file: "extension",
        common_name: EXTENSION_SERVER_NAME,
        organization: None,
        sans: &[EXTENSION_SERVER_NAME, "localhost", "127.0.0.1"],
        usage: server,
    };
    extension.write(dir, &cluster_ca, key_pair(&next())?)?;

    let proxy_ca = ca(
        dir,
        "front-proxy-ca",
        "kube-secondary-front-proxy-ca",
        key_pair(&next())?,
    )?;
    let proxy_client = Leaf {
        file: "front-proxy-client",
        common_name: "front-proxy-client",
        organization: None,
        sans: &[],
        usage: client,
    };
    proxy_client.write(dir, &proxy_ca, key_pair(&next())?)?;

    let service_accounts = next();
    write(
        dir,
        "sa.key",
        &service_accounts.to_pkcs8_pem(LineEnding::LF)?,
    )?;
    write(
        dir,
        "sa.pub",
        &service_accounts
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("ks-certs-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// One CA and one leaf: the full set is seven keys, slow in a debug build, and every
    /// `cargo xtask test` checks it against a real API server anyway.
    #[test]
    fn signs_a_pkcs8_rsa_leaf_with_a_ca() {
        let dir = scratch("leaf");
        let mut keys = rsa_keys(2).unwrap().into_iter();
        let issuer = ca(
            &dir,
            "ca",
            "test-ca",
            key_pair(&keys.next().unwrap()).unwrap(),
        )
        .unwrap();
        let leaf = Leaf {
            file: "admin",
            common_name: "admin",
            organization: Some("system:masters"),
            sans: &["localhost", "127.0.0.1"],
            usage: ExtendedKeyUsagePurpose::ClientAuth,
        };
        leaf.write(&dir, &issuer, key_pair(&keys.next().unwrap()).unwrap())
            .unwrap();
        for file in ["ca.crt", "admin.crt"] {
            let pem = std::fs::read_to_string(dir.join(file)).unwrap();
            assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{file}");
        }
        for file in ["ca.key", "admin.key"] {
            let pem = std::fs::read_to_string(dir.join(file)).unwrap();
            assert!(
                pem.starts_with("-----BEGIN PRIVATE KEY-----"),
                "{file} is PKCS#8"
            );
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn keeps_a_complete_set() {
        let dir = scratch("keep");
        for file in FILES {
            std::fs::write(dir.join(file), "kept").unwrap();
        }
        ensure(&dir).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("ca.crt")).unwrap(), "kept");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
