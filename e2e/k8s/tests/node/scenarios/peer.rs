//! Apache Kafka 4.4 in a pod beside a Kaskade broker pod, on the same node in the same run (the
//! peer the figures are read against): each pod from creation to Ready, then 1,000 records
//! through each with the same client pod, a topic made with the same tool, and each pod's
//! memory from its cgroup. Kafka runs as its own scripts run it (KRaft, one combined node, the
//! 1 GiB heap of `kafka-server-start.sh`); readiness is a TCP check on 9092 every second, as
//! Kaskade's start-up probe runs `kaskade probe` every second.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context as _};
use k8s_openapi::api::core::v1::Pod;
use kaskade_e2e::image::kafka::KAFKA;
use kube::api::Api;

use crate::client;
use crate::cluster::{figure, kafka_cluster_yaml, Cluster};

const READY: Duration = Duration::from_secs(180);
const RECORDS: usize = 1000;

fn kafka_yaml() -> String {
    format!(
        r#"apiVersion: v1
kind: Service
metadata: {{name: kafka-headless}}
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector: {{app: apache-kafka}}
  ports: [{{name: kafka, port: 9092}}]
---
apiVersion: v1
kind: Service
metadata: {{name: kafka}}
spec:
  selector: {{app: apache-kafka}}
  ports: [{{name: kafka, port: 9092}}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: kafka}}
spec:
  serviceName: kafka-headless
  replicas: 1
  selector: {{matchLabels: {{app: apache-kafka}}}}
  template:
    metadata: {{labels: {{app: apache-kafka}}}}
    spec:
      securityContext: {{runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532}}
      containers:
        - name: kafka
          image: {KAFKA}
          imagePullPolicy: Never
          env:
            - {{name: POD_NAME, valueFrom: {{fieldRef: {{fieldPath: metadata.name}}}}}}
            - {{name: POD_NAMESPACE, valueFrom: {{fieldRef: {{fieldPath: metadata.namespace}}}}}}
            - {{name: KAFKA_ADVERTISED_HOST, value: "$(POD_NAME).kafka-headless.$(POD_NAMESPACE).svc.cluster.local"}}
          ports: [{{name: kafka, containerPort: 9092}}]
          startupProbe: {{tcpSocket: {{port: 9092}}, periodSeconds: 1, failureThreshold: 300}}
          readinessProbe: {{tcpSocket: {{port: 9092}}, periodSeconds: 5}}
          securityContext: {{allowPrivilegeEscalation: false}}
          volumeMounts: [{{name: data, mountPath: /var/lib/kafka}}]
  volumeClaimTemplates:
    - metadata: {{name: data}}
      spec: {{accessModes: [ReadWriteOnce], resources: {{requests: {{storage: 1Gi}}}}}}
"#
    )
}

pub async fn kafka_beside_kaskade(cluster: Arc<Cluster>) -> anyhow::Result<()> {
    let cp = cluster.cp();
    let ns = cp.unique_namespace("peer").await?;
    cluster.volumes(2, "1Gi").await?;
    cp.apply_yaml(&kafka_yaml(), Some(&ns)).await?;
    cp.apply_yaml(
        &kafka_cluster_yaml("kaskade", 1, ("auto.create.topics.enable", "false"), None),
        Some(&ns),
    )
    .await?;
    let pods: Api<Pod> = Api::namespaced(cp.client(), &ns);
    let (kafka, kaskade) = tokio::try_join!(created_to_ready(&pods, "kafka-0"), created_to_ready(&pods, "kaskade-broker-0"))?;
    figure("Apache Kafka pod created → Ready", kafka.as_secs_f64(), "s");
    figure("Kaskade broker pod created → Ready", kaskade.as_secs_f64(), "s");

    for (label, bootstrap, pod) in [
        ("Apache Kafka", "kafka:9092", "kafka-0"),
        ("Kaskade", "kaskade-bootstrap:9092", "kaskade-broker-0"),
    ] {
        let name = label.to_lowercase().replace(' ', "-");
        let output = client::run(
            cp,
            &ns,
            &format!("{name}-client"),
            &format!(
                "set -e\n{}\
                 kaskade topics --bootstrap-server {bootstrap} --create --topic orders --partitions 3 --replication-factor 1\n\
                 seq 1 {RECORDS} | kaskade console-producer --bootstrap-server {bootstrap} --topic orders\n\
                 kaskade console-consumer --bootstrap-server {bootstrap} --topic orders --from-beginning --max-messages {RECORDS} --timeout-ms 30000 | sort -n\n",
                client::await_kafka(bootstrap)
            ),
            Duration::from_secs(120),
        )
        .await
        .with_context(|| format!("the client against {label}"))?;
        client::expect_sequence(&output, RECORDS, label)?;
        cluster.report_memory(&format!("{label} broker (1,000 records)"), &ns, pod).await?;
    }
    Ok(())
}

/// From when pod `name` is first seen to when it is Ready, polled every 100 ms.
async fn created_to_ready(pods: &Api<Pod>, name: &str) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let mut created = None;
    loop {
        if let Some(pod) = pods.get_opt(name).await? {
            let created = *created.get_or_insert_with(Instant::now);
            let ready = client::pod_is_ready(&pod);
            if ready {
                return Ok(created.elapsed());
            }
        }
        ensure!(start.elapsed() < READY, "pod {name} was not Ready within {READY:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
