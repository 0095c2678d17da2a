//! The metadata log on disk, in `LOGDIR/__cluster_metadata-0/`: Raft entries appended to one
//! file as `length, CRC-32C, JSON` frames and fsynced before openraft is told they are durable;
//! the vote and the committed id beside it, replaced atomically. Entries are also kept in
//! memory: snapshots keep the log short (a metadata log is small). A torn tail left by a crash
//! is cut at the first bad frame on open.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::ops::RangeBounds;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use openraft::storage::{LogFlushed, LogState, RaftLogStorage};
use openraft::{OptionalSend, RaftLogId, RaftLogReader, StorageIOError};
use serde::{de::DeserializeOwned, Serialize};

use super::types::{Entry, LogId, StorageError, TypeConfig, Vote};

const LOG_FILE: &str = "raft.log";
const VOTE_FILE: &str = "vote.json";
const COMMITTED_FILE: &str = "committed.json";
const PURGED_FILE: &str = "purged.json";
/// Frame header: entry length and CRC-32C of the entry bytes.
const FRAME_HEADER: usize = 8;

#[derive(Debug)]
struct LogFiles {
    dir: PathBuf,
    file: File,
    /// Entries by index, with the position of their frame in the file.
    entries: BTreeMap<u64, (Entry, u64)>,
    end_position: u64,
    last_purged: Option<LogId>,
    vote: Option<Vote>,
    committed: Option<LogId>,
}

/// The log store; clones share it (openraft reads through a clone while it appends).
#[derive(Debug, Clone)]
pub struct LogStore {
    files: Arc<Mutex<LogFiles>>,
}

fn io_error(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

fn read_json<T: DeserializeOwned>(path: &Path) -> io::Result<Option<T>> {
    match fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(io_error),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes `value` to `path` by a temporary file and a rename, fsyncing both when `durable`.
pub(super) fn write_json<T: Serialize>(path: &Path, value: &T, durable: bool) -> io::Result<()> {
    // A name of its own: a snapshot being built and one being installed may be written at once.
    let tmp = path.with_extension(format!("{}.tmp", uuid::Uuid::new_v4().simple()));
    let mut f = File::create(&tmp)?;
    f.write_all(&serde_json::to_vec(value).map_err(io_error)?)?;
    if durable {
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    if durable {
        if let Some(dir) = path.parent() {
            File::open(dir)?.sync_all()?;
        }
    }
    Ok(())
}

fn frame(entry: &Entry) -> io::Result<Vec<u8>> {
    let body = serde_json::to_vec(entry).map_err(io_error)?;
    let mut out = Vec::with_capacity(FRAME_HEADER + body.len());
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(&crc32c::crc32c(&body).to_be_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// Reads whole, intact frames from the start of `bytes`: the entries and where they end.
fn read_frames(bytes: &[u8]) -> (Vec<(Entry, u64)>, u64) {
    let mut out = Vec::new();
    let mut at = 0usize;
    while bytes.len() - at >= FRAME_HEADER {
        let len = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
        let crc = u32::from_be_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]]);
        let Some(body) = bytes.get(at + FRAME_HEADER..at + FRAME_HEADER + len) else {
            break;
        };
        if crc32c::crc32c(body) != crc {
            break;
        }
        let Ok(entry) = serde_json::from_slice::<Entry>(body) else { break };
        out.push((entry, at as u64));
        at += FRAME_HEADER + len;
    }
    (out, at as u64)
}

impl LogStore {
    /// Opens (creating) the metadata log in `dir`, cutting a torn tail.
    pub fn open(dir: &Path) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        let path = dir.join(LOG_FILE);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        let (frames, end) = read_frames(&bytes);
        let file = OpenOptions::new().create(true).read(true).append(true).open(&path)?;
        if end < bytes.len() as u64 {
            tracing::warn!(
                dir = %dir.display(),
                kept = end,
                cut = bytes.len() as u64 - end,
                "metadata log: cut a torn tail"
            );
            file.set_len(end)?;
            file.sync_all()?;
        }
        let entries = frames.into_iter().map(|(e, at)| (e.log_id.index, (e, at))).collect();
        Ok(LogStore {
            files: Arc::new(Mutex::new(LogFiles {
                dir: dir.to_path_buf(),
                file,
                entries,
                end_position: end,
                last_purged: read_json(&dir.join(PURGED_FILE))?,
                vote: read_json(&dir.join(VOTE_FILE))?,
                committed: read_json(&dir.join(COMMITTED_FILE))?,
            })),
        })
    }

    fn lock(&self) -> MutexGuard<'_, LogFiles> {
        self.files.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether this node has never taken part in a quorum (no vote, no entries).
    pub fn is_pristine(&self) -> bool {
        let f = self.lock();
        f.vote.is_none() && f.entries.is_empty() && f.last_purged.is_none()
    }
}

impl LogFiles {
    /// Rewrites the file with the entries left (after a purge), replacing it atomically.
    fn rewrite(&mut self) -> io::Result<()> {
        let tmp = self.dir.join(format!("{LOG_FILE}.tmp"));
        let mut out = File::create(&tmp)?;
        let mut position = 0u64;
        for (entry, at) in self.entries.values_mut() {
            let bytes = frame(entry)?;
            out.write_all(&bytes)?;
            *at = position;
            position += bytes.len() as u64;
        }
        out.sync_all()?;
        fs::rename(&tmp, self.dir.join(LOG_FILE))?;
        File::open(&self.dir)?.sync_all()?;
        self.file = OpenOptions::new().read(true).append(true).open(self.dir.join(LOG_FILE))?;
        self.end_position = position;
        Ok(())
    }
}

impl RaftLogReader<TypeConfig> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + OptionalSend>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry>, StorageError> {
        Ok(self.lock().entries.range(range).map(|(_, (e, _))| e.clone()).collect())
    }
}

impl RaftLogStorage<TypeConfig> for LogStore {
    type LogReader = LogStore;

    async fn get_log_state(&mut self) -> Result<LogState<TypeConfig>, StorageError> {
        let f = self.lock();
        let last = f.entries.values().next_back().map(|(e, _)| *e.get_log_id());
        Ok(LogState {
            last_purged_log_id: f.last_purged,
            last_log_id: last.or(f.last_purged),
        })
    }

    async fn get_log_reader(&mut self) -> Self::LogReader {
        self.clone()
    }

    async fn save_vote(&mut self, vote: &Vote) -> Result<(), StorageError> {
        let mut f = self.lock();
        write_json(&f.dir.join(VOTE_FILE), vote, true).map_err(|e| StorageIOError::write_vote(&e))?;
        f.vote = Some(*vote);
        Ok(())
    }

    async fn read_vote(&mut self) -> Result<Option<Vote>, StorageError> {
        Ok(self.lock().vote)
    }

    async fn save_committed(&mut self, committed: Option<LogId>) -> Result<(), StorageError> {
        let mut f = self.lock();
        // Not fsynced: a committed id lost in a crash is learned again from the leader; it only
        // lets a restart apply what it already holds before an election.
        write_json(&f.dir.join(COMMITTED_FILE), &committed, false).map_err(|e| StorageIOError::write(&e))?;
        f.committed = committed;
        Ok(())
    }

    async fn read_committed(&mut self) -> Result<Option<LogId>, StorageError> {
        Ok(self.lock().committed)
    }

    async fn append<I>(&mut self, entries: I, callback: LogFlushed<TypeConfig>) -> Result<(), StorageError>
    where
        I: IntoIterator<Item = Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let mut f = self.lock();
        let mut bytes = Vec::new();
        let mut added = Vec::new();
        for entry in entries {
            let at = f.end_position + bytes.len() as u64;
            bytes.extend_from_slice(&frame(&entry).map_err(|e| StorageIOError::write_logs(&e))?);
            added.push((entry, at));
        }
        let written = f.file.write_all(&bytes).and_then(|()| f.file.sync_data());
        if let Err(e) = written {
            let message = e.to_string();
            callback.log_io_completed(Err(e));
            return Err(StorageIOError::write_logs(&io::Error::other(message)).into());
        }
        f.end_position += bytes.len() as u64;
        for (entry, at) in added {
            f.entries.insert(entry.log_id.index, (entry, at));
        }
        drop(f);
        callback.log_io_completed(Ok(()));
        Ok(())
    }

    async fn truncate(&mut self, log_id: LogId) -> Result<(), StorageError> {
        let mut f = self.lock();
        let Some((_, at)) = f.entries.get(&log_id.index) else {
            return Ok(());
        };
        let at = *at;
        f.file
            .set_len(at)
            .and_then(|()| f.file.sync_all())
            .map_err(|e| StorageIOError::write_logs(&e))?;
        f.end_position = at;
        let _ = f.entries.split_off(&log_id.index);
        Ok(())
    }

    async fn purge(&mut self, log_id: LogId) -> Result<(), StorageError> {
        let mut f = self.lock();
        write_json(&f.dir.join(PURGED_FILE), &log_id, true).map_err(|e| StorageIOError::write_logs(&e))?;
        f.last_purged = Some(log_id);
        let keep = f.entries.split_off(&(log_id.index + 1));
        f.entries = keep;
        f.rewrite().map_err(|e| StorageIOError::write_logs(&e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::records::Record;
    use openraft::{CommittedLeaderId, EntryPayload};

    fn entry(index: u64, term: u64) -> Entry {
        Entry {
            log_id: LogId::new(CommittedLeaderId::new(term, 1), index),
            payload: EntryPayload::Normal(Record::ProducerIds { size: index as i64 }),
        }
    }

    fn append(store: &LogStore, entries: Vec<Entry>) {
        let mut f = store.lock();
        for e in entries {
            let bytes = frame(&e).unwrap();
            let at = f.end_position;
            f.file.write_all(&bytes).unwrap();
            f.end_position += bytes.len() as u64;
            f.entries.insert(e.log_id.index, (e, at));
        }
    }

    #[tokio::test]
    async fn entries_survive_a_restart_and_a_torn_tail_is_cut() {
        let dir = tempfile::tempdir().unwrap();
        let store = LogStore::open(dir.path()).unwrap();
        assert!(store.is_pristine());
        append(&store, (1..=5).map(|i| entry(i, 1)).collect());
        drop(store);
        let path = dir.path().join(LOG_FILE);
        let len = fs::metadata(&path).unwrap().len();
        OpenOptions::new().write(true).open(&path).unwrap().set_len(len - 3).unwrap();
        let mut store = LogStore::open(dir.path()).unwrap();
        let got = store.try_get_log_entries(0..).await.unwrap();
        assert_eq!(got.iter().map(|e| e.log_id.index).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
        assert_eq!(store.get_log_state().await.unwrap().last_log_id.map(|l| l.index), Some(4));
        // A conflicting suffix is truncated, then the log carries on from there.
        store.truncate(LogId::new(CommittedLeaderId::new(1, 1), 3)).await.unwrap();
        append(&store, vec![entry(3, 2)]);
        // Purging rewrites the file with what is left.
        store.purge(LogId::new(CommittedLeaderId::new(1, 1), 1)).await.unwrap();
        drop(store);
        let mut store = LogStore::open(dir.path()).unwrap();
        let got = store.try_get_log_entries(0..).await.unwrap();
        let ids: Vec<(u64, u64)> = got.iter().map(|e| (e.log_id.index, e.log_id.leader_id.term)).collect();
        assert_eq!(ids, vec![(2, 1), (3, 2)]);
        let state = store.get_log_state().await.unwrap();
        assert_eq!(state.last_purged_log_id.map(|l| l.index), Some(1));
        assert!(!store.is_pristine());
    }
}
