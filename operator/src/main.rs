//! `kaskade-operator`: `run` (default) reconciles resources; `crd` prints or writes the CRDs.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

mod logging;
mod run_cmd;

#[derive(Parser)]
#[command(
    name = "kaskade-operator",
    version,
    about = "Runs Kaskade's KafkaCluster and Topic resources on Kubernetes"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Reconcile KafkaCluster and Topic resources (the default).
    Run(run_cmd::RunArgs),
    /// Print the CRDs as YAML, or write one file per CRD into a directory.
    Crd {
        /// Directory to write `<plural>.kaskade.dev.yaml` files into.
        #[arg(long)]
        write: Option<PathBuf>,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Crd { write }) => crd(write),
        Some(Command::Run(args)) => run(args),
        None => run(run_cmd::RunArgs::parse_from_env()),
    }
}

fn run(args: run_cmd::RunArgs) -> anyhow::Result<()> {
    logging::init();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(run_cmd::run(args))
}

fn crd(write: Option<PathBuf>) -> anyhow::Result<()> {
    let files = kaskade_operator::crd::generate::crd_files()?;
    match write {
        Some(dir) => {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            for (name, yaml) in files {
                let path = dir.join(name);
                std::fs::write(&path, yaml).with_context(|| format!("writing {}", path.display()))?;
            }
        }
        None => {
            for (_, yaml) in files {
                print!("---\n{yaml}");
            }
        }
    }
    Ok(())
}
