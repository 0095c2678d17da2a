//! Client pods: a shell script run once in the test client image (`kaskade` plus busybox), in
//! the scenario's namespace, so clients resolve Services and per-pod DNS names as any workload
//! in the cluster does. The script's output is read back from the pod's log.

use std::time::Duration;

use anyhow::{bail, Context as _};
use k8s_openapi::api::core::v1::Pod;
use kaskade_e2e::{image, wait_for, ControlPlane};
use kube::api::{Api, LogParams, PostParams};

/// Runs `script` with `sh -c` in a pod named `name` of the test client image (restartPolicy
/// Never, non-root, read-only root) and returns its output once it exits 0; its log in the error
/// otherwise.
pub async fn run(cp: &ControlPlane, namespace: &str, name: &str, script: &str, timeout: Duration) -> anyhow::Result<String> {
    run_image(cp, namespace, name, image::CLIENT, script, timeout).await
}

/// [`run`] in another image that has `/bin/sh` (the MariaDB image, for its `mariadb` client).
pub async fn run_image(
    cp: &ControlPlane,
    namespace: &str,
    name: &str,
    image: &str,
    script: &str,
    timeout: Duration,
) -> anyhow::Result<String> {
    let pods: Api<Pod> = Api::namespaced(cp.client(), namespace);
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "restartPolicy": "Never",
            "automountServiceAccountToken": false,
            "securityContext": {"runAsNonRoot": true, "runAsUser": 65532, "runAsGroup": 65532},
            "containers": [{
                "name": "client",
                "image": image,
                "imagePullPolicy": "IfNotPresent",
                "command": ["/bin/sh", "-c", script],
                "securityContext": {"readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false},
                "resources": {"limits": {"memory": "256Mi"}},
            }],
        },
    }))?;
    pods.create(&PostParams::default(), &pod)
        .await
        .with_context(|| format!("creating client pod {namespace}/{name}"))?;
    let phase = wait_for(&format!("client pod {namespace}/{name} to finish"), timeout, || async {
        let phase = pods
            .get_opt(name)
            .await
            .ok()
            .flatten()
            .and_then(|p| p.status)
            .and_then(|s| s.phase)
            .unwrap_or_default();
        Ok(matches!(phase.as_str(), "Succeeded" | "Failed").then_some(phase))
    })
    .await;
    let logs = pods.logs(name, &LogParams::default()).await.unwrap_or_default();
    match phase {
        Ok(phase) if phase == "Succeeded" => Ok(logs),
        Ok(phase) => bail!("client pod {namespace}/{name} ended {phase}:\n{logs}"),
        Err(e) => bail!("{e}\n--- client pod log ---\n{logs}"),
    }
}

/// A shell fragment that waits (up to 30 s) until `kaskade probe` gets an answer from
/// `bootstrap`. A pod is Ready before kube-proxy routes its Service to it: the endpoint reaches
/// the proxy a moment later, and until then the Service's address refuses connections (seen here
/// once in four runs against Apache Kafka). Clients in scripts start with it, as a user's first
/// command would retry.
pub fn await_kafka(bootstrap: &str) -> String {
    format!(
        "i=0
until kaskade probe --bootstrap-server {bootstrap} --timeout-ms 1000 >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -lt 150 ] || {{ echo \"{bootstrap} did not answer\"; exit 1; }}; sleep 0.2
done
"
    )
}

/// Checks that a client's output holds exactly the records `1..=count` (one per line, sorted).
pub fn expect_sequence(output: &str, count: usize, what: &str) -> anyhow::Result<()> {
    let lines: Vec<&str> = output
        .lines()
        .filter(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_digit()))
        .collect();
    let expected: Vec<String> = (1..=count).map(|i| i.to_string()).collect();
    anyhow::ensure!(lines == expected, "{what}: read back {} of {count} records:\n{output}", lines.len());
    Ok(())
}

/// Whether a pod is Ready and not being deleted.
pub fn pod_is_ready(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_none()
        && pod
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}
