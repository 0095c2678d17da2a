//! The harness itself, on a real API server: a service account's kubeconfig carries exactly
//! that account's RBAC, and the audit log counts a user's writes (what the operator's
//! zero-writes assertion stands on). Other tests rely on both.

use std::time::Duration;

use anyhow::{anyhow, ensure};
use k8s_openapi::api::core::v1::ConfigMap;
use kaskade_e2e::{kubeconfig, wait_for, workspace, ControlPlane};
use kube::api::{Api, ListParams, ObjectMeta, PostParams};

const RBAC: &str = "
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: configmaps
rules:
- apiGroups: ['']
  resources: [configmaps]
  verbs: [get, list, create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: configmaps
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: configmaps
subjects:
- kind: ServiceAccount
  name: robot
";

#[tokio::test]
async fn service_account_has_its_rbac_and_its_writes_are_audited() -> anyhow::Result<()> {
    let Some(cp) = ControlPlane::start_or_skip().await? else {
        return Ok(());
    };
    let ns = cp.unique_namespace("rbac").await?;
    let path = cp.service_account_kubeconfig(&ns, "robot").await?;
    let (robot, _) = kubeconfig::client_from_file(&path).await?;
    let configmaps: Api<ConfigMap> = Api::namespaced(robot, &ns);

    // No binding yet: forbidden.
    let err = configmaps
        .list(&ListParams::default())
        .await
        .err()
        .ok_or_else(|| anyhow!("listed without RBAC"))?;
    ensure!(matches!(&err, kube::Error::Api(s) if s.code == 403), "expected 403, got {err}");

    cp.apply_yaml(RBAC, Some(&ns)).await?;
    wait_for("RBAC to allow listing configmaps", Duration::from_secs(10), || {
        let configmaps = configmaps.clone();
        async move { Ok(configmaps.list(&ListParams::default()).await.ok().map(|_| ())) }
    })
    .await?;

    let user = ControlPlane::service_account_username(&ns, "robot");
    let Some(audit) = cp.audit_log() else {
        eprintln!("skipped the audit assertions: no audit log on an external cluster");
        return Ok(());
    };
    let before = audit.mark()?;
    let map = ConfigMap {
        metadata: ObjectMeta {
            name: Some("written".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    configmaps.create(&PostParams::default(), &map).await?;
    configmaps.get("written").await?;
    // Still forbidden: deleting is not in the Role (a refused write is still a write request).
    ensure!(
        configmaps.delete("written", &Default::default()).await.is_err(),
        "deleted without RBAC"
    );

    let writes = audit.writes_by_since(&user, before)?;
    let summaries: Vec<String> = writes.iter().map(|w| w.summary()).collect();
    assert_eq!(
        summaries,
        [
            format!("create configmaps {ns}/written (201)"),
            format!("delete configmaps {ns}/written (403)")
        ]
    );
    let all = cp.writes_by(&user)?.ok_or_else(|| anyhow!("no audit log"))?;
    assert_eq!(all.len(), 2, "before the mark the robot only read: {all:#?}");
    let mark = audit.mark()?;
    configmaps.list(&ListParams::default()).await?;
    assert!(audit.writes_by_since(&user, mark)?.is_empty(), "reads are not writes");
    Ok(())
}

#[test]
fn a_missing_workspace_binary_says_how_to_build_it() {
    let err = workspace::bin("kaskade-no-such-binary")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("cargo build -p kaskade-operator -p kaskade"), "{err}");
}
