//! The node's configuration files, as pure functions of the run directory and the addresses
//! (REAL-NODE.md's settings): containerd, the CNI network, the kubelet, kube-proxy and CoreDNS.
//! Everything a component writes goes under the run directory, so one `rm -r` removes it.

use std::path::Path;

/// The Linux bridge the pods hang off; its address is the node's IP.
pub const BRIDGE: &str = "kaskade0";
/// The node IP: the bridge's address, the API server's and CoreDNS's, the pods' gateway.
pub const NODE_IP: &str = "10.244.0.1";
/// The pods' addresses (kind's range, one /24 for one node).
pub const POD_SUBNET: &str = "10.244.0.0/24";
/// Service ClusterIPs; the first is the `kubernetes` Service.
pub const SERVICE_CIDR: &str = "10.96.0.0/16";
pub const KUBERNETES_SERVICE_IP: &str = "10.96.0.1";
/// The Node object's name.
pub const NODE_NAME: &str = "kaskade-node";
/// The CNI network's name.
pub const CNI_NETWORK: &str = "kaskade";

/// containerd's config (version 2): root, state and socket under `run`, the CRI plugin with
/// our sandbox image, cgroupfs, the CNI plugins of Debian's package, and
/// `restrict_oom_score_adj` (root here lacks CAP_SYS_RESOURCE).
pub fn containerd_toml(run: &Path, sandbox_image: &str) -> String {
    let run = run.display();
    format!(
        r#"version = 2
root = "{run}/containerd/root"
state = "{run}/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "{run}/containerd/containerd.sock"

[plugins."io.containerd.internal.v1.opt"]
  path = "{run}/containerd/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "{sandbox_image}"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "{run}/cni/net.d"
"#
    )
}

/// The containerd socket under `run`.
pub fn containerd_socket(run: &Path) -> std::path::PathBuf {
    run.join("containerd/containerd.sock")
}

/// The CNI network: a bridge that is the pods' gateway, host-local addresses on the /24 (kept
/// under `run`), no masquerade (pods reach nothing outside), hairpin so a pod reaches itself
/// through a Service.
pub fn cni_conflist(run: &Path) -> String {
    serde_json::json!({
        "cniVersion": "0.4.0",
        "name": CNI_NETWORK,
        "plugins": [{
            "type": "bridge",
            "bridge": BRIDGE,
            "isGateway": true,
            "ipMasq": false,
            "hairpinMode": true,
            "ipam": {
                "type": "host-local",
                "dataDir": run.join("cni/ipam").display().to_string(),
                "ranges": [[{"subnet": POD_SUBNET, "gateway": NODE_IP, "rangeStart": "10.244.0.10"}]],
                "routes": [{"dst": "0.0.0.0/0"}],
            },
        }],
    })
    .to_string()
}

/// Files the kubelet's config refers to.
pub struct KubeletFiles<'a> {
    pub ca_crt: &'a Path,
    pub serving_crt: &'a Path,
    pub serving_key: &'a Path,
}

/// The kubelet's config: cgroup v1 with cgroupfs allowed, x509 client authentication, no
/// read-only port, logs and volume plugins under `run`, CoreDNS at the node IP, eviction and
/// image GC out of the way of a test machine's disk.
pub fn kubelet_config(run: &Path, files: &KubeletFiles<'_>) -> String {
    serde_json::json!({
        "apiVersion": "kubelet.config.k8s.io/v1beta1",
        "kind": "KubeletConfiguration",
        "address": NODE_IP,
        "port": 10250,
        "readOnlyPort": 0,
        "healthzBindAddress": "127.0.0.1",
        "healthzPort": 10248,
        "authentication": {
            "anonymous": {"enabled": false},
            "webhook": {"enabled": false},
            "x509": {"clientCAFile": files.ca_crt.display().to_string()},
        },
        "authorization": {"mode": "AlwaysAllow"},
        "tlsCertFile": files.serving_crt.display().to_string(),
        "tlsPrivateKeyFile": files.serving_key.display().to_string(),
        "cgroupDriver": "cgroupfs",
        "failCgroupV1": false,
        "failSwapOn": false,
        "containerRuntimeEndpoint": format!("unix://{}", containerd_socket(run).display()),
        "podLogsDir": run.join("pod-logs").display().to_string(),
        "volumePluginDir": run.join("volume-plugins").display().to_string(),
        "resolvConf": "",
        "clusterDNS": [NODE_IP],
        "clusterDomain": "cluster.local",
        "evictionHard": {"memory.available": "100Mi", "nodefs.available": "1%", "nodefs.inodesFree": "1%", "imagefs.available": "1%"},
        "imageGCHighThresholdPercent": 100,
        "imageGCLowThresholdPercent": 99,
        "serializeImagePulls": false,
        "staticPodPath": "",
        "hairpinMode": "hairpin-veth",
        "registerNode": true,
    })
    .to_string()
}

/// kube-proxy's config: nftables mode, NodePorts only on the node IP, and conntrack values 0
/// so it leaves the host's sysctls alone.
pub fn kube_proxy_config(kubeconfig: &Path) -> String {
    serde_json::json!({
        "apiVersion": "kubeproxy.config.k8s.io/v1alpha1",
        "kind": "KubeProxyConfiguration",
        "clientConnection": {"kubeconfig": kubeconfig.display().to_string()},
        "mode": "nftables",
        "hostnameOverride": NODE_NAME,
        "bindAddress": NODE_IP,
        "clusterCIDR": POD_SUBNET,
        "nodePortAddresses": [format!("{NODE_IP}/32")],
        "healthzBindAddress": "127.0.0.1:10256",
        "metricsBindAddress": "127.0.0.1:10249",
        "conntrack": {"maxPerCore": 0, "min": 0, "tcpEstablishedTimeout": "0s", "tcpCloseWaitTimeout": "0s"},
    })
    .to_string()
}

/// CoreDNS on the node IP: `cluster.local` and reverse lookups from the API server, no
/// upstream (nothing outside resolves).
pub fn corefile(kubeconfig: &Path) -> String {
    format!(
        "cluster.local:53 in-addr.arpa:53 {{\n    bind {NODE_IP}\n    errors\n    log . \"{{type}} {{name}} {{rcode}} {{duration}} {{remote}}\"\n    kubernetes cluster.local in-addr.arpa {{\n        kubeconfig {}\n        pods insecure\n        ttl 5\n    }}\n}}\n",
        kubeconfig.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_keep_state_under_the_run_directory() {
        let run = Path::new("/var/tmp/run");
        let toml = containerd_toml(run, "kaskade.dev/pause:e2e");
        assert!(toml.contains("sandbox_image = \"kaskade.dev/pause:e2e\""));
        assert!(toml.contains("restrict_oom_score_adj = true"));
        assert!(toml.contains("SystemdCgroup = false"));
        let cni: serde_json::Value = serde_json::from_str(&cni_conflist(run)).unwrap();
        assert_eq!(cni["plugins"][0]["ipam"]["dataDir"], "/var/tmp/run/cni/ipam");
        assert_eq!(cni["plugins"][0]["ipMasq"], false);
        let files = KubeletFiles {
            ca_crt: Path::new("/p/ca.crt"),
            serving_crt: Path::new("/p/k.crt"),
            serving_key: Path::new("/p/k.key"),
        };
        let kubelet: serde_json::Value = serde_json::from_str(&kubelet_config(run, &files)).unwrap();
        assert_eq!(
            kubelet["containerRuntimeEndpoint"],
            "unix:///var/tmp/run/containerd/containerd.sock"
        );
        assert_eq!(kubelet["failCgroupV1"], false);
        assert_eq!(kubelet["clusterDNS"][0], NODE_IP);
        assert!(corefile(Path::new("/k")).contains("bind 10.244.0.1"));
        let proxy: serde_json::Value = serde_json::from_str(&kube_proxy_config(Path::new("/k"))).unwrap();
        assert_eq!(proxy["conntrack"]["maxPerCore"], 0);
    }
}
