//! Starting etcd and kube-apiserver as child processes on free ports, with the flags verified
//! here (envtest's recipe plus an audit log), and waiting until the API server is ready.

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use kube::{Client, Config};

use crate::audit::{self, AuditLog};
use crate::binaries::Binaries;
use crate::certs::Pki;
use crate::error::{Error, IoContext, Result};
use crate::kubeconfig::{self, ClusterAccess, Credentials};
use crate::process::Process;

/// How long the API server may take to report ready (about 2 s here when idle).
const READY_TIMEOUT: Duration = Duration::from_secs(90);

/// A running etcd + kube-apiserver pair. Fields drop in order: the API server stops first.
pub(crate) struct Launched {
    pub apiserver: Process,
    pub etcd: Process,
    pub audit: AuditLog,
    pub client: Client,
    pub config: Config,
}

/// Where and how the API server runs: the API-server tier's defaults, or the node tier's.
#[derive(Clone, Debug)]
pub(crate) struct LaunchOptions {
    /// The address the API server binds and advertises.
    pub address: String,
    pub service_cidr: String,
    pub authorization_mode: String,
    /// Whether the `ServiceAccount` admission plugin runs (it waits for the `default` accounts a
    /// controller-manager makes, so not without one).
    pub service_account_admission: bool,
    pub extra_args: Vec<std::ffi::OsString>,
}

impl Default for LaunchOptions {
    fn default() -> Self {
        Self {
            address: "127.0.0.1".into(),
            service_cidr: "10.0.0.0/24".into(),
            authorization_mode: "RBAC".into(),
            service_account_admission: false,
            extra_args: Vec::new(),
        }
    }
}

/// Starts etcd and kube-apiserver with files in `dir` (PKI already there), writes the admin
/// kubeconfig to `kubeconfig_path` and waits for `/readyz`. `attempt` numbers the data dir.
pub(crate) async fn launch(
    binaries: &Binaries,
    dir: &Path,
    pki: &Pki,
    kubeconfig_path: &Path,
    attempt: u32,
    options: &LaunchOptions,
) -> Result<Launched> {
    let [etcd_port, peer_port] = free_ports("127.0.0.1")?;
    let [secure_port, _] = free_ports(&options.address)?;
    let address = options.address.as_str();
    let etcd_url = format!("http://127.0.0.1:{etcd_port}");
    let peer_url = format!("http://127.0.0.1:{peer_port}");
    let mut etcd = Command::new(&binaries.etcd);
    etcd.arg("--data-dir")
        .arg(dir.join(format!("etcd-data-{attempt}")))
        .args(["--listen-client-urls", &etcd_url, "--advertise-client-urls", &etcd_url])
        .args(["--listen-peer-urls", &peer_url])
        // Test data need not survive a power cut: skip fsync, it is most of etcd's latency.
        .arg("--unsafe-no-fsync");
    let mut etcd = Process::spawn("etcd", etcd, dir.join(format!("etcd-{attempt}.log")))?;

    let policy = dir.join("audit-policy.yaml");
    std::fs::write(&policy, audit::POLICY).context(|| format!("writing {}", policy.display()))?;
    let audit_log = dir.join(format!("audit-{attempt}.log"));
    let mut apiserver = Command::new(&binaries.kube_apiserver);
    apiserver
        .args(["--etcd-servers", &etcd_url])
        .args([
            "--secure-port",
            &secure_port.to_string(),
            "--bind-address",
            address,
            "--advertise-address",
            address,
        ])
        .arg("--tls-cert-file")
        .arg(&pki.serving_crt)
        .arg("--tls-private-key-file")
        .arg(&pki.serving_key)
        .arg("--client-ca-file")
        .arg(&pki.ca_crt)
        .args([
            "--service-cluster-ip-range",
            &options.service_cidr,
            "--allow-privileged=true",
            "--authorization-mode",
            &options.authorization_mode,
        ])
        .args(["--service-account-issuer", &format!("https://{address}:{secure_port}/")])
        .arg("--service-account-key-file")
        .arg(&pki.sa_pub)
        .arg("--service-account-signing-key-file")
        .arg(&pki.sa_key)
        .arg("--audit-policy-file")
        .arg(&policy)
        .arg("--audit-log-path")
        .arg(&audit_log)
        // Blocking: an event is in the file before the response is sent, so tests read it at once.
        .args([
            "--audit-log-mode",
            "blocking",
            "--audit-log-format",
            "json",
            "--audit-log-maxsize",
            "0",
        ]);
    if !options.service_account_admission {
        // No controller-manager creates the `default` service accounts this plugin waits for.
        apiserver.args(["--disable-admission-plugins", "ServiceAccount"]);
    }
    apiserver.args(&options.extra_args);
    let mut apiserver = Process::spawn("kube-apiserver", apiserver, dir.join(format!("kube-apiserver-{attempt}.log")))?;

    let access = ClusterAccess {
        server: format!("https://{address}:{secure_port}"),
        ca_pem: Some(std::fs::read(&pki.ca_crt).context(|| format!("reading {}", pki.ca_crt.display()))?),
        insecure: false,
    };
    let credentials = Credentials::ClientCert {
        cert_pem: std::fs::read(&pki.admin_crt).context(|| format!("reading {}", pki.admin_crt.display()))?,
        key_pem: std::fs::read(&pki.admin_key).context(|| format!("reading {}", pki.admin_key.display()))?,
    };
    kubeconfig::write(kubeconfig_path, "kaskade-e2e", &access, &credentials)?;
    let (client, config) = kubeconfig::client_from_file(kubeconfig_path).await?;

    let start = tokio::time::Instant::now();
    loop {
        if let Some(status) = etcd.exited() {
            return Err(etcd.failure(format!("etcd exited ({status})")));
        }
        if let Some(status) = apiserver.exited() {
            return Err(apiserver.failure(format!("kube-apiserver exited ({status})")));
        }
        if ready(&client).await {
            break;
        }
        if start.elapsed() > READY_TIMEOUT {
            return Err(apiserver.failure(format!("kube-apiserver not ready after {} s", READY_TIMEOUT.as_secs())));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(Launched {
        apiserver,
        etcd,
        audit: AuditLog::new(audit_log),
        client,
        config,
    })
}

/// Whether `/readyz` answers `ok` and the `default` namespace exists (the API server creates
/// it just after start; tests that apply without a namespace need it).
async fn ready(client: &Client) -> bool {
    let Ok(request) = http::Request::get("/readyz").body(Vec::new()) else {
        return false;
    };
    if !client.request_text(request).await.is_ok_and(|body| body.trim() == "ok") {
        return false;
    }
    let namespaces: kube::Api<k8s_openapi::api::core::v1::Namespace> = kube::Api::all(client.clone());
    namespaces.get_opt("default").await.is_ok_and(|ns| ns.is_some())
}

/// Whether a failed launch was a port taken between choosing and binding it (worth a retry).
pub(crate) fn port_clash(error: &Error) -> bool {
    matches!(error, Error::Process { logs, .. } if logs.contains("address already in use"))
}

/// Two distinct free ports on `address` (held together while choosing, so they differ).
fn free_ports(address: &str) -> Result<[u16; 2]> {
    let bind = || TcpListener::bind((address, 0)).context(|| format!("choosing a free port on {address}"));
    let listeners = [bind()?, bind()?];
    let mut ports = [0u16; 2];
    for (port, listener) in ports.iter_mut().zip(&listeners) {
        *port = listener.local_addr().context(|| "choosing a free port".into())?.port();
    }
    Ok(ports)
}
