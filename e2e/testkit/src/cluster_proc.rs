//! Several `kaskade broker` processes forming one cluster on loopback: each is a voter of the
//! metadata quorum (`controller.quorum.voters` names every broker's CONTROLLER port), with its
//! own log directory and client port. Brokers are launched together (a voter serves only once
//! a majority runs) and can be killed with SIGKILL, stopped and started again one at a time.

use std::time::Duration;

use crate::{free_port, BrokerProc};

pub struct ClusterProc {
    /// Broker `i` has node id `i + 1`.
    pub brokers: Vec<BrokerProc>,
    pub controller_ports: Vec<u16>,
}

impl ClusterProc {
    /// Starts `n` brokers with the given extra `key=value` overrides and waits until every
    /// one of them serves clients.
    pub fn start(n: usize, overrides: &[&str]) -> ClusterProc {
        // Distinct within the cluster: free_port() may hand the same port out twice.
        let mut ports: Vec<u16> = Vec::new();
        while ports.len() < 2 * n {
            let p = free_port();
            if !ports.contains(&p) {
                ports.push(p);
            }
        }
        let controller_ports = ports.split_off(n);
        let voters = controller_ports
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{}@127.0.0.1:{p}", i + 1))
            .collect::<Vec<_>>()
            .join(",");
        let mut brokers: Vec<BrokerProc> = controller_ports
            .iter()
            .enumerate()
            .map(|(i, cport)| {
                let mut b = BrokerProc::stopped(&[]);
                b.port = ports[i];
                let mut all = vec![
                    format!("node.id={}", i + 1),
                    format!("listeners=PLAINTEXT://127.0.0.1:{},CONTROLLER://127.0.0.1:{cport}", b.port),
                    "controller.listener.names=CONTROLLER".to_string(),
                    format!("controller.quorum.voters={voters}"),
                ];
                all.extend(overrides.iter().map(|s| s.to_string()));
                b.set_overrides(&all.iter().map(String::as_str).collect::<Vec<_>>());
                b
            })
            .collect();
        let started: Vec<_> = brokers.iter_mut().map(|b| b.launch()).collect();
        for (b, s) in brokers.iter_mut().zip(started) {
            b.wait_started(s);
        }
        ClusterProc { brokers, controller_ports }
    }

    /// Every broker's client address, comma-separated.
    pub fn bootstrap(&self) -> String {
        self.brokers.iter().map(|b| b.bootstrap()).collect::<Vec<_>>().join(",")
    }

    /// The broker with node id `id`.
    pub fn node(&mut self, id: i32) -> &mut BrokerProc {
        let i = usize::try_from(id - 1).expect("node ids start at 1");
        &mut self.brokers[i]
    }

    /// Restarts every stopped broker together and waits until each serves.
    pub fn start_stopped(&mut self) {
        let started: Vec<_> = self
            .brokers
            .iter_mut()
            .map(|b| if b.child.is_none() { Some(b.launch()) } else { None })
            .collect();
        for (b, s) in self.brokers.iter_mut().zip(started) {
            if let Some(s) = s {
                b.wait_started(s);
            }
        }
    }

    /// Every broker's log so far, for a failing test's message.
    pub fn logs(&self) -> String {
        self.brokers
            .iter()
            .enumerate()
            .map(|(i, b)| format!("--- broker {} ---\n{}", i + 1, b.logs()))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// How long the cluster tests wait for something the quorum does within an election or two.
pub const QUORUM_WAIT: Duration = Duration::from_secs(30);
