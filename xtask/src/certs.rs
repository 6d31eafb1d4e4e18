//! The control plane's certificates, generated in Rust with rcgen (ECDSA P-256 keys, PKCS#8).

use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType,
};

/// The name the aggregator dials the extension API server by (its serving certificate's SAN).
pub const EXTENSION_SERVER_NAME: &str = "kube-secondary-apiserver.kube-secondary.svc";

fn write(dir: &Path, name: &str, pem: &str) -> anyhow::Result<()> {
    std::fs::write(dir.join(name), pem)?;
    Ok(())
}

fn ca(name: &str) -> anyhow::Result<CertifiedIssuer<'static, KeyPair>> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    Ok(CertifiedIssuer::self_signed(params, KeyPair::generate()?)?)
}

fn leaf(
    dir: &Path,
    file: &str,
    issuer: &CertifiedIssuer<'static, KeyPair>,
    common_name: &str,
    organization: Option<&str>,
    sans: &[&str],
    usage: ExtendedKeyUsagePurpose,
) -> anyhow::Result<()> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    if let Some(organization) = organization {
        params
            .distinguished_name
            .push(DnType::OrganizationName, organization);
    }
    params.subject_alt_names = sans
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
    params.extended_key_usages = vec![usage];
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, issuer)?;
    write(dir, &format!("{file}.crt"), &cert.pem())?;
    write(dir, &format!("{file}.key"), &key.serialize_pem())
}

/// Writes every certificate and key into `dir`, unless they are already there.
pub fn ensure(dir: &Path) -> anyhow::Result<()> {
    if dir.join("extension.key").exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    let cluster_ca = ca("kube-secondary-ca")?;
    write(dir, "ca.crt", &cluster_ca.pem())?;
    write(dir, "ca.key", &cluster_ca.key().serialize_pem())?;
    let server = ExtendedKeyUsagePurpose::ServerAuth;
    let client = ExtendedKeyUsagePurpose::ClientAuth;
    leaf(
        dir,
        "apiserver",
        &cluster_ca,
        "kube-apiserver",
        None,
        &[
            "localhost",
            "127.0.0.1",
            "kubernetes",
            "kubernetes.default.svc",
        ],
        server.clone(),
    )?;
    leaf(
        dir,
        "admin",
        &cluster_ca,
        "admin",
        Some("system:masters"),
        &[],
        client.clone(),
    )?;
    leaf(
        dir,
        "extension",
        &cluster_ca,
        EXTENSION_SERVER_NAME,
        None,
        &[EXTENSION_SERVER_NAME, "localhost", "127.0.0.1"],
        server,
    )?;
    let proxy_ca = ca("kube-secondary-front-proxy-ca")?;
    write(dir, "front-proxy-ca.crt", &proxy_ca.pem())?;
    leaf(
        dir,
        "front-proxy-client",
        &proxy_ca,
        "front-proxy-client",
        None,
        &[],
        client,
    )?;
    let service_accounts = KeyPair::generate()?;
    write(dir, "sa.key", &service_accounts.serialize_pem())?;
    write(dir, "sa.pub", &service_accounts.public_key_pem())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn writes_every_file_once() {
        let dir = std::env::temp_dir().join(format!("ks-certs-{}", std::process::id()));
        super::ensure(&dir).unwrap();
        for file in [
            "ca.crt",
            "apiserver.crt",
            "admin.key",
            "front-proxy-ca.crt",
            "front-proxy-client.crt",
            "sa.pub",
            "extension.crt",
        ] {
            let text = std::fs::read_to_string(dir.join(file)).unwrap();
            assert!(text.starts_with("-----BEGIN"), "{file}");
        }
        let before = std::fs::read(dir.join("ca.crt")).unwrap();
        super::ensure(&dir).unwrap();
        assert_eq!(
            before,
            std::fs::read(dir.join("ca.crt")).unwrap(),
            "an existing CA is kept"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
