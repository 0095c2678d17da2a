//! The Helm chart as Helm renders it: the real `helm` (v3.22.0, built from its Go module by
//! `e2e/k8s/controlplane/build.sh`) lints it and renders it with default and non-default values,
//! and every rendered object is checked against the operator's contracts — the ClusterRole holds
//! exactly the verbs and resources the operator uses, the Deployment carries the values as the
//! flags' environment variables, and the ServiceAccount is the one the bindings name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use serde::Deserialize;
use serde_json::{json, Value};

const NAMESPACE: &str = "kaskade-system";
const RELEASE: &str = "kaskade-operator";

fn repo() -> PathBuf {
    kaskade_testkit::repo_root()
}

fn chart() -> PathBuf {
    repo().join("charts/kaskade-operator")
}

/// `$KASKADE_HELM`, else the cached build, else built now (cached for next time).
fn helm() -> PathBuf {
    if let Some(path) = std::env::var_os("KASKADE_HELM") {
        return PathBuf::from(path);
    }
    let cache = std::env::var_os("KASKADE_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cache/kaskade"));
    let cached = cache.join("k8s/bin/helm");
    if cached.exists() {
        return cached;
    }
    let out = Command::new("bash")
        .arg(repo().join("e2e/k8s/controlplane/build.sh"))
        .output()
        .expect("run e2e/k8s/controlplane/build.sh");
    assert!(
        out.status.success(),
        "building helm failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bin = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .expect("bin dir")
        .trim()
        .to_string();
    PathBuf::from(bin).join("helm")
}

fn run_helm(args: &[&str]) -> String {
    let out = Command::new(helm()).args(args).output().expect("run helm");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "helm {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// `helm template` with `--set` values: every rendered document, as JSON.
fn render(set: &[&str]) -> Vec<Value> {
    let chart = chart();
    let mut args = vec!["template", RELEASE, chart.to_str().expect("utf-8 path"), "--namespace", NAMESPACE];
    for s in set {
        args.extend(["--set", s]);
    }
    let yaml = run_helm(&args);
    serde_yaml::Deserializer::from_str(&yaml)
        .map(|doc| Value::deserialize(doc).unwrap_or_else(|e| panic!("rendered YAML does not parse: {e}\n{yaml}")))
        .filter(|v| !v.is_null())
        .collect()
}

fn objects<'a>(docs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    docs.iter().filter(|d| d["kind"] == kind).collect()
}

fn one<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    let found = objects(docs, kind);
    assert_eq!(found.len(), 1, "expected one {kind}, found {}", found.len());
    found[0]
}

/// `(apiGroup, resource) -> verbs` over all rules, each rule checked to carry no resourceNames.
fn grants(rules: &Value, allow_names: bool) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut out: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for rule in rules.as_array().expect("rules") {
        assert!(rule.get("nonResourceURLs").is_none(), "{rule}");
        assert!(allow_names || rule.get("resourceNames").is_none(), "{rule}");
        let strings = |key: &str| -> Vec<String> {
            rule[key]
                .as_array()
                .unwrap_or_else(|| panic!("{key} in {rule}"))
                .iter()
                .map(|v| v.as_str().expect("string").to_string())
                .collect()
        };
        for group in strings("apiGroups") {
            for resource in strings("resources") {
                out.entry((group.clone(), resource)).or_default().extend(strings("verbs"));
            }
        }
    }
    out
}

/// The operator's API use, from the team's contract (docs/operator.md, RBAC).
fn contract() -> BTreeMap<(String, String), BTreeSet<String>> {
    let rows: &[(&str, &[&str], &[&str])] = &[
        (
            "kaskade.dev",
            &["kafkaclusters", "topics", "connectors"],
            &["get", "list", "watch", "patch"],
        ),
        (
            "kaskade.dev",
            &["kafkaclusters/status", "topics/status", "connectors/status"],
            &["get", "patch"],
        ),
        (
            "kaskade.dev",
            &["kafkaclusters/finalizers", "topics/finalizers", "connectors/finalizers"],
            &["update"],
        ),
        (
            "",
            &["configmaps", "services"],
            &["get", "list", "watch", "create", "patch", "delete"],
        ),
        (
            "apps",
            &["statefulsets", "deployments"],
            &["get", "list", "watch", "create", "patch", "delete"],
        ),
        (
            "policy",
            &["poddisruptionbudgets"],
            &["get", "list", "watch", "create", "patch", "delete"],
        ),
        ("events.k8s.io", &["events"], &["create", "patch"]),
    ];
    let mut out = BTreeMap::new();
    for (group, resources, verbs) in rows {
        for r in *resources {
            out.insert((group.to_string(), r.to_string()), verbs.iter().map(|v| v.to_string()).collect());
        }
    }
    out
}

fn env(container: &Value) -> BTreeMap<String, Value> {
    container["env"]
        .as_array()
        .expect("env")
        .iter()
        .map(|e| {
            let value = e.get("value").cloned().unwrap_or_else(|| e["valueFrom"].clone());
            (e["name"].as_str().expect("env name").to_string(), value)
        })
        .collect()
}

/// What every rendering must hold, whatever the values; returns the operator container.
fn check_common(docs: &[Value], service_account: &str) -> Value {
    for d in docs {
        let kind = d["kind"].as_str().expect("kind");
        let cluster_scoped = matches!(kind, "ClusterRole" | "ClusterRoleBinding");
        assert_eq!(
            d["metadata"]["namespace"].as_str(),
            (!cluster_scoped).then_some(NAMESPACE),
            "{kind}"
        );
    }
    let cluster_role = one(docs, "ClusterRole");
    assert_eq!(
        grants(&cluster_role["rules"], false),
        contract(),
        "the ClusterRole must grant exactly the contract"
    );

    let binding = one(docs, "ClusterRoleBinding");
    assert_eq!(
        binding["roleRef"],
        json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cluster_role["metadata"]["name"]})
    );
    assert_eq!(
        binding["subjects"],
        json!([{"kind": "ServiceAccount", "name": service_account, "namespace": NAMESPACE}])
    );

    let deployment = one(docs, "Deployment");
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(pod["serviceAccountName"], service_account);
    let selector = deployment["spec"]["selector"]["matchLabels"].as_object().expect("selector");
    for (k, v) in selector {
        assert_eq!(&deployment["spec"]["template"]["metadata"]["labels"][k], v, "pod label {k}");
    }
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    let containers = pod["containers"].as_array().expect("containers");
    assert_eq!(containers.len(), 1);
    let c = containers[0].clone();
    assert_eq!(c["args"], json!(["run"]));
    assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(c["securityContext"]["allowPrivilegeEscalation"], false);
    assert_eq!(c["securityContext"]["capabilities"]["drop"], json!(["ALL"]));
    assert_eq!(c["resources"]["requests"], json!({"cpu": "50m", "memory": "64Mi"}));
    assert_eq!(c["resources"]["limits"], json!({"memory": "256Mi"}));
    assert_eq!(c["livenessProbe"]["httpGet"], json!({"path": "/healthz", "port": "http"}));
    assert_eq!(c["readinessProbe"]["httpGet"], json!({"path": "/readyz", "port": "http"}));
    let e = env(&c);
    assert_eq!(e["POD_NAMESPACE"], json!({"fieldRef": {"fieldPath": "metadata.namespace"}}));
    let port = c["ports"][0]["containerPort"].as_i64().expect("http port");
    assert_eq!(c["ports"][0]["name"], "http");
    assert_eq!(e["KASKADE_HTTP_ADDR"], format!("0.0.0.0:{port}"));
    c
}

#[test]
fn the_chart_lints() {
    let chart = chart();
    run_helm(&["lint", "--strict", chart.to_str().expect("utf-8 path")]);
}

#[test]
fn chart_app_version_is_the_crate_version() {
    let text = std::fs::read_to_string(chart().join("Chart.yaml")).expect("Chart.yaml");
    let meta: Value = serde_yaml::from_str(&text).expect("Chart.yaml parses");
    assert_eq!(
        meta["appVersion"],
        env!("CARGO_PKG_VERSION"),
        "bump Chart.yaml's appVersion with the crate"
    );
}

#[test]
fn default_values() {
    let docs = render(&[]);
    let kinds: BTreeSet<&str> = docs.iter().map(|d| d["kind"].as_str().expect("kind")).collect();
    let expected: BTreeSet<&str> = ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Deployment", "Service"].into();
    assert_eq!(kinds, expected, "one replica: no leader election, so no Role for leases");
    let sa = one(&docs, "ServiceAccount");
    let sa_name = sa["metadata"]["name"].as_str().expect("SA name");
    assert_eq!(sa_name, RELEASE);
    let c = check_common(&docs, sa_name);
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(c["image"], format!("ghcr.io/kaskade-dev/kaskade-operator:{version}"));
    let e = env(&c);
    assert_eq!(e["KASKADE_BROKER_IMAGE"], format!("ghcr.io/kaskade-dev/kaskade:{version}"));
    assert_eq!(e["KASKADE_HTTP_ADDR"], "0.0.0.0:8080");
    assert_eq!(e["KASKADE_LEADER_ELECTION"], "false");
    assert_eq!(e["RUST_LOG"], "info");
    assert!(
        !e.contains_key("KASKADE_WATCH_NAMESPACES"),
        "empty watchNamespaces = all namespaces"
    );
    assert!(!e.contains_key("KASKADE_BOOTSTRAP_OVERRIDES"));
    let deployment = one(&docs, "Deployment");
    assert_eq!(deployment["spec"]["replicas"], 1);
    assert_eq!(
        deployment["spec"]["strategy"]["type"], "Recreate",
        "never two operators without leader election"
    );

    let service = one(&docs, "Service");
    assert_eq!(service["spec"]["ports"][0]["port"], 8080);
    assert_eq!(service["spec"]["ports"][0]["targetPort"], "http");
    assert_eq!(service["spec"]["selector"], deployment["spec"]["selector"]["matchLabels"]);
}

#[test]
fn two_replicas_watching_two_namespaces() {
    let docs = render(&[
        "replicaCount=2",
        "watchNamespaces={team-a,team-b}",
        "logLevel=debug",
        "image.tag=dev",
        "brokerImage.repository=kaskade,brokerImage.tag=local",
        "bootstrapOverrides={team-a/dev=127.0.0.1:19092}",
        "metrics.port=9090",
        "metrics.enabled=false",
    ]);
    let sa_name = one(&docs, "ServiceAccount")["metadata"]["name"]
        .as_str()
        .expect("SA name")
        .to_string();
    let c = check_common(&docs, &sa_name);
    assert_eq!(c["image"], "ghcr.io/kaskade-dev/kaskade-operator:dev");
    let e = env(&c);
    assert_eq!(e["KASKADE_WATCH_NAMESPACES"], "team-a,team-b");
    assert_eq!(e["KASKADE_LEADER_ELECTION"], "true", "more than one replica elects a leader");
    assert_eq!(e["KASKADE_BROKER_IMAGE"], "kaskade:local");
    assert_eq!(e["KASKADE_BOOTSTRAP_OVERRIDES"], "team-a/dev=127.0.0.1:19092");
    assert_eq!(e["KASKADE_HTTP_ADDR"], "0.0.0.0:9090");
    assert_eq!(e["RUST_LOG"], "debug");
    let deployment = one(&docs, "Deployment");
    assert_eq!(deployment["spec"]["replicas"], 2);
    assert!(
        deployment["spec"].get("strategy").is_none(),
        "a rolling update is safe under leader election"
    );
    assert!(objects(&docs, "Service").is_empty(), "metrics.enabled=false: no Service");

    // Leases: only in the release namespace, only what leader election does.
    let role = one(&docs, "Role");
    let mut leases = BTreeMap::new();
    leases.insert(
        ("coordination.k8s.io".to_string(), "leases".to_string()),
        ["get", "create", "update"].iter().map(|v| v.to_string()).collect::<BTreeSet<_>>(),
    );
    assert_eq!(grants(&role["rules"], true), leases);
    for rule in role["rules"].as_array().expect("rules") {
        if let Some(names) = rule.get("resourceNames") {
            assert_eq!(names, &json!(["kaskade-operator"]), "the Lease of the contract");
        }
    }
    let binding = one(&docs, "RoleBinding");
    assert_eq!(binding["roleRef"]["name"], role["metadata"]["name"]);
    assert_eq!(
        binding["subjects"],
        json!([{"kind": "ServiceAccount", "name": sa_name, "namespace": NAMESPACE}])
    );
}

#[test]
fn an_existing_service_account() {
    let docs = render(&[
        "serviceAccount.create=false",
        "serviceAccount.name=platform-operators",
        "leaderElection=true",
    ]);
    assert!(objects(&docs, "ServiceAccount").is_empty());
    check_common(&docs, "platform-operators");
    assert_eq!(one(&docs, "RoleBinding")["subjects"][0]["name"], "platform-operators");
    assert_eq!(
        env(&one(&docs, "Deployment")["spec"]["template"]["spec"]["containers"][0])["KASKADE_LEADER_ELECTION"],
        "true"
    );
}

#[test]
fn crds_render_with_include_crds() {
    let chart = chart();
    let yaml = run_helm(&[
        "template",
        RELEASE,
        chart.to_str().expect("utf-8 path"),
        "--include-crds",
        "--namespace",
        NAMESPACE,
    ]);
    let crds: Vec<Value> = serde_yaml::Deserializer::from_str(&yaml)
        .map(|doc| Value::deserialize(doc).expect("YAML"))
        .filter(|d| d["kind"] == "CustomResourceDefinition")
        .collect();
    let names: BTreeSet<&str> = crds.iter().map(|d| d["metadata"]["name"].as_str().expect("name")).collect();
    assert_eq!(
        names,
        ["connectors.kaskade.dev", "kafkaclusters.kaskade.dev", "topics.kaskade.dev"].into()
    );
}
