//! The admin kubeconfig of the local control plane.

use std::path::Path;

use base64::Engine;
use kube::config::{KubeConfigOptions, Kubeconfig};

/// Writes a kubeconfig for `https://127.0.0.1:port` with the admin client certificate embedded.
pub fn write(path: &Path, port: u16, pki: &Path) -> anyhow::Result<()> {
    let data = |file: &str| -> anyhow::Result<String> {
        Ok(base64::engine::general_purpose::STANDARD.encode(std::fs::read(pki.join(file))?))
    };
    let config = format!(
        "apiVersion: v1
kind: Config
clusters:
- name: kube-secondary
  cluster:
    server: https://127.0.0.1:{port}
    certificate-authority-data: {ca}
users:
- name: admin
  user:
    client-certificate-data: {cert}
    client-key-data: {key}
contexts:
- name: kube-secondary
  context:
    cluster: kube-secondary
    user: admin
    namespace: default
current-context: kube-secondary
",
        ca = data("ca.crt")?,
        cert = data("admin.crt")?,
        key = data("admin.key")?,
    );
    std::fs::write(path, config)?;
    Ok(())
}

/// A client from the kubeconfig at `path`.
pub async fn client(path: &Path) -> anyhow::Result<kube::Client> {
    let config = kube::Config::from_custom_kubeconfig(
        Kubeconfig::read_from(path)?,
        &KubeConfigOptions::default(),
    )
    .await?;
    Ok(kube::Client::try_from(config)?)
}
