//! `kaskade-operator run`: connects to the API server, serves the HTTP endpoints, takes the leader
//! lease when asked to, and runs the KafkaCluster, Topic and Connector controllers until SIGTERM/SIGINT.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use futures_util::future::{join_all, BoxFuture};
use futures_util::FutureExt;
use kube::Client;
use tokio::sync::watch;

use kaskade_operator::cluster::ClusterDefaults;
use kaskade_operator::controllers::kafka_cluster::{self, ClusterContext};
use kaskade_operator::controllers::{connector, topic};
use kaskade_operator::runtime::context::parse_overrides;
use kaskade_operator::runtime::http::{self, Health};
use kaskade_operator::runtime::leader::LeaseLock;
use kaskade_operator::runtime::metrics::Metrics;
use kaskade_operator::runtime::scope::Scope;
use kaskade_operator::runtime::startup::Startup;
use kaskade_operator::runtime::Shared;

/// Flags of `run`; each can also come from the environment.
#[derive(clap::Args, Debug, Clone)]
pub struct RunArgs {
    /// Namespaces to watch, comma-separated; all namespaces when empty.
    #[arg(long, env = "KASKADE_WATCH_NAMESPACES", value_delimiter = ',', default_value = "")]
    pub namespaces: Vec<String>,
    /// Broker image for clusters that do not name one.
    #[arg(long, env = "KASKADE_BROKER_IMAGE", default_value = concat!("ghcr.io/kaskade-dev/kaskade:", env!("CARGO_PKG_VERSION")))]
    pub broker_image: String,
    /// Address of /metrics, /healthz and /readyz.
    #[arg(long, env = "KASKADE_HTTP_ADDR", default_value = "0.0.0.0:8080")]
    pub http_addr: SocketAddr,
    /// Run only while holding the `kaskade-operator` Lease (for more than one replica).
    #[arg(long, env = "KASKADE_LEADER_ELECTION")]
    pub leader_election: bool,
    /// Namespace of the leader Lease.
    #[arg(long, env = "POD_NAMESPACE", default_value = "default")]
    pub lease_namespace: String,
    /// Reach a cluster's brokers at another address: NAMESPACE/CLUSTER=HOST:PORT (repeatable).
    #[arg(long = "bootstrap-override", env = "KASKADE_BOOTSTRAP_OVERRIDES", value_delimiter = ',')]
    pub bootstrap_overrides: Vec<String>,
    /// Reach a cluster's Connect REST API at another URL: NAMESPACE/CLUSTER=http://HOST:PORT (repeatable).
    #[arg(long = "connect-override", env = "KASKADE_CONNECT_OVERRIDES", value_delimiter = ',')]
    pub connect_overrides: Vec<String>,
}

/// Runs until a shutdown signal, or until the leader lease is lost.
pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let overrides = parse_overrides(&args.bootstrap_overrides)
        .map_err(anyhow::Error::msg)
        .context("--bootstrap-override")?;
    let connect_overrides = parse_overrides(&args.connect_overrides)
        .map_err(anyhow::Error::msg)
        .context("--connect-override")?;
    let scope = Scope::parse(&args.namespaces);
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "kaskade-operator starting");
    let client = Client::try_default()
        .await
        .context("connecting to the Kubernetes API (KUBECONFIG or in-cluster)")?;
    let metrics = Arc::new(Metrics::default());
    let startup = Arc::new(Startup::default());
    let health = Arc::new(Health {
        metrics: metrics.clone(),
        startup: startup.clone(),
    });

    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(signal_stop(stop_tx.clone()));
    let stopped = |rx: watch::Receiver<bool>| async move {
        let mut rx = rx;
        let _ = rx.wait_for(|s| *s).await;
    };
    let http_task = tokio::spawn(http::serve(args.http_addr, health.clone(), stopped(stop_rx.clone())));

    let mut lost_lease = None;
    if args.leader_election {
        let identity = std::env::var("POD_NAME").unwrap_or_else(|_| format!("{}-{}", kaskade_operator::OPERATOR, std::process::id()));
        let lock = Arc::new(LeaseLock::new(
            client.clone(),
            &args.lease_namespace,
            kaskade_operator::OPERATOR,
            &identity,
        ));
        startup.standby();
        tokio::select! {
            _ = lock.acquire() => {}
            _ = stopped(stop_rx.clone()) => return Ok(()),
        }
        let (lost_tx, lost_rx) = tokio::sync::oneshot::channel();
        let stop = stop_tx.clone();
        tokio::spawn(async move {
            lock.hold().await;
            let _ = lost_tx.send(());
            let _ = stop.send(true);
        });
        lost_lease = Some(lost_rx);
    }

    let defaults = ClusterDefaults {
        broker_image: args.broker_image.clone(),
    };
    let shared = Arc::new(Shared::new(client.clone(), metrics, overrides).with_connect_overrides(connect_overrides));
    tracing::info!(?scope, image = %args.broker_image, "starting the KafkaCluster, Topic and Connector controllers");
    let mut controllers: Vec<BoxFuture<'static, ()>> = Vec::new();
    for ns in scope.namespaces() {
        let ns = ns.as_deref();
        let cluster_ctx = ClusterContext {
            shared: shared.clone(),
            defaults: defaults.clone(),
        };
        let listing = startup.register(kafka_cluster::CONTROLLER);
        controllers.push(kafka_cluster::run(client.clone(), ns, cluster_ctx, listing, stopped(stop_rx.clone())).boxed());
        let listing = startup.register(topic::CONTROLLER);
        controllers.push(topic::run(client.clone(), ns, shared.clone(), listing, stopped(stop_rx.clone())).boxed());
        let listing = startup.register(connector::CONTROLLER);
        controllers.push(connector::run(client.clone(), ns, shared.clone(), listing, stopped(stop_rx.clone())).boxed());
    }
    // Ready (`/readyz`) once each of them has listed its resources.
    startup.seal();
    join_all(controllers).await;
    let _ = stop_tx.send(true);
    let _ = http_task.await;
    if let Some(mut lost) = lost_lease {
        if lost.try_recv().is_ok() {
            anyhow::bail!("lost the leader lease; exiting so that the Deployment restarts this replica");
        }
    }
    tracing::info!("stopped");
    Ok(())
}

/// Sets `stop` on SIGTERM or SIGINT.
async fn signal_stop(stop: watch::Sender<bool>) {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = term => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    tracing::info!("shutting down");
    let _ = stop.send(true);
}

impl RunArgs {
    /// `run`'s flags from the environment alone (when no subcommand is given).
    pub fn parse_from_env() -> RunArgs {
        #[derive(clap::Parser)]
        struct Only {
            #[command(flatten)]
            args: RunArgs,
        }
        <Only as clap::Parser>::parse_from(["kaskade-operator"]).args
    }
}
