//! Log compaction, Kafka's log cleaner: keeping the newest record of each key in compacted
//! topics.
//!
//! - `thread`: the background cleaner thread that picks the dirtiest log and runs a pass on it;
//! - `pass`: one cleaning pass over one log (build the offset map, rewrite, swap);
//! - `offset_map`: the bounded key → latest offset map a pass builds;
//! - `batch_filter`: how a pass rewrites one stored batch;
//! - `swap`: the crash-safe replacement of segments by their cleaned version;
//! - `config`: the `log.cleaner.*` broker settings.

pub mod batch_filter;
pub mod config;
pub mod offset_map;
pub mod pass;
pub mod swap;
pub mod thread;

pub use config::CleanerConfig;
pub use pass::clamp_checkpoint;
pub use thread::LogCleaner;
