//! [`ControlPlane`]: the Kubernetes API server a test runs against. Normally a private etcd +
//! kube-apiserver started for the test (with an audit log); with `KUBECONFIG` and
//! `KASKADE_E2E_USE_KUBECONFIG=1`, an existing cluster instead. Everything a test needs goes
//! through it: the admin client and kubeconfig, service-account kubeconfigs for RBAC, applying
//! YAML, printer columns, and the writes a user made.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use kube::api::{Api, DynamicObject, PostParams};
use kube::{Client, Config};
use tempfile::TempDir;

use crate::apply::{self, FIELD_MANAGER};
use crate::audit::{AuditEvent, AuditLog};
use crate::binaries;
use crate::certs::Pki;
use crate::error::{Error, IoContext, KubeContext, Result};
use crate::kubeconfig::{self, ClusterAccess, Credentials};
use crate::launch::{self, LaunchOptions, Launched};
use crate::process::Process;
use crate::table::{self, Table};
use crate::wait;
use crate::workspace;

/// Set to `1` (with `KUBECONFIG`) to run against that cluster instead of starting one.
pub const ENV_USE_KUBECONFIG: &str = "KASKADE_E2E_USE_KUBECONFIG";
/// Set to `1` to fail, not skip, when no control plane can run (the project's `test.sh` does).
pub const ENV_REQUIRE: &str = "KASKADE_E2E_REQUIRE";

/// Lifetime of the service-account tokens the harness requests.
const TOKEN_SECONDS: i64 = 3600;
/// How long installed CRDs may take to become Established.
const ESTABLISH_TIMEOUT: Duration = Duration::from_secs(30);

/// A Kubernetes API server for one test; a local one is stopped when this is dropped.
pub struct ControlPlane {
    client: Client,
    config: Config,
    kubeconfig: PathBuf,
    local: Option<Launched>,
    /// Namespaces this harness created on an external cluster, deleted on drop.
    created_namespaces: Mutex<Vec<String>>,
    startup: Duration,
    /// Certificates, kubeconfigs and logs. Kept (and printed) when the test panics.
    dir: Option<TempDir>,
}

impl ControlPlane {
    /// An external cluster (`KUBECONFIG` + `KASKADE_E2E_USE_KUBECONFIG=1`) or a local etcd +
    /// kube-apiserver, built by `e2e/k8s/controlplane/build.sh` if needed and started now.
    /// [`Error::Unavailable`] when the local one cannot be built here.
    pub async fn start() -> Result<Self> {
        if use_external() {
            Self::external().await
        } else {
            Self::start_local().await
        }
    }

    /// [`ControlPlane::start`], but `None` — after printing a `skipped: …` line — when no control
    /// plane is available and `KASKADE_E2E_REQUIRE` is not `1`:
    ///
    /// ```no_run
    /// # async fn t() -> kaskade_e2e::Result<()> {
    /// let Some(cp) = kaskade_e2e::ControlPlane::start_or_skip().await? else { return Ok(()) };
    /// # Ok(()) }
    /// ```
    pub async fn start_or_skip() -> Result<Option<Self>> {
        match Self::start().await {
            Ok(cp) => Ok(Some(cp)),
            Err(e @ Error::Unavailable(_)) if !env_is_1(ENV_REQUIRE) => {
                // Straight to stderr, past the test harness's output capture.
                let _ = writeln!(
                    std::io::stderr(),
                    "skipped: {e}\n  (set KUBECONFIG and {ENV_USE_KUBECONFIG}=1 to use a cluster; {ENV_REQUIRE}=1 makes this a failure)"
                );
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    async fn start_local() -> Result<Self> {
        let started = Instant::now();
        let dir = tempfile::Builder::new()
            .prefix("kaskade-e2e-")
            .tempdir()
            .context(|| "creating a temporary directory".into())?;
        let pki_dir = dir.path().to_path_buf();
        let pki = tokio::task::spawn_blocking(move || Pki::generate(&pki_dir))
            .await
            .map_err(|e| Error::Invalid(format!("generating certificates: {e}")))??;
        Self::launch_local(dir, &pki, &LaunchOptions::default(), started).await
    }

    /// Starts etcd + kube-apiserver with the certificates already in `dir`.
    pub(crate) async fn launch_local(dir: TempDir, pki: &Pki, options: &LaunchOptions, started: Instant) -> Result<Self> {
        let binaries = binaries::build().await?;
        let kubeconfig = dir.path().join("admin.kubeconfig");
        let mut attempt = 1;
        let launched = loop {
            match launch::launch(&binaries, dir.path(), pki, &kubeconfig, attempt, options).await {
                Err(e) if launch::port_clash(&e) && attempt < 3 => attempt += 1,
                other => break other?,
            }
        };
        Ok(Self {
            client: launched.client.clone(),
            config: launched.config.clone(),
            kubeconfig,
            local: Some(launched),
            created_namespaces: Mutex::new(Vec::new()),
            startup: started.elapsed(),
            dir: Some(dir),
        })
    }

    async fn external() -> Result<Self> {
        let started = Instant::now();
        let path = std::env::var_os("KUBECONFIG").map(PathBuf::from).unwrap_or_default();
        let (client, config) = kubeconfig::client_from_env().await?;
        client
            .apiserver_version()
            .await
            .context(|| format!("reaching the cluster of KUBECONFIG={}", path.display()))?;
        let dir = tempfile::Builder::new()
            .prefix("kaskade-e2e-")
            .tempdir()
            .context(|| "creating a temporary directory".into())?;
        Ok(Self {
            client,
            config,
            kubeconfig: path,
            local: None,
            created_namespaces: Mutex::new(Vec::new()),
            startup: started.elapsed(),
            dir: Some(dir),
        })
    }

    /// A client with admin rights (system:masters on a local control plane).
    pub fn client(&self) -> Client {
        self.client.clone()
    }

    /// The admin client's configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The admin kubeconfig (for `kubectl --kubeconfig` or a child process's `KUBECONFIG`). On
    /// an external cluster, the value of `KUBECONFIG`.
    pub fn kubeconfig_path(&self) -> &Path {
        &self.kubeconfig
    }

    /// The API server's URL.
    pub fn server_url(&self) -> String {
        ClusterAccess::from_config(&self.config).server
    }

    /// Whether this is a control plane the harness started (with an audit log).
    pub fn is_local(&self) -> bool {
        self.local.is_some()
    }

    /// How long `start` took (build check, certificates, processes, readiness).
    pub fn startup_time(&self) -> Duration {
        self.startup
    }

    /// A scratch directory that lives as long as this control plane (kept when a test panics).
    pub fn dir(&self) -> &Path {
        self.dir.as_ref().map(|d| d.path()).unwrap_or_else(|| Path::new("."))
    }

    /// The audit log of a local control plane (`None` on an external cluster).
    pub fn audit_log(&self) -> Option<&AuditLog> {
        self.local.as_ref().map(|l| &l.audit)
    }

    /// Write requests (create/update/patch/delete) made by `username` so far, from the audit log;
    /// `None` on an external cluster, where there is no audit log to read (a test then skips its
    /// zero-writes assertion, saying so). See also [`AuditLog::mark`] and
    /// [`AuditLog::writes_by_since`] to count from a point in time.
    pub fn writes_by(&self, username: &str) -> Result<Option<Vec<AuditEvent>>> {
        self.audit_log().map(|log| log.writes_by(username)).transpose()
    }

    /// The etcd and kube-apiserver processes of a local control plane.
    pub fn processes(&self) -> Option<(&Process, &Process)> {
        self.local.as_ref().map(|l| (&l.etcd, &l.apiserver))
    }

    /// Starts `command` as a child process logging to `DIR/LABEL.log`, killed when the returned
    /// [`Process`] is dropped (its log tail printed if the test panics). For the operator:
    /// `cp.spawn("operator", kaskade_e2e::workspace::command("kaskade-operator")?)`.
    pub fn spawn(&self, label: &str, command: Command) -> Result<Process> {
        Process::spawn(label, command, self.dir().join(format!("{label}.log")))
    }

    /// Creates namespace `name` unless it exists.
    pub async fn ensure_namespace(&self, name: &str) -> Result<()> {
        let api: Api<Namespace> = Api::all(self.client.clone());
        if api.get_opt(name).await.context(|| format!("getting namespace {name}"))?.is_some() {
            return Ok(());
        }
        let namespace = Namespace {
            metadata: kube::api::ObjectMeta {
                name: Some(name.into()),
                ..Default::default()
            },
            ..Default::default()
        };
        match api.create(&PostParams::default(), &namespace).await {
            Ok(_) => {}
            Err(kube::Error::Api(status)) if status.code == 409 => return Ok(()),
            Err(e) => return Err(e).context(|| format!("creating namespace {name}")),
        }
        if let Ok(mut created) = self.created_namespaces.lock() {
            created.push(name.to_string());
        }
        Ok(())
    }

    /// Creates a namespace `PREFIX-XXXXXX` with a fresh suffix and returns its name (tests that
    /// share an external cluster do not collide).
    pub async fn unique_namespace(&self, prefix: &str) -> Result<String> {
        let name = format!("{prefix}-{}", unique_suffix());
        self.ensure_namespace(&name).await?;
        Ok(name)
    }

    /// The user name the API server gives a service account's tokens.
    pub fn service_account_username(namespace: &str, name: &str) -> String {
        format!("system:serviceaccount:{namespace}:{name}")
    }

    /// Creates ServiceAccount `namespace/name` (and the namespace) if missing, requests a 1 h
    /// token for it through the TokenRequest API and writes a kubeconfig using that token: a
    /// process run with it has exactly the account's RBAC. Returns the kubeconfig's path.
    pub async fn service_account_kubeconfig(&self, namespace: &str, name: &str) -> Result<PathBuf> {
        self.ensure_namespace(namespace).await?;
        let accounts: Api<ServiceAccount> = Api::namespaced(self.client.clone(), namespace);
        if accounts
            .get_opt(name)
            .await
            .context(|| format!("getting serviceaccount {namespace}/{name}"))?
            .is_none()
        {
            let account = ServiceAccount {
                metadata: kube::api::ObjectMeta {
                    name: Some(name.into()),
                    ..Default::default()
                },
                ..Default::default()
            };
            match accounts.create(&PostParams::default(), &account).await {
                Ok(_) => {}
                Err(kube::Error::Api(status)) if status.code == 409 => {}
                Err(e) => return Err(e).context(|| format!("creating serviceaccount {namespace}/{name}")),
            }
        }
        let request = TokenRequest {
            spec: TokenRequestSpec {
                expiration_seconds: Some(TOKEN_SECONDS),
                ..Default::default()
            },
            ..Default::default()
        };
        let answer = accounts
            .create_token_request(name, &PostParams::default(), &request)
            .await
            .context(|| format!("requesting a token for serviceaccount {namespace}/{name}"))?;
        let token = answer
            .status
            .map(|s| s.token)
            .ok_or_else(|| Error::Invalid("the TokenRequest answer has no status".into()))?;
        let path = self.dir().join(format!("sa-{namespace}-{name}.kubeconfig"));
        kubeconfig::write(
            &path,
            &format!("{namespace}-{name}"),
            &ClusterAccess::from_config(&self.config),
            &Credentials::Token(token),
        )?;
        Ok(path)
    }

    /// Server-side applies every document of `yaml` as admin; namespaced objects without a
    /// namespace go into `namespace` (or `default`).
    pub async fn apply_yaml(&self, yaml: &str, namespace: Option<&str>) -> Result<Vec<DynamicObject>> {
        apply::apply_yaml(&self.client, yaml, namespace, FIELD_MANAGER).await
    }

    /// Server-side applies a (multi-document) YAML file as admin.
    pub async fn apply_file(&self, path: impl AsRef<Path>) -> Result<Vec<DynamicObject>> {
        apply::apply_file(&self.client, path.as_ref(), None, FIELD_MANAGER).await
    }

    /// [`ControlPlane::apply_file`] with namespaced objects that name none going into `namespace`.
    pub async fn apply_file_in(&self, path: impl AsRef<Path>, namespace: &str) -> Result<Vec<DynamicObject>> {
        apply::apply_file(&self.client, path.as_ref(), Some(namespace), FIELD_MANAGER).await
    }

    /// Installs the workspace's `crds/*.yaml` by server-side apply and waits until they are
    /// Established. Returns the CRD names (`kafkaclusters.kaskade.dev`, …).
    pub async fn install_crds(&self) -> Result<Vec<String>> {
        let mut names = Vec::new();
        for file in workspace::yaml_files(&workspace::crds_dir())? {
            for object in self.apply_file(&file).await? {
                names.extend(object.metadata.name);
            }
        }
        wait::wait_crds_established(&self.client, &names, ESTABLISH_TIMEOUT).await?;
        Ok(names)
    }

    /// An `Api` for any kind by `apiVersion`/`kind` (namespaced when `namespace` is given).
    pub async fn api(&self, api_version: &str, kind: &str, namespace: Option<&str>) -> Result<Api<DynamicObject>> {
        apply::dynamic_api(&self.client, api_version, kind, namespace).await
    }

    /// `kubectl get` for a collection: its printer columns and rows through the Table API.
    pub async fn table(&self, group: &str, version: &str, plural: &str, namespace: Option<&str>) -> Result<Table> {
        table::get_table(&self.client, &table::collection_path(group, version, plural, namespace)).await
    }
}

impl Drop for ControlPlane {
    fn drop(&mut self) {
        // Stop the API server, then etcd (field order of `Launched`).
        drop(self.local.take());
        let created = self.created_namespaces.get_mut().map(std::mem::take).unwrap_or_default();
        if !created.is_empty() {
            delete_namespaces(self.config.clone(), created);
        }
        if let Some(dir) = self.dir.take() {
            if std::thread::panicking() {
                eprintln!("control plane files kept in {}", dir.keep().display());
            }
        }
    }
}

/// Deletes namespaces on an external cluster, from a thread with its own runtime (drop is
/// synchronous and may run inside the test's runtime). Best effort.
fn delete_namespaces(config: Config, names: Vec<String>) {
    let deleting = std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
            return;
        };
        runtime.block_on(async move {
            let Ok(client) = Client::try_from(config) else { return };
            let api: Api<Namespace> = Api::all(client);
            for name in names {
                let _ = api.delete(&name, &Default::default()).await;
            }
        });
    });
    let _ = deleting.join();
}

fn use_external() -> bool {
    std::env::var_os("KUBECONFIG").is_some_and(|v| !v.is_empty()) && env_is_1(ENV_USE_KUBECONFIG)
}

fn env_is_1(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v == "1")
}

/// Six lowercase hex digits, different on every call in this process and likely across processes.
fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mixed =
        (u64::from(nanos) ^ (u64::from(std::process::id()) << 20)).wrapping_add(COUNTER.fetch_add(1, Ordering::Relaxed) * 0x9E37_79B9);
    format!("{:06x}", mixed & 0xFF_FFFF)
}
