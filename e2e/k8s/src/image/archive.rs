//! A container image as a docker-archive tarball (what `docker save` writes and `ctr images
//! import` reads), made from a list of files: one layer, a config with the entrypoint, user and
//! ports, and `manifest.json` naming it. No registry and no Docker engine are involved.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, IoContext, Result};

/// What goes into an image: its name, its files and its runtime config.
#[derive(Clone, Debug, Default)]
pub struct ImageSpec {
    /// The reference pods use, e.g. `kaskade.dev/kaskade:e2e`.
    pub reference: String,
    pub files: Vec<ImageFile>,
    /// `USER`, e.g. `65532:65532`.
    pub user: String,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    /// `EXPOSE` ports (TCP).
    pub exposed_ports: Vec<u16>,
    pub env: Vec<String>,
}

/// One file (or empty directory) of the image's layer.
#[derive(Clone, Debug)]
pub struct ImageFile {
    /// Absolute path inside the image.
    pub path: String,
    pub content: FileContent,
    pub mode: u32,
}

#[derive(Clone, Debug)]
pub enum FileContent {
    /// Copied from this host file (symlinks followed).
    Host(PathBuf),
    Bytes(Vec<u8>),
    Directory,
    Symlink(String),
}

impl ImageFile {
    pub fn host(path: impl Into<String>, source: impl Into<PathBuf>, mode: u32) -> Self {
        Self {
            path: path.into(),
            content: FileContent::Host(source.into()),
            mode,
        }
    }

    pub fn bytes(path: impl Into<String>, bytes: impl Into<Vec<u8>>, mode: u32) -> Self {
        Self {
            path: path.into(),
            content: FileContent::Bytes(bytes.into()),
            mode,
        }
    }

    pub fn dir(path: impl Into<String>, mode: u32) -> Self {
        Self {
            path: path.into(),
            content: FileContent::Directory,
            mode,
        }
    }

    pub fn symlink(path: impl Into<String>, target: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            content: FileContent::Symlink(target.into()),
            mode: 0o777,
        }
    }
}

/// Writes `spec` as a docker-archive tarball at `out`.
pub fn write_archive(spec: &ImageSpec, out: &Path) -> Result<()> {
    let layer = layer_tar(&spec.files)?;
    let layer_sha = hex(&Sha256::digest(&layer));
    let config = config_json(spec, &layer_sha);
    let config_sha = hex(&Sha256::digest(config.as_bytes()));
    let config_name = format!("{config_sha}.json");
    let layer_name = format!("{layer_sha}/layer.tar");
    let manifest = serde_json::json!([{
        "Config": config_name,
        "RepoTags": [spec.reference],
        "Layers": [layer_name],
    }])
    .to_string();

    let tmp = out.with_extension("tar.tmp");
    let file = std::fs::File::create(&tmp).context(|| format!("creating {}", tmp.display()))?;
    let mut archive = tar::Builder::new(std::io::BufWriter::new(file));
    let mut append = |name: &str, data: &[u8]| {
        let mut header = file_header(data.len() as u64, 0o644);
        archive
            .append_data(&mut header, name, data)
            .context(|| format!("writing {name} into {}", tmp.display()))
    };
    append(&config_name, config.as_bytes())?;
    append(&layer_name, &layer)?;
    append("manifest.json", manifest.as_bytes())?;
    let mut writer = archive.into_inner().context(|| format!("finishing {}", tmp.display()))?;
    std::io::Write::flush(&mut writer).context(|| format!("writing {}", tmp.display()))?;
    drop(writer);
    std::fs::rename(&tmp, out).context(|| format!("renaming {}", tmp.display()))
}

/// The image config (OCI/Docker image JSON) for one layer with diff id `sha256:LAYER_SHA`.
pub fn config_json(spec: &ImageSpec, layer_sha: &str) -> String {
    let ports: serde_json::Map<String, serde_json::Value> = spec
        .exposed_ports
        .iter()
        .map(|p| (format!("{p}/tcp"), serde_json::json!({})))
        .collect();
    serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "created": "1970-01-01T00:00:00Z",
        "config": {
            "User": spec.user,
            "Entrypoint": spec.entrypoint,
            "Cmd": spec.cmd,
            "Env": spec.env,
            "ExposedPorts": ports,
            "WorkingDir": "/",
        },
        "rootfs": {"type": "layers", "diff_ids": [format!("sha256:{layer_sha}")]},
        "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "kaskade-e2e image builder"}],
    })
    .to_string()
}

/// The layer: every file, with the parent directories none of them lists (mode 0755), sorted,
/// owned by root, with a fixed mtime so the same inputs give the same digest.
fn layer_tar(files: &[ImageFile]) -> Result<Vec<u8>> {
    let mut dirs = BTreeSet::new();
    let listed: BTreeSet<&str> = files.iter().map(|f| f.path.trim_matches('/')).collect();
    for file in files {
        let path = Path::new(file.path.trim_matches('/'));
        for ancestor in path.ancestors().skip(1) {
            let a = ancestor.to_string_lossy();
            if !a.is_empty() && !listed.contains(a.as_ref()) {
                dirs.insert(a.into_owned());
            }
        }
    }
    let mut builder = tar::Builder::new(Vec::new());
    for dir in &dirs {
        let mut header = dir_header(0o755);
        builder
            .append_data(&mut header, format!("{dir}/"), std::io::empty())
            .context(|| format!("adding directory {dir}"))?;
    }
    let mut sorted: Vec<&ImageFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    for file in sorted {
        let name = file.path.trim_matches('/');
        match &file.content {
            FileContent::Directory => {
                let mut header = dir_header(file.mode);
                builder
                    .append_data(&mut header, format!("{name}/"), std::io::empty())
                    .context(|| format!("adding directory {name}"))?;
            }
            FileContent::Bytes(bytes) => {
                let mut header = file_header(bytes.len() as u64, file.mode);
                builder
                    .append_data(&mut header, name, bytes.as_slice())
                    .context(|| format!("adding {name}"))?;
            }
            FileContent::Host(source) => {
                let bytes = std::fs::read(source).context(|| format!("reading {}", source.display()))?;
                let mut header = file_header(bytes.len() as u64, file.mode);
                builder
                    .append_data(&mut header, name, bytes.as_slice())
                    .context(|| format!("adding {name}"))?;
            }
            FileContent::Symlink(target) => {
                let mut header = tar::Header::new_gnu();
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_size(0);
                header.set_mode(0o777);
                header.set_mtime(0);
                builder
                    .append_link(&mut header, name, target)
                    .context(|| format!("adding symlink {name}"))?;
            }
        }
    }
    builder.into_inner().map_err(|e| Error::Io {
        context: "finishing an image layer".into(),
        source: e,
    })
}

fn file_header(size: u64, mode: u32) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(size);
    header.set_mode(mode);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    header
}

fn dir_header(mode: u32) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Directory);
    header.set_size(0);
    header.set_mode(mode);
    header.set_mtime(0);
    header
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_holds_manifest_config_and_layer_with_parents() {
        let dir = tempfile::tempdir().unwrap();
        let spec = ImageSpec {
            reference: "kaskade.dev/test:1".into(),
            files: vec![
                ImageFile::bytes("/usr/local/bin/tool", b"#!x".to_vec(), 0o755),
                ImageFile::dir("/tmp", 0o1777),
            ],
            user: "65532:65532".into(),
            entrypoint: vec!["/usr/local/bin/tool".into()],
            cmd: vec!["run".into()],
            exposed_ports: vec![8080],
            env: vec![],
        };
        let out = dir.path().join("image.tar");
        write_archive(&spec, &out).unwrap();
        let mut archive = tar::Archive::new(std::fs::File::open(&out).unwrap());
        let mut names = Vec::new();
        let mut manifest = String::new();
        let mut layer = Vec::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            let name = entry.path().unwrap().to_string_lossy().into_owned();
            if name == "manifest.json" {
                std::io::Read::read_to_string(&mut entry, &mut manifest).unwrap();
            } else if name.ends_with("layer.tar") {
                std::io::Read::read_to_end(&mut entry, &mut layer).unwrap();
            }
            names.push(name);
        }
        let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
        assert_eq!(manifest[0]["RepoTags"][0], "kaskade.dev/test:1");
        assert_eq!(names.len(), 3);
        let layer_names: Vec<String> = tar::Archive::new(layer.as_slice())
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(layer_names, ["usr/", "usr/local/", "usr/local/bin/", "tmp/", "usr/local/bin/tool"]);
        // The config's diff id is the layer's digest.
        let layer_sha = hex(&Sha256::digest(&layer));
        assert!(manifest[0]["Layers"][0].as_str().unwrap().starts_with(&layer_sha));
    }
}
