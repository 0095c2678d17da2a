//! Crash-safe replacement of sealed segments by their cleaned version, on the file system.
//!
//! Kafka's protocol, with the replaced range written into the file name so recovery never has
//! to guess it from the cleaned data (whose last offsets may be gone):
//!
//! 1. the cleaner writes `{base}.{end}.cleaned` and fsyncs it (a crash now: the file is deleted
//!    at start-up, the old segments stay — *before*);
//! 2. rename to `{base}.{end}.swap`, fsync the directory: **the commit point** (from here on
//!    recovery finishes the swap — *after*);
//! 3. the old segments with base offsets in `[base, end)` lose their indexes and become
//!    `{b}.log.deleted`;
//! 4. the swap file becomes `{base}.log`;
//! 5. the `.deleted` files are removed.
//!
//! `recover` runs before a log directory is opened and completes or discards what a crash left.
//! For crash tests, `KASKADE_CLEANER_CRASH_AT=cleaned|swap|deleted|installed` aborts the process
//! right after that step (an honest SIGKILL at a chosen point).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::storage::segment::file_name;

/// A step of the protocol after which a crash can be simulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwapStep {
    /// The `.cleaned` file is written and synced.
    Cleaned,
    /// Renamed to `.swap` (committed).
    Swap,
    /// The old segments are renamed to `.deleted`.
    Deleted,
    /// The swap file is the segment's `.log`.
    Installed,
}

impl SwapStep {
    fn name(self) -> &'static str {
        match self {
            SwapStep::Cleaned => "cleaned",
            SwapStep::Swap => "swap",
            SwapStep::Deleted => "deleted",
            SwapStep::Installed => "installed",
        }
    }
}

/// Environment variable naming the step after which the broker aborts (crash tests).
pub const CRASH_AT_ENV: &str = "KASKADE_CLEANER_CRASH_AT";

/// Where the cleaner writes the cleaned segment replacing bases in `[base, end)`.
pub fn cleaned_path(dir: &Path, base: i64, end: i64) -> PathBuf {
    dir.join(format!("{base:020}.{end:020}.cleaned"))
}

fn swap_path(dir: &Path, base: i64, end: i64) -> PathBuf {
    dir.join(format!("{base:020}.{end:020}.swap"))
}

fn deleted_path(dir: &Path, base: i64) -> PathBuf {
    dir.join(format!("{base:020}.log.deleted"))
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

/// Whether to stop (tests) or abort (the failpoint) after `step`. `true`: stop here.
fn crash_point(step: SwapStep, stop_after: Option<SwapStep>) -> bool {
    if std::env::var(CRASH_AT_ENV).is_ok_and(|v| v == step.name()) {
        tracing::warn!(step = step.name(), "{CRASH_AT_ENV}: aborting the process during a segment swap");
        std::process::abort();
    }
    stop_after == Some(step)
}

fn remove_if_exists(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Steps 2–5 for a written and synced `cleaned_path(dir, base, end)` replacing the segments
/// `replaced` (all with bases in `[base, end)`). `stop_after` leaves the directory as a crash
/// right after that step would (tests); returns whether the swap was completed.
pub fn commit(dir: &Path, base: i64, end: i64, replaced: &[i64], stop_after: Option<SwapStep>) -> io::Result<bool> {
    if crash_point(SwapStep::Cleaned, stop_after) {
        return Ok(false);
    }
    fs::rename(cleaned_path(dir, base, end), swap_path(dir, base, end))?;
    sync_dir(dir)?;
    if crash_point(SwapStep::Swap, stop_after) {
        return Ok(false);
    }
    for &b in replaced {
        remove_if_exists(&file_name(dir, b, "index"))?;
        remove_if_exists(&file_name(dir, b, "timeindex"))?;
        fs::rename(file_name(dir, b, "log"), deleted_path(dir, b))?;
    }
    sync_dir(dir)?;
    if crash_point(SwapStep::Deleted, stop_after) {
        return Ok(false);
    }
    fs::rename(swap_path(dir, base, end), file_name(dir, base, "log"))?;
    sync_dir(dir)?;
    if crash_point(SwapStep::Installed, stop_after) {
        return Ok(false);
    }
    for &b in replaced {
        remove_if_exists(&deleted_path(dir, b))?;
    }
    Ok(true)
}

/// `(base, end)` of a `{base}.{end}.swap` or `.cleaned` name.
fn parse_range(name: &str, suffix: &str) -> Option<(i64, i64)> {
    let stem = name.strip_suffix(suffix)?;
    let (a, b) = stem.split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// Base offset of a segment file (`{base}.log`, `.index`, `.timeindex`, `.log.deleted`).
fn segment_base(name: &str) -> Option<i64> {
    let (stem, ext) = name.split_once('.')?;
    matches!(ext, "log" | "index" | "timeindex" | "log.deleted").then(|| stem.parse().ok())?
}

/// Finishes or discards interrupted swaps in a partition directory; returns how many swaps
/// were completed. Runs before the segments are opened.
pub fn recover(dir: &Path) -> io::Result<usize> {
    let Ok(entries) = fs::read_dir(dir) else { return Ok(0) };
    let names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let mut completed = 0;
    let mut touched = false;
    for name in &names {
        if name.ends_with(".cleaned") {
            remove_if_exists(&dir.join(name))?;
            touched = true;
        }
    }
    for name in &names {
        let Some((base, end)) = parse_range(name, ".swap") else { continue };
        for other in &names {
            if segment_base(other).is_some_and(|b| b >= base && b < end) {
                remove_if_exists(&dir.join(other))?;
            }
        }
        sync_dir(dir)?;
        fs::rename(dir.join(name), file_name(dir, base, "log"))?;
        completed += 1;
        touched = true;
        tracing::info!(dir = %dir.display(), base, end, "completed a segment swap interrupted by a crash");
    }
    for name in &names {
        if name.ends_with(".log.deleted") && dir.join(name).exists() {
            remove_if_exists(&dir.join(name))?;
            touched = true;
        }
    }
    if touched {
        sync_dir(dir)?;
    }
    Ok(completed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, body: &str) {
        fs::write(dir.join(name), body).unwrap();
    }

    fn listing(dir: &Path) -> Vec<(String, String)> {
        let mut v: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (e.file_name().to_string_lossy().into_owned(), fs::read_to_string(e.path()).unwrap())
            })
            .collect();
        v.sort();
        v
    }

    fn setup(dir: &Path) {
        write(dir, &format!("{:020}.log", 0), "old0");
        write(dir, &format!("{:020}.index", 0), "i0");
        write(dir, &format!("{:020}.log", 10), "old10");
        write(dir, &format!("{:020}.timeindex", 10), "t10");
        write(dir, &format!("{:020}.log", 20), "active");
        fs::write(cleaned_path(dir, 0, 20), "new").unwrap();
    }

    #[test]
    fn a_crash_after_any_step_recovers_to_before_or_after() {
        let before = vec![
            (format!("{:020}.index", 0), "i0".to_string()),
            (format!("{:020}.log", 0), "old0".to_string()),
            (format!("{:020}.log", 10), "old10".to_string()),
            (format!("{:020}.timeindex", 10), "t10".to_string()),
            (format!("{:020}.log", 20), "active".to_string()),
        ];
        let after = vec![
            (format!("{:020}.log", 0), "new".to_string()),
            (format!("{:020}.log", 20), "active".to_string()),
        ];
        for (stop, expect) in [
            (Some(SwapStep::Cleaned), &before),
            (Some(SwapStep::Swap), &after),
            (Some(SwapStep::Deleted), &after),
            (Some(SwapStep::Installed), &after),
            (None, &after),
        ] {
            let d = tempfile::tempdir().unwrap();
            setup(d.path());
            let done = commit(d.path(), 0, 20, &[0, 10], stop).unwrap();
            assert_eq!(done, stop.is_none());
            recover(d.path()).unwrap();
            assert_eq!(&listing(d.path()), expect, "crash after {stop:?}");
            // Recovery is idempotent (a crash during recovery is recovered again).
            recover(d.path()).unwrap();
            assert_eq!(&listing(d.path()), expect);
        }
    }
}
