//! Container images for the node tier, made without Docker or a registry: the release
//! `kaskade` and `kaskade-operator` binaries packed as `broker-image/Dockerfile` and
//! `operator/Dockerfile` describe (their final stage is parsed, so the two cannot drift), and the
//! sandbox ("pause") image containerd needs. Each is a docker-archive tarball for
//! `ctr images import`; pods use them with `imagePullPolicy: Never`.

pub mod archive;
pub mod dockerfile;
pub mod kafka;
pub mod mariadb;
pub mod rootfs;

use std::path::{Path, PathBuf};
use std::process::Command;

pub use archive::{write_archive, ImageFile, ImageSpec};

use crate::error::{Error, IoContext, Result};
use crate::workspace;

/// The tag every image of a test run gets.
pub const TAG: &str = "e2e";
/// The sandbox image named in containerd's `sandbox_image`.
pub const PAUSE: &str = "kaskade.dev/pause:e2e";

/// A project image: its reference, the Dockerfile describing it, and the binary it holds.
#[derive(Clone, Copy, Debug)]
pub struct Project {
    pub repository: &'static str,
    pub dockerfile: &'static str,
    pub binary: &'static str,
}

/// The broker (and Connect worker) image.
pub const KASKADE: Project = Project {
    repository: "kaskade.dev/kaskade",
    dockerfile: "broker-image/Dockerfile",
    binary: "kaskade",
};
/// The operator image.
pub const OPERATOR: Project = Project {
    repository: "kaskade.dev/kaskade-operator",
    dockerfile: "operator/Dockerfile",
    binary: "kaskade-operator",
};

impl Project {
    /// `REPOSITORY:e2e`.
    pub fn reference(&self) -> String {
        format!("{}:{TAG}", self.repository)
    }

    /// The image spec for `binary` (already stripped), from the Dockerfile's final stage.
    pub fn spec(&self, binary: &Path) -> Result<ImageSpec> {
        let path = workspace::root().join(self.dockerfile);
        let text = std::fs::read_to_string(&path).context(|| format!("reading {}", path.display()))?;
        let facts = dockerfile::parse(&text)?;
        let destination = facts
            .copies
            .iter()
            .map(|(_, dest)| dest)
            .find(|dest| dest.ends_with(&format!("/{}", self.binary)))
            .ok_or_else(|| Error::Invalid(format!("{}: no COPY of {}", self.dockerfile, self.binary)))?;
        let mut files = rootfs::base_files();
        files.extend(rootfs::binary_with_libraries(binary, destination)?);
        Ok(ImageSpec {
            reference: self.reference(),
            files,
            user: facts.user,
            entrypoint: facts.entrypoint,
            cmd: facts.cmd,
            exposed_ports: facts.exposed_ports,
            env: vec!["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()],
        })
    }

    /// The release binary cargo built (`cargo build --release -p kaskade -p kaskade-operator`).
    pub fn release_binary(&self) -> Result<PathBuf> {
        let debug = kaskade_testkit::target_binary(self.binary);
        let release = debug
            .parent()
            .and_then(Path::parent)
            .map(|target| target.join("release").join(self.binary))
            .unwrap_or_default();
        if release.is_file() {
            Ok(release)
        } else {
            Err(Error::Invalid(format!(
                "{} not found: build it first with `cargo build --release -p kaskade -p kaskade-operator`",
                release.display()
            )))
        }
    }

    /// Writes this image's tarball into `dir` from the release binary (debug info stripped, as
    /// the Dockerfile's `CARGO_PROFILE_RELEASE_DEBUG=0` build has none). Returns its path.
    pub fn build(&self, dir: &Path) -> Result<PathBuf> {
        let stripped = self.stripped(dir)?;
        let out = dir.join(format!("{}.tar", self.binary));
        write_archive(&self.spec(&stripped)?, &out)?;
        Ok(out)
    }

    /// The release binary without debug info, in `dir` (made once).
    fn stripped(&self, dir: &Path) -> Result<PathBuf> {
        let stripped = dir.join(format!("{}.stripped", self.binary));
        if !stripped.is_file() {
            run(Command::new("strip")
                .arg("--strip-debug")
                .arg("-o")
                .arg(&stripped)
                .arg(self.release_binary()?))?;
        }
        Ok(stripped)
    }
}

/// Builds the test client image (see [`CLIENT`]) into `dir`.
pub fn build_client(dir: &Path) -> Result<PathBuf> {
    build_client_from(&KASKADE.stripped(dir)?, dir)
}

/// Builds the test client image around the `kaskade` binary at `kaskade` into `dir`
/// (`e2e/kind.sh` does this through the `kaskade-e2e-images` binary).
pub fn build_client_from(kaskade: &Path, dir: &Path) -> Result<PathBuf> {
    let out = dir.join("client.tar");
    write_archive(&client_spec(kaskade)?, &out)?;
    Ok(out)
}

/// The test client image, `kaskade.dev/client:e2e`: the broker image's `kaskade` plus Debian's
/// static busybox as `/bin/sh`, so a pod can pipe lines into `kaskade console-producer` and
/// count what `kaskade console-consumer` prints. Tests only; users never run it.
pub const CLIENT: &str = "kaskade.dev/client:e2e";

/// Builds [`CLIENT`] from the release `kaskade` (already stripped at `stripped`).
fn client_spec(stripped: &Path) -> Result<ImageSpec> {
    let mut files = rootfs::base_files();
    files.extend(rootfs::binary_with_libraries(stripped, "/usr/local/bin/kaskade")?);
    files.extend(busybox_files()?);
    Ok(ImageSpec {
        reference: CLIENT.into(),
        files,
        user: "65532:65532".into(),
        entrypoint: vec!["/bin/sh".into(), "-c".into()],
        env: vec!["PATH=/usr/local/bin:/bin".into()],
        ..Default::default()
    })
}

/// Debian's static busybox as `/bin/busybox` with a symlink for each of its applets (`/bin/sh`,
/// `seq`, `sort`, `sed`, …), for the images whose scripts need a shell.
fn busybox_files() -> Result<Vec<ImageFile>> {
    let busybox = Path::new("/bin/busybox");
    if !busybox.is_file() {
        return Err(Error::Unavailable(
            "/bin/busybox is missing (apt-get install busybox-static)".into(),
        ));
    }
    let output = Command::new(busybox)
        .arg("--list")
        .output()
        .context(|| "running busybox --list".into())?;
    let mut files = vec![ImageFile::host("/bin/busybox", busybox, 0o755)];
    for applet in String::from_utf8_lossy(&output.stdout).lines() {
        if applet != "busybox" {
            files.push(ImageFile::symlink(format!("/bin/{applet}"), "busybox"));
        }
    }
    Ok(files)
}

/// Builds the Apache Kafka peer image (see [`kafka`]) into `dir`.
pub fn build_kafka(dir: &Path) -> Result<PathBuf> {
    let out = dir.join("apache-kafka.tar");
    write_archive(&kafka::spec(&kafka::default_libs())?, &out)?;
    Ok(out)
}

/// Builds the MariaDB image (see [`mariadb`]) into `dir`.
pub fn build_mariadb(dir: &Path) -> Result<PathBuf> {
    let out = dir.join("mariadb.tar");
    write_archive(&mariadb::spec()?, &out)?;
    Ok(out)
}

/// The sandbox image: a static program that sleeps until SIGINT or SIGTERM (what Kubernetes'
/// pause does), compiled with `gcc -static`. Returns the tarball's path.
pub fn build_pause(dir: &Path) -> Result<PathBuf> {
    const SOURCE: &str = r#"#include <signal.h>
#include <unistd.h>
static void stop(int sig) { (void)sig; _exit(0); }
int main(void) {
  signal(SIGINT, stop);
  signal(SIGTERM, stop);
  for (;;) pause();
}
"#;
    let source = dir.join("pause.c");
    std::fs::write(&source, SOURCE).context(|| format!("writing {}", source.display()))?;
    let binary = dir.join("pause");
    run(Command::new("gcc").args(["-static", "-Os", "-s", "-o"]).arg(&binary).arg(&source))?;
    let spec = ImageSpec {
        reference: PAUSE.into(),
        files: vec![ImageFile::host("/pause", &binary, 0o755)],
        user: "65535:65535".into(),
        entrypoint: vec!["/pause".into()],
        ..Default::default()
    };
    let out = dir.join("pause.tar");
    write_archive(&spec, &out)?;
    Ok(out)
}

fn run(command: &mut Command) -> Result<()> {
    crate::command::output(command).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The images the node tier packs say what the Dockerfiles users build say: entrypoint, user,
    /// ports and where the binary goes. A Dockerfile edit the parser misses fails here.
    #[test]
    fn dockerfiles_give_the_images_their_runtime_facts() {
        let read = |p: &Project| dockerfile::parse(&std::fs::read_to_string(workspace::root().join(p.dockerfile)).unwrap()).unwrap();
        let broker = read(&KASKADE);
        assert_eq!(broker.user, "65532:65532");
        assert_eq!(broker.exposed_ports, [9092, 9093]);
        assert_eq!(broker.entrypoint, ["/usr/local/bin/kaskade"]);
        assert_eq!(broker.cmd, ["broker"]);
        assert!(broker.copies.iter().any(|(_, d)| d == "/usr/local/bin/kaskade"));
        let operator = read(&OPERATOR);
        assert_eq!(operator.user, "65532:65532");
        assert_eq!(operator.exposed_ports, [8080]);
        assert_eq!(operator.entrypoint, ["/usr/local/bin/kaskade-operator"]);
        assert_eq!(operator.cmd, ["run"]);
        assert!(operator.copies.iter().any(|(_, d)| d == "/usr/local/bin/kaskade-operator"));
    }
}
