//! Snapshot tests of the objects the operator applies for a `KafkaCluster`: the YAML in
//! `tests/snapshots/` is what a reviewer reads to see what a change does to real clusters.
//! Regenerate with `UPDATE_SNAPSHOTS=1 cargo test -p kaskade-operator --test builder_snapshots`.

use kaskade_operator::cluster::{self, ClusterDefaults, ClusterObjects};
use kaskade_operator::conditions::Reason;
use kaskade_operator::crd::KafkaCluster;

const DEV: &str = r#"
apiVersion: kaskade.dev/v1alpha1
kind: KafkaCluster
metadata: {name: dev, namespace: kaskade, uid: 7b0e4a52-1c1f-4d6e-9d3a-0f0d2c1e5a01, generation: 1}
spec:
  replicas: 1
  storage: {type: ephemeral}
"#;

const PROD: &str = r#"
apiVersion: kaskade.dev/v1alpha1
kind: KafkaCluster
metadata: {name: orders, namespace: streaming, uid: 3f6c2d8e-5b7a-4e21-8c90-6a1d4b2f9e77, generation: 3}
spec:
  replicas: 3
  image: registry.example.com/kaskade:0.1.0
  storage: {type: persistent, size: 100Gi, storageClassName: fast-ssd, deleteClaim: true}
  resources:
    requests: {cpu: "1", memory: 2Gi}
    limits: {memory: 4Gi}
  config:
    num.partitions: 6
    log.retention.hours: 168
    auto.create.topics.enable: false
    compression.type: zstd
"#;

const PIPELINE: &str = r#"
apiVersion: kaskade.dev/v1alpha1
kind: KafkaCluster
metadata: {name: pipeline, namespace: shop, uid: 0c8f3a1e-7d2b-4b6a-9e15-2f4d6c8a0b13, generation: 2}
spec:
  replicas: 1
  storage: {type: persistent, size: 10Gi}
  connect:
    replicas: 2
    config:
      offset.flush.interval.ms: 10000
    resources:
      requests: {cpu: 250m, memory: 128Mi}
    envFrom:
      - secretRef: {name: connect-env}
    volumes:
      - name: db-credentials
        secret: {secretName: db-credentials}
    volumeMounts:
      - {name: db-credentials, mountPath: /mnt/secrets/db, readOnly: true}
"#;

fn defaults() -> ClusterDefaults {
    ClusterDefaults {
        broker_image: "ghcr.io/kaskade-dev/kaskade:0.1.0".into(),
    }
}

fn parse(manifest: &str) -> KafkaCluster {
    serde_yaml::from_str(manifest).expect("a KafkaCluster manifest")
}

fn render(objects: &ClusterObjects) -> String {
    let docs = [
        serde_yaml::to_string(&objects.config_map),
        serde_yaml::to_string(&objects.headless_service),
        serde_yaml::to_string(&objects.bootstrap_service),
        serde_yaml::to_string(&objects.pod_disruption_budget),
        serde_yaml::to_string(&objects.stateful_set),
    ];
    let mut docs: Vec<String> = docs.into_iter().map(|d| d.expect("objects serialize")).collect();
    if let Some(connect) = &objects.connect {
        for doc in [
            serde_yaml::to_string(&connect.config_map),
            serde_yaml::to_string(&connect.service),
            serde_yaml::to_string(&connect.deployment),
        ] {
            docs.push(doc.expect("objects serialize"));
        }
    }
    format!("---\n{}", docs.join("---\n"))
}

/// Compares `actual` with `tests/snapshots/NAME.yaml`, or writes it when `UPDATE_SNAPSHOTS` is set.
fn assert_snapshot(name: &str, actual: &str) {
    let path = kaskade_testkit::repo_root()
        .join("operator/tests/snapshots")
        .join(format!("{name}.yaml"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        return;
    }
    let regenerate = "regenerate with UPDATE_SNAPSHOTS=1 cargo test -p kaskade-operator --test builder_snapshots";
    let expected = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => panic!("snapshot {} is missing ({e}); {regenerate}", path.display()),
    };
    if expected != actual {
        panic!(
            "snapshot {} differs (- snapshot, + built); {regenerate}\n{}",
            path.display(),
            diff(&expected, actual)
        );
    }
}

/// A line diff (longest common subsequence) showing changed lines with two lines of context.
fn diff(expected: &str, actual: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut lines = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            lines.push((' ', a[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            lines.push(('-', a[i]));
            i += 1;
        } else {
            lines.push(('+', b[j]));
            j += 1;
        }
    }
    let changed: Vec<usize> = lines.iter().enumerate().filter(|(_, (k, _))| *k != ' ').map(|(n, _)| n).collect();
    let near = |n: usize| changed.iter().any(|&c| c.abs_diff(n) <= 2);
    let mut out = String::new();
    for (n, (kind, line)) in lines.iter().enumerate() {
        if near(n) {
            out.push_str(&format!("{kind} {line}\n"));
        } else if n > 0 && near(n - 1) {
            out.push_str("  ...\n");
        }
    }
    out
}

#[test]
fn dev_cluster_one_ephemeral_broker() {
    let objects = cluster::build_all(&parse(DEV), &defaults()).expect("a supported spec");
    assert_snapshot("dev-1-broker-ephemeral", &render(&objects));
}

#[test]
fn three_persistent_brokers_with_config_and_resources() {
    let kc = parse(PROD);
    // Not supported until brokers replicate, but the builders are ready for it.
    assert_eq!(cluster::validate(&kc).unwrap_err().reason, Reason::NotSupported);
    let valid = cluster::validate_well_formed(&kc).expect("a well-formed spec");
    assert_snapshot("orders-3-brokers-persistent", &render(&ClusterObjects::build(&valid, &defaults())));
}

#[test]
fn a_broker_with_two_connect_workers() {
    let objects = cluster::build_all(&parse(PIPELINE), &defaults()).expect("a supported spec");
    assert!(objects.connect.is_some());
    assert_snapshot("pipeline-1-broker-2-connect-workers", &render(&objects));
}

#[test]
fn the_diff_points_at_the_changed_lines() {
    let d = diff("a\nb\nc\nd\ne\nf\ng\n", "a\nb\nc\nD\ne\nf\ng\n");
    assert_eq!(d, "  b\n  c\n- d\n+ D\n  e\n  f\n  ...\n");
}
