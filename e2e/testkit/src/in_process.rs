//! The broker inside the test process, for protocol tests that need no process of their own:
//! started and stopped in milliseconds, on its own runtime, so a plain `#[test]` can use it. Tests
//! of crashes, signals, the command line or memory use spawn the binary instead
//! ([`crate::BrokerProc`]).

use std::path::PathBuf;

use kaskade_broker::{BrokerConfig, RunningBroker};

use crate::free_port;

pub struct InProcessBroker {
    running: Option<RunningBroker>,
    runtime: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
}

impl InProcessBroker {
    /// Starts a broker on a free loopback port with a fresh log directory and these `key=value`
    /// overrides; returns once it listens.
    pub fn start(overrides: &[&str]) -> InProcessBroker {
        let dir = tempfile::Builder::new().prefix("kaskade-test-").tempdir().expect("tempdir");
        let mut props = vec![
            format!("listeners=PLAINTEXT://127.0.0.1:{}", free_port()),
            format!("log.dirs={}", dir.path().join("data").display()),
        ];
        props.extend(overrides.iter().map(|o| o.to_string()));
        let config = BrokerConfig::load(None, &props).unwrap_or_else(|e| panic!("broker config {props:?}: {e}"));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime for the broker");
        let running = runtime
            .block_on(kaskade_broker::start(config))
            .unwrap_or_else(|e| panic!("the in-process broker did not start: {e}"));
        InProcessBroker {
            running: Some(running),
            runtime,
            dir,
        }
    }

    pub fn bootstrap(&self) -> String {
        let running = self.running.as_ref().expect("running until dropped");
        running.local_addr.to_string()
    }

    /// The broker's `log.dirs`.
    pub fn log_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }
}

impl Drop for InProcessBroker {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            if let Err(e) = self.runtime.block_on(running.shutdown()) {
                if !std::thread::panicking() {
                    panic!("the in-process broker did not shut down cleanly: {e}");
                }
            }
        }
    }
}
