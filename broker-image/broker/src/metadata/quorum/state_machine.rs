//! The metadata state machine: applies committed records to the image every reader shares, and
//! keeps the latest snapshot (the image as JSON, with the log id and membership it includes) in
//! `snapshot.json` beside the log, so a restart starts from it and the log can be purged.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use openraft::storage::{RaftStateMachine, Snapshot};
use openraft::{EntryPayload, OptionalSend, RaftSnapshotBuilder, StorageIOError};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::log_store::write_json;
use super::types::{Entry, LogId, SnapshotMeta, StorageError, StoredMembership, TypeConfig};
use crate::metadata::image::{ImageFile, MetadataImage};
use crate::metadata::records::Outcome;

const SNAPSHOT_FILE: &str = "snapshot.json";

/// What every reader of the metadata sees: the image as of the last applied entry.
#[derive(Debug)]
pub struct SharedImage {
    image: RwLock<Arc<MetadataImage>>,
    /// The index of the last applied entry (0 before any).
    applied: watch::Sender<u64>,
}

impl SharedImage {
    pub fn get(&self) -> Arc<MetadataImage> {
        Arc::clone(&self.image.read().unwrap_or_else(|e| e.into_inner()))
    }

    fn set(&self, image: MetadataImage, applied: Option<LogId>) {
        *self.image.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(image);
        self.applied.send_replace(applied.map_or(0, |l| l.index));
    }

    pub fn applied(&self) -> watch::Receiver<u64> {
        self.applied.subscribe()
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredSnapshot {
    meta: SnapshotMeta,
    image: ImageFile,
}

#[derive(Debug)]
pub struct StateMachine {
    dir: PathBuf,
    shared: Arc<SharedImage>,
    last_applied: Option<LogId>,
    membership: StoredMembership,
    snapshots_built: u64,
}

fn io_error(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// The latest snapshot in `dir` (whoever wrote it: a builder, an install), if there is one.
fn read_stored(dir: &Path) -> std::io::Result<Option<StoredSnapshot>> {
    match std::fs::read(dir.join(SNAPSHOT_FILE)) {
        Ok(bytes) => Ok(Some(serde_json::from_slice(&bytes).map_err(io_error)?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

impl StateMachine {
    /// Opens the state machine of the metadata log in `dir`: the image of its snapshot, or empty.
    pub fn open(dir: &Path) -> std::io::Result<Self> {
        let (image, last_applied, membership) = match read_stored(dir)? {
            Some(s) => (MetadataImage::from_file(s.image), s.meta.last_log_id, s.meta.last_membership),
            None => (MetadataImage::default(), None, StoredMembership::default()),
        };
        let (applied, _) = watch::channel(last_applied.map_or(0, |l| l.index));
        Ok(StateMachine {
            dir: dir.to_path_buf(),
            shared: Arc::new(SharedImage {
                image: RwLock::new(Arc::new(image)),
                applied,
            }),
            last_applied,
            membership,
            snapshots_built: 0,
        })
    }

    pub fn shared(&self) -> Arc<SharedImage> {
        Arc::clone(&self.shared)
    }

    fn to_snapshot(stored: &StoredSnapshot) -> std::io::Result<Snapshot<TypeConfig>> {
        let data = serde_json::to_vec(&stored.image).map_err(io_error)?;
        Ok(Snapshot {
            meta: stored.meta.clone(),
            snapshot: Box::new(Cursor::new(data)),
        })
    }
}

/// Builds a snapshot of the image as it is when asked.
pub struct SnapshotBuilder {
    meta: SnapshotMeta,
    image: ImageFile,
    sm_dir: PathBuf,
}

impl RaftSnapshotBuilder<TypeConfig> for SnapshotBuilder {
    async fn build_snapshot(&mut self) -> Result<Snapshot<TypeConfig>, StorageError> {
        let stored = StoredSnapshot {
            meta: self.meta.clone(),
            image: self.image.clone(),
        };
        let signature = Some(stored.meta.signature());
        write_json(&self.sm_dir.join(SNAPSHOT_FILE), &stored, true)
            .and_then(|()| StateMachine::to_snapshot(&stored))
            .map_err(|e| StorageIOError::write_snapshot(signature, &e).into())
    }
}

impl RaftStateMachine<TypeConfig> for StateMachine {
    type SnapshotBuilder = SnapshotBuilder;

    async fn applied_state(&mut self) -> Result<(Option<LogId>, StoredMembership), StorageError> {
        Ok((self.last_applied, self.membership.clone()))
    }

    async fn apply<I>(&mut self, entries: I) -> Result<Vec<Outcome>, StorageError>
    where
        I: IntoIterator<Item = Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let mut image = (*self.shared.get()).clone();
        let mut outcomes = Vec::new();
        for entry in entries {
            self.last_applied = Some(entry.log_id);
            outcomes.push(match &entry.payload {
                EntryPayload::Blank => Outcome::Done,
                EntryPayload::Normal(record) => image.apply(record, entry.log_id.index),
                EntryPayload::Membership(m) => {
                    self.membership = StoredMembership::new(Some(entry.log_id), m.clone());
                    Outcome::Done
                }
            });
        }
        self.shared.set(image, self.last_applied);
        Ok(outcomes)
    }

    async fn get_snapshot_builder(&mut self) -> Self::SnapshotBuilder {
        self.snapshots_built += 1;
        let id = match self.last_applied {
            Some(l) => format!("{}-{}-{}", l.leader_id.term, l.index, self.snapshots_built),
            None => format!("0-0-{}", self.snapshots_built),
        };
        SnapshotBuilder {
            meta: SnapshotMeta {
                last_log_id: self.last_applied,
                last_membership: self.membership.clone(),
                snapshot_id: id,
            },
            image: self.shared.get().to_file(),
            sm_dir: self.dir.clone(),
        }
    }

    async fn begin_receiving_snapshot(&mut self) -> Result<Box<Cursor<Vec<u8>>>, StorageError> {
        Ok(Box::new(Cursor::new(Vec::new())))
    }

    async fn install_snapshot(&mut self, meta: &SnapshotMeta, snapshot: Box<Cursor<Vec<u8>>>) -> Result<(), StorageError> {
        let image: ImageFile =
            serde_json::from_slice(snapshot.get_ref()).map_err(|e| StorageIOError::read_snapshot(Some(meta.signature()), &io_error(e)))?;
        let stored = StoredSnapshot { meta: meta.clone(), image };
        write_json(&self.dir.join(SNAPSHOT_FILE), &stored, true).map_err(|e| StorageIOError::write_snapshot(Some(meta.signature()), &e))?;
        self.last_applied = meta.last_log_id;
        self.membership = meta.last_membership.clone();
        self.shared.set(MetadataImage::from_file(stored.image), self.last_applied);
        Ok(())
    }

    async fn get_current_snapshot(&mut self) -> Result<Option<Snapshot<TypeConfig>>, StorageError> {
        // The file is the snapshot: builders and installs write it whole, by a rename.
        read_stored(&self.dir)
            .and_then(|stored| stored.as_ref().map(StateMachine::to_snapshot).transpose())
            .map_err(|e| StorageIOError::read_snapshot(None, &e).into())
    }
}
