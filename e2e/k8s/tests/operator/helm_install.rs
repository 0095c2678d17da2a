//! `helm install` of the chart against a real API server, as a user would: the CRDs, the
//! ServiceAccount, RBAC and the operator Deployment are created; `helm upgrade` to two replicas
//! turns leader election on (and its Role); `helm uninstall` removes what the release created.

use std::process::Command;

use anyhow::{bail, ensure, Context as _};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::rbac::v1::{ClusterRole, Role};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kaskade_e2e::{workspace, ControlPlane};
use kube::Api;

use crate::common::{helm, OPERATOR_NS};

fn run_helm(cp: &ControlPlane, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(helm()?)
        .args(args)
        .arg("--kubeconfig")
        .arg(cp.kubeconfig_path())
        .output()
        .context("running helm")?;
    if !out.status.success() {
        bail!("helm {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[tokio::test]
async fn helm_install_upgrade_and_uninstall() {
    let Some(cp) = ControlPlane::start_or_skip().await.expect("control plane") else {
        return;
    };
    if !cp.is_local() {
        eprintln!("skipped: helm install runs only against the local control plane (it would install cluster-wide objects)");
        return;
    }
    if let Err(e) = scenario(&cp).await {
        panic!("{e:?}");
    }
}

async fn scenario(cp: &ControlPlane) -> anyhow::Result<()> {
    let chart = workspace::root().join("charts/kaskade-operator");
    let chart = chart.to_string_lossy();
    let notes = run_helm(
        cp,
        &["install", "kaskade-operator", &chart, "-n", OPERATOR_NS, "--create-namespace"],
    )?;
    ensure!(notes.contains("STATUS: deployed"), "{notes}");
    let client = cp.client();
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    for name in ["kafkaclusters.kaskade.dev", "topics.kaskade.dev"] {
        ensure!(crds.get_opt(name).await?.is_some(), "helm install did not create CRD {name}");
    }
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), OPERATOR_NS);
    let d = deployments.get("kaskade-operator").await.context("the operator Deployment")?;
    let spec = d.spec.context("spec")?;
    ensure!(spec.replicas == Some(1));
    let container = spec.template.spec.context("pod spec")?.containers.remove(0);
    ensure!(
        container
            .image
            .as_deref()
            .is_some_and(|i| i.starts_with("ghcr.io/kaskade-dev/kaskade-operator:")),
        "{:?}",
        container.image
    );
    ensure!(
        Api::<ClusterRole>::all(client.clone()).get_opt("kaskade-operator").await?.is_some(),
        "no ClusterRole"
    );
    let roles: Api<Role> = Api::namespaced(client.clone(), OPERATOR_NS);
    ensure!(
        roles.list(&Default::default()).await?.items.is_empty(),
        "a leader-election Role with one replica"
    );

    run_helm(
        cp,
        &["upgrade", "kaskade-operator", &chart, "-n", OPERATOR_NS, "--set", "replicaCount=2"],
    )?;
    let d = deployments.get("kaskade-operator").await?;
    ensure!(d.spec.and_then(|s| s.replicas) == Some(2));
    ensure!(
        !roles.list(&Default::default()).await?.items.is_empty(),
        "no leader-election Role with two replicas"
    );

    run_helm(cp, &["uninstall", "kaskade-operator", "-n", OPERATOR_NS])?;
    ensure!(
        deployments.get_opt("kaskade-operator").await?.is_none(),
        "the Deployment survived helm uninstall"
    );
    // Helm keeps CRDs on uninstall (its documented behaviour), so custom resources survive.
    ensure!(crds.get_opt("topics.kaskade.dev").await?.is_some());
    Ok(())
}
