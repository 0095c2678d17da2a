//! The partition-log layer: validated record batches stored as received, in segments with
//! sparse indexes, fsynced by a group-commit flusher, compacted by a background cleaner.
//! Knows nothing of sockets.

pub mod batch;
pub mod compaction;
pub mod decompress;
pub mod disk_space;
pub mod flusher;
pub mod index;
pub mod leader_epoch_cache;
pub mod log;
pub mod log_config;
pub mod log_manager;
pub mod log_start_checkpoint;
pub mod producer_state;
pub mod records;
pub mod segment;

pub use compaction::{CleanerConfig, LogCleaner};
pub use flusher::{FlushError, Flusher};
pub use log::{AppendInfo, LogError, PartitionLog, ReadResult, ReplicaAppend};
pub use log_config::LogConfig;
pub use log_manager::LogManager;
