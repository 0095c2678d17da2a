//! The node tier: Kaskade on real pods. One run starts a one-node Kubernetes cluster
//! ([`kaskade_e2e::Node`]: containerd, kubelet, controller-manager, scheduler, kube-proxy and
//! CoreDNS on this machine), installs the chart with our own images, runs every scenario (each in
//! its own namespace, sharing the cluster), uninstalls the chart and restores the machine.
//!
//! The same scenarios run on a real kind cluster (`e2e/kind.sh`): with `KUBECONFIG` and
//! `KASKADE_E2E_USE_KUBECONFIG=1` the runner uses that cluster instead of starting a node.
//!
//! ```text
//! cargo build --release -p kaskade -p kaskade-operator   # the images' binaries
//! cargo test -p kaskade-e2e --test node                   # every scenario
//! cargo test -p kaskade-e2e --test node -- broker         # a filter, as with any cargo test
//! ```

mod client;
mod cluster;
mod scenarios;

use std::process::ExitCode;
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};

use cluster::Cluster;

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let scenarios = scenarios::all();
    let selected = scenarios.iter().filter(|s| selected(&args, s.name)).count();
    if args.list || selected == 0 {
        let trials = scenarios.iter().map(|s| Trial::test(s.name, || Ok(()))).collect();
        return libtest_mimic::run(&args, trials).exit_code();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => Arc::new(r),
        Err(e) => {
            eprintln!("node tier: building a tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The cluster's processes are started from this (the main) thread: they die with it if the
    // run is killed, and the next run cleans up what they leave.
    let cluster = match runtime.block_on(Cluster::start()) {
        Ok(Some(cluster)) => Arc::new(cluster),
        Ok(None) => {
            let trials = scenarios
                .iter()
                .map(|s| Trial::test(s.name, || Ok(())).with_ignored_flag(true))
                .collect();
            return libtest_mimic::run(&args, trials).exit_code();
        }
        Err(e) => {
            eprintln!("node tier: the cluster did not start: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let trials = scenarios
        .into_iter()
        .map(|scenario| {
            let (runtime, cluster) = (runtime.clone(), cluster.clone());
            Trial::test(scenario.name, move || {
                runtime
                    .block_on((scenario.run)(cluster))
                    .map_err(|e| Failed::from(format!("{e:?}")))
            })
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    let finished = match Arc::try_unwrap(cluster) {
        Ok(cluster) => runtime.block_on(cluster.finish(conclusion.has_failed())),
        Err(_) => Err(anyhow::anyhow!("a scenario still holds the cluster")),
    };
    if let Err(e) = &finished {
        eprintln!("node tier: finishing the run failed: {e:#}");
    }
    if conclusion.has_failed() || finished.is_err() {
        ExitCode::from(101)
    } else {
        ExitCode::SUCCESS
    }
}

/// Whether libtest's filter arguments select `name`.
fn selected(args: &Arguments, name: &str) -> bool {
    let matches = |filter: &str| if args.exact { name == filter } else { name.contains(filter) };
    let included = args.filter.as_deref().is_none_or(matches);
    let skipped = args.skip.iter().any(|s| matches(s));
    included && !skipped && !args.ignored
}
