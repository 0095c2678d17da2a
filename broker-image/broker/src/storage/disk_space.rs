//! The size of the file system a log directory lives on (DescribeLogDirs v4 reports it, as
//! Kafka does from `FileStore.getTotalSpace` / `getUsableSpace`).

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// `(total, usable)` bytes of the file system holding `path`; usable is what an unprivileged
/// process may still write.
pub fn disk_space(path: &Path) -> Option<(u64, u64)> {
    let c = CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `st` a writable statvfs struct.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    let frsize = st.f_frsize as u64;
    Some((st.f_blocks as u64 * frsize, st.f_bavail as u64 * frsize))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reports_the_temp_dir() {
        let (total, usable) = super::disk_space(&std::env::temp_dir()).unwrap();
        assert!(total > 0 && usable <= total);
    }
}
