//! One segment of a partition log: the `.log` file of stored batches and its in-memory state
//! (size, sparse indexes, max timestamp). Appends go through `writev`; reads are positional
//! (`pread`) so readers never contend with the writer for a file cursor.

use std::fs::{self, File, OpenOptions};
use std::io::{self, IoSlice, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::batch::{self, BatchHeader, HEADER_SIZE};
use super::index::{OffsetIndex, TimeIndex};

/// How much of a segment is read at once when scanning batch headers (small in tests, so that
/// batches straddle chunk boundaries).
#[cfg(not(test))]
const HEADER_SCAN_CHUNK: usize = 1 << 20;
#[cfg(test)]
const HEADER_SCAN_CHUNK: usize = 200;

/// The open file of a segment, shared with readers (who hold an `Arc` while they read, so a
/// segment deleted by retention stays readable until they are done).
#[derive(Debug)]
pub struct SegmentFile {
    pub base_offset: i64,
    pub path: PathBuf,
    file: File,
}

impl SegmentFile {
    pub fn read_at(&self, buf: &mut [u8], position: u64) -> io::Result<usize> {
        let mut done = 0;
        while done < buf.len() {
            let n = self.file.read_at(&mut buf[done..], position + done as u64)?;
            if n == 0 {
                break;
            }
            done += n;
        }
        Ok(done)
    }

    pub fn sync(&self) -> io::Result<()> {
        self.file.sync_data()
    }
}

pub fn file_name(dir: &Path, base_offset: i64, ext: &str) -> PathBuf {
    dir.join(format!("{base_offset:020}.{ext}"))
}

/// A segment and what the log knows about it. Lives under the partition's lock.
#[derive(Debug)]
pub struct Segment {
    pub file: Arc<SegmentFile>,
    pub size: u64,
    /// Offset after the last batch in this segment.
    pub next_offset: i64,
    pub index: OffsetIndex,
    pub time_index: TimeIndex,
    pub max_timestamp: i64,
    /// Position of the first batch holding `max_timestamp`.
    pub max_timestamp_position: u64,
    /// When the segment was created (or its first batch's timestamp), for `segment.ms`.
    pub created_ms: i64,
    bytes_since_index: u64,
    index_interval: u64,
}

impl Segment {
    pub fn base_offset(&self) -> i64 {
        self.file.base_offset
    }

    /// Creates a new empty segment file.
    pub fn create(dir: &Path, base_offset: i64, index_interval: u64, now_ms: i64) -> io::Result<Self> {
        let path = file_name(dir, base_offset, "log");
        let file = OpenOptions::new().create(true).read(true).append(true).open(&path)?;
        file.set_len(0)?;
        Ok(Segment::empty(SegmentFile { base_offset, path, file }, index_interval, now_ms))
    }

    /// A segment over `file` with nothing recorded yet (a scan or appends fill it in).
    fn empty(file: SegmentFile, index_interval: u64, now_ms: i64) -> Self {
        let base_offset = file.base_offset;
        Segment {
            file: Arc::new(file),
            size: 0,
            next_offset: base_offset,
            index: OffsetIndex::default(),
            time_index: TimeIndex::default(),
            max_timestamp: -1,
            max_timestamp_position: 0,
            created_ms: now_ms,
            bytes_since_index: 0,
            index_interval,
        }
    }

    /// Appends one batch: the broker-owned header fields (`head`, `epoch`) then the client's
    /// bytes after them, in one `writev`. Updates size and indexes.
    pub fn append(&mut self, head: &[u8; 12], epoch: &[u8; 4], batch_bytes: &[u8], header: &BatchHeader) -> io::Result<()> {
        let position = self.size;
        let rest = &batch_bytes[16..];
        write_all_vectored(&self.file.file, &[IoSlice::new(head), IoSlice::new(epoch), IoSlice::new(rest)])?;
        let base_offset = i64::from_be_bytes(*head[..8].first_chunk::<8>().expect("12 bytes"));
        self.record_batch(position, base_offset, header);
        Ok(())
    }

    fn record_batch(&mut self, position: u64, base_offset: i64, header: &BatchHeader) {
        let size = header.size as u64;
        if self.index.is_empty() || self.bytes_since_index >= self.index_interval {
            self.index.push((base_offset - self.base_offset()) as u32, position as u32);
            self.bytes_since_index = 0;
        }
        self.bytes_since_index += size;
        if header.max_timestamp > self.max_timestamp {
            self.max_timestamp = header.max_timestamp;
            self.max_timestamp_position = position;
            self.time_index.push(header.max_timestamp, (position + size) as u32);
        }
        self.size = position + size;
        self.next_offset = base_offset + header.last_offset_delta as i64 + 1;
    }

    /// Opens an existing segment and recovers its state. Indexes are loaded when `trust_indexes`
    /// and present; the tail after the last indexed position is always scanned. With `validate`
    /// every scanned batch's CRC is checked. Anything unreadable, torn or out of sequence is
    /// truncated away. Returns the segment and whether it had to truncate.
    pub fn open(
        dir: &Path,
        base_offset: i64,
        index_interval: u64,
        trust_indexes: bool,
        validate: bool,
        now_ms: i64,
    ) -> io::Result<(Self, bool)> {
        let path = file_name(dir, base_offset, "log");
        let file = OpenOptions::new().read(true).append(true).open(&path)?;
        let file_size = file.metadata()?.len();
        let mut seg = Segment::empty(SegmentFile { base_offset, path, file }, index_interval, now_ms);
        let mut start = 0u64;
        if trust_indexes {
            let idx = OffsetIndex::load(&file_name(dir, base_offset, "index"), file_size);
            let tidx = TimeIndex::load(&file_name(dir, base_offset, "timeindex"), file_size);
            if let (Some(idx), Some(tidx)) = (idx, tidx) {
                if let Some((rel, pos)) = idx.last() {
                    // Resume the scan at the last indexed batch; it and everything after are re-read.
                    start = pos as u64;
                    seg.next_offset = base_offset + rel as i64;
                    if let Some((ts, _)) = tidx.last() {
                        seg.max_timestamp = ts;
                    }
                    seg.index = idx;
                    seg.index.truncate_to_position(pos);
                    seg.time_index = tidx;
                    seg.time_index.truncate_to_position(pos);
                    seg.bytes_since_index = index_interval;
                    // Where the max timestamp lives is not indexed: found by a scan when asked.
                    seg.max_timestamp_position = u64::MAX;
                }
            }
        }
        seg.size = start;
        let truncated = seg.scan_from(start, file_size, validate)?;
        if truncated {
            seg.file.file.set_len(seg.size)?;
            seg.file.file.sync_all()?;
        }
        Ok((seg, truncated))
    }

    /// Opens the file at `at` (a cleaned file about to be renamed to this segment's name) as
    /// segment `base_offset` of `dir`, its state rebuilt by a scan. The open file stays valid
    /// across the rename, so the scan needs no lock on the log.
    pub fn open_at(dir: &Path, at: &Path, base_offset: i64, index_interval: u64, now_ms: i64) -> io::Result<Self> {
        let file = OpenOptions::new().read(true).append(true).open(at)?;
        let file_size = file.metadata()?.len();
        let path = file_name(dir, base_offset, "log");
        let mut seg = Segment::empty(SegmentFile { base_offset, path, file }, index_interval, now_ms);
        if seg.scan_from(0, file_size, false)? {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is not a whole segment", at.display()),
            ));
        }
        Ok(seg)
    }

    /// Scans batches from `position` to `end`, rebuilding state; stops at the first bad batch.
    fn scan_from(&mut self, mut position: u64, end: u64, validate: bool) -> io::Result<bool> {
        let mut header_buf = [0u8; HEADER_SIZE];
        let mut body = Vec::new();
        while position < end {
            if end - position < HEADER_SIZE as u64 {
                return Ok(true);
            }
            self.file.read_at(&mut header_buf, position)?;
            let Ok(header) = BatchHeader::parse(&header_buf) else {
                return Ok(true);
            };
            // A cleaned (compacted) segment has offset gaps between batches and may hold empty
            // batches kept for producer state; a validated (active) segment never does.
            let in_sequence = if validate {
                header.base_offset == self.next_offset && header.records_count > 0
            } else {
                header.base_offset >= self.next_offset && header.records_count >= 0
            };
            if header.magic != 2 || position + header.size as u64 > end || !in_sequence {
                return Ok(true);
            }
            if validate {
                body.resize(header.size, 0);
                if self.file.read_at(&mut body, position)? != header.size || batch::compute_crc(&body) != header.crc {
                    return Ok(true);
                }
            }
            self.record_batch(position, header.base_offset, &header);
            position += header.size as u64;
        }
        Ok(false)
    }

    /// Cuts the segment at `position` (where a batch starts; a follower truncating a divergent
    /// tail): the file is shortened and fsynced, then the state after the last index entry
    /// before the cut is rebuilt by a scan, as a start-up resumes from trusted indexes.
    pub fn truncate_to(&mut self, position: u64) -> io::Result<()> {
        if position >= self.size {
            return Ok(());
        }
        self.file.file.set_len(position)?;
        self.file.file.sync_all()?;
        self.index.truncate_to_position(position as u32);
        let (start, next_offset) = match self.index.last() {
            Some((rel, pos)) => (pos, self.base_offset() + rel as i64),
            None => (0, self.base_offset()),
        };
        self.index.truncate_to_position(start);
        self.time_index.truncate_to_position(start);
        self.max_timestamp = self.time_index.last().map_or(-1, |(ts, _)| ts);
        // Where an earlier maximum lives is not indexed: found by a scan when asked.
        self.max_timestamp_position = if self.max_timestamp >= 0 { u64::MAX } else { 0 };
        self.next_offset = next_offset;
        self.bytes_since_index = self.index_interval;
        self.size = start as u64;
        self.scan_from(start as u64, position, false)?;
        Ok(())
    }

    /// Writes the indexes beside the segment (when sealing or on clean shutdown).
    pub fn write_indexes(&self, dir: &Path) -> io::Result<()> {
        self.index.write_to(&file_name(dir, self.base_offset(), "index"))?;
        self.time_index.write_to(&file_name(dir, self.base_offset(), "timeindex"))
    }

    /// Finds where the batch holding `offset` starts: the index gives a nearby position, then
    /// batch headers are read forward. Returns `None` when no batch here holds the offset.
    pub fn position_of(&self, offset: i64, size: u64) -> io::Result<Option<u64>> {
        if offset >= self.next_offset {
            return Ok(None);
        }
        let rel = (offset - self.base_offset()).max(0) as u32;
        let (_, start) = self.index.lookup(rel);
        let mut pos = start as u64;
        let mut h = [0u8; HEADER_SIZE];
        while pos < size {
            let n = self.file.read_at(&mut h, pos)?;
            let Ok(header) = BatchHeader::parse(&h[..n]) else { return Ok(None) };
            if header.last_offset() >= offset {
                return Ok(Some(pos));
            }
            pos += header.size as u64;
        }
        Ok(None)
    }

    /// Calls `f` with every batch header in the segment, reading it in large chunks (a batch
    /// larger than a chunk is skipped over, its header read from the chunk it starts in).
    pub fn for_each_header(&self, mut f: impl FnMut(&BatchHeader)) -> io::Result<()> {
        let mut buf = vec![0u8; HEADER_SCAN_CHUNK.max(HEADER_SIZE)];
        let mut position = 0u64;
        while position + HEADER_SIZE as u64 <= self.size {
            let want = buf.len().min((self.size - position) as usize);
            let n = self.file.read_at(&mut buf[..want], position)?;
            let mut at = 0usize;
            while at + HEADER_SIZE <= n {
                let Ok(h) = BatchHeader::parse(&buf[at..n]) else { return Ok(()) };
                f(&h);
                at += h.size;
            }
            if at == 0 {
                return Ok(());
            }
            position += at as u64;
        }
        Ok(())
    }

    /// Deletes the segment's files.
    pub fn delete_files(&self, dir: &Path) {
        for ext in ["log", "index", "timeindex"] {
            let _ = fs::remove_file(file_name(dir, self.base_offset(), ext));
        }
    }
}

fn write_all_vectored(mut file: &File, slices: &[IoSlice<'_>]) -> io::Result<()> {
    let total: usize = slices.iter().map(|s| s.len()).sum();
    let mut written = file.write_vectored(slices)?;
    if written == total {
        return Ok(());
    }
    // Rare partial write: finish slice by slice.
    for s in slices {
        if written >= s.len() {
            written -= s.len();
            continue;
        }
        file.write_all(&s[written..])?;
        written = 0;
    }
    Ok(())
}
