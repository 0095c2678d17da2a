//! Kubeconfig files the harness writes (the admin's, and one per service account so a process
//! runs with exactly that account's RBAC), and clients made from them. Credentials are embedded,
//! so a kubeconfig is a single self-contained file.

use std::path::Path;

use base64::Engine;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use serde_json::json;

use crate::error::{Error, IoContext, Result};

/// How to reach and trust an API server.
#[derive(Clone, Debug)]
pub struct ClusterAccess {
    /// `https://HOST:PORT`.
    pub server: String,
    /// PEM certificates to trust (none: the system roots).
    pub ca_pem: Option<Vec<u8>>,
    /// Skip TLS verification (only when the source kubeconfig did).
    pub insecure: bool,
}

impl ClusterAccess {
    /// The server and trust of a loaded client configuration.
    pub fn from_config(config: &Config) -> Self {
        let server = config.cluster_url.to_string().trim_end_matches('/').to_string();
        let ca_pem = config
            .root_cert
            .as_ref()
            .map(|ders| ders.iter().flat_map(|der| pem("CERTIFICATE", der).into_bytes()).collect());
        Self {
            server,
            ca_pem,
            insecure: config.accept_invalid_certs,
        }
    }
}

/// Who the kubeconfig authenticates as.
#[derive(Clone, Debug)]
pub enum Credentials {
    /// A client certificate and its key, PEM.
    ClientCert { cert_pem: Vec<u8>, key_pem: Vec<u8> },
    /// A bearer token (a service account's).
    Token(String),
}

/// Writes a kubeconfig with one cluster, one user and one current context, all named `name`.
pub fn write(path: &Path, name: &str, cluster: &ClusterAccess, credentials: &Credentials) -> Result<()> {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut cluster_entry = json!({ "server": cluster.server });
    if let Some(ca) = &cluster.ca_pem {
        cluster_entry["certificate-authority-data"] = json!(b64(ca));
    }
    if cluster.insecure {
        cluster_entry["insecure-skip-tls-verify"] = json!(true);
    }
    let user = match credentials {
        Credentials::ClientCert { cert_pem, key_pem } => {
            json!({ "client-certificate-data": b64(cert_pem), "client-key-data": b64(key_pem) })
        }
        Credentials::Token(token) => json!({ "token": token }),
    };
    let doc = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{ "name": name, "cluster": cluster_entry }],
        "users": [{ "name": name, "user": user }],
        "contexts": [{ "name": name, "context": { "cluster": name, "user": name } }],
        "current-context": name,
    });
    let yaml = serde_yaml::to_string(&doc).map_err(|e| Error::Kubeconfig(e.to_string()))?;
    std::fs::write(path, yaml).context(|| format!("writing {}", path.display()))?;
    // It holds credentials: readable by the owner only.
    set_private(path)
}

/// A client (and its configuration) from a kubeconfig file.
pub async fn client_from_file(path: &Path) -> Result<(Client, Config)> {
    let kubeconfig = Kubeconfig::read_from(path).map_err(|e| Error::Kubeconfig(format!("{}: {e}", path.display())))?;
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .map_err(|e| Error::Kubeconfig(format!("{}: {e}", path.display())))?;
    let client = Client::try_from(config.clone()).map_err(|e| Error::Kubeconfig(format!("client for {}: {e}", path.display())))?;
    Ok((client, config))
}

/// A client for what `KUBECONFIG` (or `~/.kube/config`) names.
pub async fn client_from_env() -> Result<(Client, Config)> {
    let config = Config::from_kubeconfig(&KubeConfigOptions::default())
        .await
        .map_err(|e| Error::Kubeconfig(e.to_string()))?;
    let client = Client::try_from(config.clone()).map_err(|e| Error::Kubeconfig(format!("client: {e}")))?;
    Ok((client, config))
}

/// PEM armour for DER bytes.
fn pem(label: &str, der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body.as_bytes().chunks(64).filter_map(|c| std::str::from_utf8(c).ok()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

fn set_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).context(|| format!("chmod 600 {}", path.display()))
}
