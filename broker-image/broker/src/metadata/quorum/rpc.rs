//! The voters' private RPCs over the CONTROLLER listener: Raft's AppendEntries, Vote and
//! InstallSnapshot; Propose (a metadata write a non-leader forwards to the leader),
//! DescribeQuorum (answered by the leader) and Heartbeat (a broker telling the leader it lives). A
//! request is `u32 length, u8 kind, JSON body`; the answer is `u32 length, JSON body` holding the
//! handler's `Result`. Each connection carries one request at a time; a malformed frame closes
//! that connection only.

use std::time::Duration;

use openraft::error::{InstallSnapshotError, RaftError};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse, VoteRequest, VoteResponse,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::liveness::Liveness;
use super::status::Progress;
use super::types::{NodeId, Raft, TypeConfig};
use crate::metadata::records::{Outcome, Record};

/// What the leader keeps about the other voters and brokers: their replication progress
/// (DescribeQuorum) and when they last heartbeated.
#[derive(Debug, Clone, Default)]
pub struct Peers {
    pub progress: Progress,
    pub liveness: std::sync::Arc<Liveness>,
}

/// The largest frame either side accepts (a snapshot chunk is far below it).
pub const MAX_FRAME: usize = 64 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    AppendEntries = 1,
    Vote = 2,
    InstallSnapshot = 3,
    Propose = 4,
    DescribeQuorum = 5,
    Heartbeat = 6,
}

impl Kind {
    fn from_u8(b: u8) -> Option<Kind> {
        Some(match b {
            1 => Kind::AppendEntries,
            2 => Kind::Vote,
            3 => Kind::InstallSnapshot,
            4 => Kind::Propose,
            5 => Kind::DescribeQuorum,
            6 => Kind::Heartbeat,
            _ => return None,
        })
    }
}

/// A forwarded write's answer: the outcome and the index of its entry (the forwarder waits
/// until it has applied that far), or why the leader could not take it.
#[derive(Debug, Serialize, Deserialize)]
pub enum ProposeResult {
    Applied {
        outcome: Outcome,
        index: u64,
    },
    /// This node is not (or no longer) the leader; the proposer asks again.
    NotLeader,
    Unavailable(String),
}

fn bad(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())
}

pub async fn write_request<T: Serialize>(stream: &mut TcpStream, kind: Kind, body: &T) -> std::io::Result<()> {
    let json = serde_json::to_vec(body).map_err(bad)?;
    let mut frame = Vec::with_capacity(5 + json.len());
    frame.extend_from_slice(&(json.len() as u32 + 1).to_be_bytes());
    frame.push(kind as u8);
    frame.extend_from_slice(&json);
    stream.write_all(&frame).await
}

async fn read_frame(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let len = stream.read_u32().await? as usize;
    if len > MAX_FRAME {
        return Err(bad(format!("frame of {len} bytes")));
    }
    let mut buf = vec![0u8; len];
    stream.read_exact(&mut buf).await?;
    Ok(buf)
}

pub async fn read_response<T: DeserializeOwned>(stream: &mut TcpStream) -> std::io::Result<T> {
    let buf = read_frame(stream).await?;
    serde_json::from_slice(&buf).map_err(bad)
}

async fn write_response<T: Serialize>(stream: &mut TcpStream, body: &T) -> std::io::Result<()> {
    let json = serde_json::to_vec(body).map_err(bad)?;
    let mut frame = Vec::with_capacity(4 + json.len());
    frame.extend_from_slice(&(json.len() as u32).to_be_bytes());
    frame.extend_from_slice(&json);
    stream.write_all(&frame).await
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> std::io::Result<T> {
    serde_json::from_slice(body).map_err(bad)
}

/// Serves the CONTROLLER listener until `shutdown` turns true.
pub async fn serve(listener: TcpListener, raft: Raft, peers: Peers, propose_timeout: Duration, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let raft = raft.clone();
                    let shutdown = shutdown.clone();
                    let peers = peers.clone();
                    tokio::spawn(async move {
                        if let Err(e) = connection(stream, raft, peers, propose_timeout, shutdown).await {
                            if e.kind() != std::io::ErrorKind::UnexpectedEof {
                                tracing::debug!(%peer, error = %e, "controller connection closed");
                            }
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "controller listener: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = shutdown.changed() => return,
        }
    }
}

async fn connection(
    mut stream: TcpStream,
    raft: Raft,
    peers: Peers,
    propose_timeout: Duration,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    loop {
        let frame = tokio::select! {
            f = read_frame(&mut stream) => f?,
            _ = shutdown.changed() => return Ok(()),
        };
        let (&kind, body) = frame.split_first().ok_or_else(|| bad("empty frame"))?;
        match Kind::from_u8(kind).ok_or_else(|| bad(format!("unknown request kind {kind}")))? {
            Kind::AppendEntries => {
                let req: AppendEntriesRequest<TypeConfig> = parse(body)?;
                let resp: Result<AppendEntriesResponse<NodeId>, RaftError<NodeId>> = raft.append_entries(req).await;
                write_response(&mut stream, &resp).await?;
            }
            Kind::Vote => {
                let req: VoteRequest<NodeId> = parse(body)?;
                let resp: Result<VoteResponse<NodeId>, RaftError<NodeId>> = raft.vote(req).await;
                write_response(&mut stream, &resp).await?;
            }
            Kind::InstallSnapshot => {
                let req: InstallSnapshotRequest<TypeConfig> = parse(body)?;
                let resp: Result<InstallSnapshotResponse<NodeId>, RaftError<NodeId, InstallSnapshotError>> =
                    raft.install_snapshot(req).await;
                write_response(&mut stream, &resp).await?;
            }
            Kind::Propose => {
                let record: Record = parse(body)?;
                let resp = propose_here(&raft, record, propose_timeout).await;
                write_response(&mut stream, &resp).await?;
            }
            Kind::DescribeQuorum => {
                write_response(&mut stream, &super::status::local(&raft, &peers.progress)).await?;
            }
            Kind::Heartbeat => {
                let (id, incarnation): (i32, uuid::Uuid) = parse(body)?;
                peers.liveness.heard(id, incarnation);
                write_response(&mut stream, &()).await?;
            }
        }
    }
}

/// Proposes `record` on this node, which must be the leader.
pub async fn propose_here(raft: &Raft, record: Record, timeout: Duration) -> ProposeResult {
    use openraft::error::ClientWriteError;
    match tokio::time::timeout(timeout, raft.client_write(record)).await {
        Err(_) => ProposeResult::Unavailable(format!("not committed within {} ms", timeout.as_millis())),
        Ok(Ok(resp)) => ProposeResult::Applied {
            outcome: resp.data,
            index: resp.log_id.index,
        },
        Ok(Err(RaftError::APIError(ClientWriteError::ForwardToLeader(_)))) => ProposeResult::NotLeader,
        Ok(Err(e)) => ProposeResult::Unavailable(e.to_string()),
    }
}
