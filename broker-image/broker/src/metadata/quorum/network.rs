//! How a voter reaches the others: one TCP connection per peer client openraft creates, to the
//! peer's CONTROLLER listener, opened on first use and dropped on any error (the next call
//! reconnects; openraft backs off between attempts). Each call has the deadline openraft gives.

use std::time::Duration;

use openraft::error::{InstallSnapshotError, NetworkError, RPCError, RaftError, RemoteError, Unreachable};
use openraft::network::{RPCOption, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse, VoteRequest, VoteResponse,
};
use serde::{de::DeserializeOwned, Serialize};
use tokio::net::TcpStream;

use super::rpc::{self, Kind};
use super::status::Progress;
use super::types::{Node, NodeId, Raft, TypeConfig};

/// The quorum's current leader and its CONTROLLER address, when one is known.
pub fn leader_address(raft: &Raft) -> Option<(NodeId, String)> {
    let metrics = raft.metrics();
    let m = metrics.borrow();
    let leader = m.current_leader?;
    let node = m.membership_config.membership().get_node(&leader)?;
    Some((leader, node.addr.clone()))
}

/// Opens clients to the voters at their CONTROLLER addresses; they record each peer's progress
/// for DescribeQuorum.
#[derive(Debug, Clone, Default)]
pub struct TcpNetwork {
    pub progress: Progress,
}

#[derive(Debug)]
pub struct PeerClient {
    target: NodeId,
    addr: String,
    stream: Option<TcpStream>,
    progress: Option<Progress>,
}

impl RaftNetworkFactory<TypeConfig> for TcpNetwork {
    type Network = PeerClient;

    async fn new_client(&mut self, target: NodeId, node: &Node) -> PeerClient {
        PeerClient {
            target,
            addr: node.addr.clone(),
            stream: None,
            progress: Some(self.progress.clone()),
        }
    }
}

/// Why a call failed before any answer came back.
pub enum CallError {
    /// No connection could be made: the peer is down or cut off.
    Connect(std::io::Error),
    /// The connection broke or the deadline passed mid-call.
    Io(std::io::Error),
}

impl PeerClient {
    async fn call<Req: Serialize, Resp: DeserializeOwned>(&mut self, kind: Kind, req: &Req, deadline: Duration) -> Result<Resp, CallError> {
        let result = tokio::time::timeout(deadline, async {
            if self.stream.is_none() {
                let s = TcpStream::connect(&self.addr).await.map_err(CallError::Connect)?;
                s.set_nodelay(true).map_err(CallError::Connect)?;
                self.stream = Some(s);
            }
            let stream = self.stream.as_mut().expect("connected above");
            rpc::write_request(stream, kind, req).await.map_err(CallError::Io)?;
            rpc::read_response::<Resp>(stream).await.map_err(CallError::Io)
        })
        .await
        .unwrap_or_else(|_| Err(CallError::Io(std::io::Error::new(std::io::ErrorKind::TimedOut, "deadline passed"))));
        if result.is_err() {
            self.stream = None;
        }
        result
    }

    /// A Raft RPC: transport failures become openraft's unreachable/network errors, the peer's
    /// own error its remote error.
    async fn raft_call<Req: Serialize, Resp: DeserializeOwned, E: std::error::Error + DeserializeOwned>(
        &mut self,
        kind: Kind,
        req: &Req,
        option: &RPCOption,
    ) -> Result<Resp, RPCError<NodeId, Node, E>> {
        match self.call::<Req, Result<Resp, E>>(kind, req, option.hard_ttl()).await {
            Ok(Ok(resp)) => Ok(resp),
            Ok(Err(remote)) => Err(RPCError::RemoteError(RemoteError::new(self.target, remote))),
            Err(CallError::Connect(e)) => Err(RPCError::Unreachable(Unreachable::new(&e))),
            Err(CallError::Io(e)) => Err(RPCError::Network(NetworkError::new(&e))),
        }
    }

    /// Forwards a metadata write to this peer (the leader).
    pub async fn propose(
        &mut self,
        record: &crate::metadata::records::Record,
        deadline: Duration,
    ) -> Result<rpc::ProposeResult, CallError> {
        self.call(Kind::Propose, record, deadline).await
    }

    /// A one-off client (a forwarded request), recording nothing.
    pub fn to(target: NodeId, addr: String) -> PeerClient {
        PeerClient {
            target,
            addr,
            stream: None,
            progress: None,
        }
    }

    /// Tells this peer (the leader) that broker `id`'s run `incarnation` is alive.
    pub async fn heartbeat(&mut self, id: i32, incarnation: uuid::Uuid, deadline: Duration) -> Result<(), CallError> {
        self.call(Kind::Heartbeat, &(id, incarnation), deadline).await
    }

    /// Asks this peer (the leader) for the quorum's status.
    pub async fn describe_quorum(&mut self, deadline: Duration) -> Result<Option<crate::metadata::QuorumStatus>, CallError> {
        self.call(Kind::DescribeQuorum, &(), deadline).await
    }
}

impl RaftNetwork<TypeConfig> for PeerClient {
    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<AppendEntriesResponse<NodeId>, RPCError<NodeId, Node, RaftError<NodeId>>> {
        // Caught up: its log reaches what the leader had committed when it sent this.
        let reaches = rpc.entries.last().map(|e| e.log_id).or(rpc.prev_log_id);
        let caught_up = reaches.map(|l| l.index) >= rpc.leader_commit.map(|l| l.index);
        let resp = self.raft_call(Kind::AppendEntries, &rpc, &option).await;
        if let (Ok(AppendEntriesResponse::Success), Some(progress)) = (&resp, &self.progress) {
            let now = crate::util::now_ms();
            let mut p = progress.lock().unwrap_or_else(|e| e.into_inner());
            let entry = p.entry(self.target).or_default();
            entry.last_fetch_ms = now;
            if caught_up {
                entry.last_caught_up_ms = now;
            }
        }
        resp
    }

    async fn install_snapshot(
        &mut self,
        rpc: InstallSnapshotRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<InstallSnapshotResponse<NodeId>, RPCError<NodeId, Node, RaftError<NodeId, InstallSnapshotError>>> {
        self.raft_call(Kind::InstallSnapshot, &rpc, &option).await
    }

    async fn vote(
        &mut self,
        rpc: VoteRequest<NodeId>,
        option: RPCOption,
    ) -> Result<VoteResponse<NodeId>, RPCError<NodeId, Node, RaftError<NodeId>>> {
        self.raft_call(Kind::Vote, &rpc, &option).await
    }
}
