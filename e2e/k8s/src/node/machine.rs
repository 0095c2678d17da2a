//! What the node changes on the machine outside its run directory, recorded before it starts
//! and undone after it stops — also after a run that was killed, whose record the next run
//! finds in the fixed run directory: the sysctls the kubelet and the CNI bridge set, the
//! fixed paths containerd and the kubelet use, the pods' processes and cgroups, mounts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::{IoContext, Result};

/// The run directory: fixed, so a later run finds a killed run's state and cleans it up.
pub const RUN_DIR: &str = "/var/tmp/kaskade-e2e-node";

/// Sysctls the kubelet (`vm.overcommit_memory`, `kernel.panic`, `kernel.panic_on_oops`), the CNI
/// bridge (`ip_forward`) and kube-proxy may change.
const SYSCTLS: [&str; 5] = [
    "vm/overcommit_memory",
    "kernel/panic",
    "kernel/panic_on_oops",
    "net/ipv4/ip_forward",
    "net/ipv4/conf/all/route_localnet",
];

/// Fixed paths containerd, the CNI plugins and the kubelet create whatever they are told.
const FIXED_DIRS: [&str; 5] = [
    "/run/containerd",
    "/var/lib/cni",
    "/var/log/containers",
    "/var/log/pods",
    "/run/netns",
];

/// The record kept in `RUN_DIR/state.json`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Recorded {
    /// Sysctl (as a /proc/sys path) → value before the run.
    pub sysctls: BTreeMap<String, String>,
    /// Which of the fixed paths existed before the run.
    pub existed: Vec<String>,
    /// Processes the run started: pid → executable path.
    pub pids: BTreeMap<u32, String>,
    /// nftables tables before the run (`ip filter`, …): iptables-nft and kube-proxy add some.
    #[serde(default)]
    pub nft_tables: Vec<String>,
}

fn state_file(run: &Path) -> PathBuf {
    run.join("state.json")
}

impl Recorded {
    /// Reads the machine now.
    pub fn now() -> Self {
        let sysctls = SYSCTLS
            .iter()
            .filter_map(|s| {
                std::fs::read_to_string(Path::new("/proc/sys").join(s))
                    .ok()
                    .map(|v| (s.to_string(), v.trim().to_string()))
            })
            .collect();
        let existed = FIXED_DIRS.iter().filter(|d| Path::new(d).exists()).map(|d| d.to_string()).collect();
        Self {
            sysctls,
            existed,
            pids: BTreeMap::new(),
            nft_tables: super::net::nft_tables(),
        }
    }

    /// A stale run's record, if its run directory is still there.
    pub fn load(run: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(state_file(run)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Writes the record (again) into the run directory.
    pub fn save(&self, run: &Path) -> Result<()> {
        let path = state_file(run);
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        std::fs::write(&path, text).context(|| format!("writing {}", path.display()))
    }
}

/// Undoes everything a run did, in an order that works whatever state it was left in: kills
/// its processes and the pods', unmounts, removes cgroups, network and files, restores sysctls.
/// Returns notes on what could not be undone (best effort: a teardown must finish).
pub fn clean(run: &Path, recorded: &Recorded) -> Vec<String> {
    let mut notes = Vec::new();
    for (pid, exe) in &recorded.pids {
        if process_exe(*pid).is_some_and(|e| &e == exe) {
            signal(*pid, libc::SIGKILL);
        }
    }
    kill_pods(&mut notes);
    kill_shims(run);
    unmount_under(
        &[run.to_path_buf(), PathBuf::from("/run/containerd"), PathBuf::from("/run/netns")],
        &mut notes,
    );
    remove_pod_cgroups(&mut notes);
    notes.extend(super::net::remove(&recorded.nft_tables));
    for (sysctl, value) in &recorded.sysctls {
        let path = Path::new("/proc/sys").join(sysctl);
        if std::fs::read_to_string(&path).is_ok_and(|v| v.trim() != value) {
            if let Err(e) = std::fs::write(&path, value) {
                notes.push(format!("restoring {sysctl}={value}: {e}"));
            }
        }
    }
    for dir in FIXED_DIRS {
        if !recorded.existed.iter().any(|d| d == dir) {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
    // Entries the run made in fixed directories that existed before it.
    remove_entries("/var/lib/cni/results", |name, _| name.starts_with(super::configs::CNI_NETWORK));
    remove_entries("/var/log/containers", |_, target| target.is_some_and(|t| t.starts_with(run)));
    if let Err(e) = std::fs::remove_dir_all(run) {
        if e.kind() != std::io::ErrorKind::NotFound {
            notes.push(format!("removing {}: {e}", run.display()));
        }
    }
    notes
}

/// What is left on the machine that [`clean`] should have undone: empty when the machine is as
/// `recorded` found it.
pub fn leftovers(run: &Path, recorded: &Recorded) -> Vec<String> {
    let mut left = Vec::new();
    for (pid, exe) in &recorded.pids {
        if process_exe(*pid).is_some_and(|e| &e == exe) {
            left.push(format!("process {pid} ({exe}) still runs"));
        }
    }
    for root in pod_cgroup_roots() {
        left.push(format!("cgroup {} still exists", root.display()));
    }
    left.extend(super::net::leftovers(&recorded.nft_tables));
    for (sysctl, value) in &recorded.sysctls {
        let now = std::fs::read_to_string(Path::new("/proc/sys").join(sysctl)).unwrap_or_default();
        if now.trim() != value {
            left.push(format!("sysctl {sysctl} is {} (was {value})", now.trim()));
        }
    }
    for dir in FIXED_DIRS {
        if !recorded.existed.iter().any(|d| d == dir) && Path::new(dir).exists() {
            left.push(format!("{dir} was made by the run and is still there"));
        }
    }
    if run.exists() {
        left.push(format!("{} is still there", run.display()));
    }
    left
}

/// The executable of a running process.
fn process_exe(pid: u32) -> Option<String> {
    std::fs::read_link(format!("/proc/{pid}/exe"))
        .ok()
        .map(|p| p.to_string_lossy().into_owned())
}

fn signal(pid: u32, sig: i32) {
    // SAFETY: kill(2) has no memory effects; a stale pid is checked against its executable first.
    unsafe { libc::kill(pid as libc::pid_t, sig) };
}

/// The kubelet's cgroup trees (cgroupfs driver: `/kubepods` under each v1 hierarchy, or the
/// unified one).
fn pod_cgroup_roots() -> Vec<PathBuf> {
    let mut roots = Vec::new();
    let base = Path::new("/sys/fs/cgroup");
    if base.join("kubepods").is_dir() {
        roots.push(base.join("kubepods"));
    }
    if let Ok(entries) = std::fs::read_dir(base) {
        for entry in entries.flatten() {
            let dir = entry.path().join("kubepods");
            if dir.is_dir() {
                roots.push(dir);
            }
        }
    }
    roots
}

/// Every directory of a tree, children before parents.
fn tree_bottom_up(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(root) {
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                out.extend(tree_bottom_up(&entry.path()));
            }
        }
    }
    out.push(root.to_path_buf());
    out
}

/// SIGKILLs every process in the pods' cgroups until none is left (up to 10 s).
fn kill_pods(notes: &mut Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut pids = Vec::new();
        for root in pod_cgroup_roots() {
            for dir in tree_bottom_up(&root) {
                if let Ok(procs) = std::fs::read_to_string(dir.join("cgroup.procs")) {
                    pids.extend(procs.lines().filter_map(|l| l.trim().parse::<u32>().ok()));
                }
            }
        }
        if pids.is_empty() {
            return;
        }
        if Instant::now() > deadline {
            notes.push(format!("pod processes still running after SIGKILL: {pids:?}"));
            return;
        }
        for pid in pids {
            signal(pid, libc::SIGKILL);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// SIGKILLs the containerd shims of this run (their command line names its socket).
fn kill_shims(run: &Path) {
    let Ok(entries) = std::fs::read_dir("/proc") else { return };
    let marker = run.to_string_lossy().into_owned();
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline);
        if cmdline.starts_with("/usr/bin/containerd-shim") && cmdline.contains(&marker) {
            signal(pid, libc::SIGKILL);
        }
    }
}

/// Lazily unmounts every mount under the given directories, deepest first.
fn unmount_under(dirs: &[PathBuf], notes: &mut Vec<String>) {
    let Ok(mounts) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return;
    };
    let mut points: Vec<String> = mounts
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(|p| p.replace("\\040", " "))
        .filter(|p| dirs.iter().any(|d| Path::new(p).starts_with(d)))
        .collect();
    points.sort_by_key(|p| std::cmp::Reverse(p.len()));
    points.dedup();
    for point in points {
        let Ok(c) = std::ffi::CString::new(point.clone()) else { continue };
        // SAFETY: umount2(2) with a valid NUL-terminated path.
        let rc = unsafe { libc::umount2(c.as_ptr(), libc::MNT_DETACH) };
        if rc != 0 {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::EINVAL) && e.raw_os_error() != Some(libc::ENOENT) {
                notes.push(format!("unmounting {point}: {e}"));
            }
        }
    }
}

/// Removes the kubelet's cgroup trees (empty once their processes are gone).
fn remove_pod_cgroups(notes: &mut Vec<String>) {
    for root in pod_cgroup_roots() {
        for dir in tree_bottom_up(&root) {
            if let Err(e) = std::fs::remove_dir(&dir) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    notes.push(format!("removing cgroup {}: {e}", dir.display()));
                }
            }
        }
    }
}

/// Removes the entries of `dir` that `matches(name, symlink target)`.
fn remove_entries(dir: &str, matches: impl Fn(&str, Option<&Path>) -> bool) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let target = std::fs::read_link(entry.path()).ok();
        if matches(&name, target.as_deref()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
