//! The files an image needs around a dynamically linked binary: the shared libraries `ldd`
//! lists (at the paths the dynamic loader looks for them), and the few files distroless's
//! `cc` image provides (`/etc/passwd` with the `nonroot` user 65532, `/etc/group`,
//! `/etc/nsswitch.conf`, a sticky `/tmp`).

use std::path::Path;
use std::process::Command;

use super::archive::ImageFile;
use crate::error::{Error, IoContext, Result};

/// `binary` at `image_path` plus every library `ldd` resolves for it.
pub fn binary_with_libraries(binary: &Path, image_path: &str) -> Result<Vec<ImageFile>> {
    let output = Command::new("ldd")
        .arg(binary)
        .output()
        .context(|| format!("running ldd {}", binary.display()))?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() && !text.contains("not a dynamic executable") {
        return Err(Error::Command {
            command: format!("ldd {}", binary.display()),
            status: output.status,
            output: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    let mut files = vec![ImageFile::host(image_path, binary, 0o755)];
    for library in ldd_paths(&text)? {
        files.push(ImageFile::host(library.clone(), library, 0o755));
    }
    Ok(files)
}

/// The library paths of `ldd` output: `name => /path (addr)` and `/path (addr)` lines. A `not
/// found` library is an error: the image would not start.
pub fn ldd_paths(ldd_output: &str) -> Result<Vec<String>> {
    let mut paths = Vec::new();
    for line in ldd_output.lines().map(str::trim) {
        if line.contains("not found") {
            return Err(Error::Invalid(format!("ldd: {line}")));
        }
        let path = match line.split_once("=>") {
            Some((_, right)) => right.trim(),
            None => line,
        };
        let path = path.split(" (").next().unwrap_or("").trim();
        if path.starts_with('/') {
            paths.push(path.to_string());
        }
    }
    Ok(paths)
}

/// The base files of a distroless-like image.
pub fn base_files() -> Vec<ImageFile> {
    vec![
        ImageFile::bytes(
            "/etc/passwd",
            "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
            0o644,
        ),
        ImageFile::bytes("/etc/group", "root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n", 0o644),
        ImageFile::bytes("/etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\n", 0o644),
        ImageFile::dir("/tmp", 0o1777),
        ImageFile::dir("/home/nonroot", 0o755),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldd_lines() {
        let out = "\tlinux-vdso.so.1 (0x00007ffd)\n\tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x00007f47)\n\t/lib64/ld-linux-x86-64.so.2 (0x00007f47)\n";
        assert_eq!(
            ldd_paths(out).unwrap(),
            ["/lib/x86_64-linux-gnu/libz.so.1", "/lib64/ld-linux-x86-64.so.2"]
        );
        assert!(ldd_paths("\tlibfoo.so => not found\n").is_err());
    }
}
