//! The log start offset of a partition, checkpointed in its directory so that DeleteRecords
//! survives a restart (Kafka keeps the same fact in `log-start-offset-checkpoint`). Retention
//! needs no checkpoint: it deletes whole segments, so the first segment's base says it all.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

const FILE_NAME: &str = "log-start-offset.checkpoint";

/// The checkpointed log start offset, if there is a readable one.
pub fn read(dir: &Path) -> Option<i64> {
    fs::read_to_string(dir.join(FILE_NAME)).ok()?.trim().parse().ok()
}

/// Writes the checkpoint atomically (write, fsync, rename, fsync the directory).
pub fn write(dir: &Path, log_start_offset: i64) -> io::Result<()> {
    let tmp = dir.join(format!("{FILE_NAME}.tmp"));
    let mut f = fs::File::create(&tmp)?;
    f.write_all(format!("{log_start_offset}\n").as_bytes())?;
    f.sync_all()?;
    fs::rename(&tmp, dir.join(FILE_NAME))?;
    fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(super::read(dir.path()), None);
        super::write(dir.path(), 42).unwrap();
        assert_eq!(super::read(dir.path()), Some(42));
    }
}
