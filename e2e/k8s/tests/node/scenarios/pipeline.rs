//! The story on real pods: `examples/pipeline/` applied as a user would — on the node tier its
//! only change is the MariaDB image (the example's `mariadb:11.4` cannot be pulled here; the
//! node tier's image made from Debian's MariaDB stands in; kind pulls the example's own). Two MariaDB pods, a broker pod and a Connect worker pod come
//! up, the JDBC source and sink Connectors become Ready, the seed row reaches the target, rows
//! inserted in the source appear in the target within seconds, and a Connect pod killed
//! (grace period 0) while rows are being inserted loses none: the target ends up equal to the
//! source. An invalid Connector then gets `Ready=False` (`InvalidConfig`) while the worker pod
//! keeps running. Prints apply → first row, insert → row in target, and the pods' memory.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context as _};
use k8s_openapi::api::core::v1::Pod;
use kaskade_e2e::{wait_for, wait_for_condition, workspace};
use kube::api::{Api, DeleteParams, ListParams};

use crate::client;
use crate::cluster::{figure, Cluster, OPERATOR_NS};

const READY: Duration = Duration::from_secs(300);
/// Rows inserted while the Connect pod is killed.
const ROWS: u32 = 150;
/// What both databases are asked for, to compare them.
const ROWS_SQL: &str = "SELECT id, user_id, pwd, name FROM {table} ORDER BY id";

/// `mariadb` as the example's user against `host`/`db`, with extra arguments.
fn mariadb(host: &str, db: &str) -> String {
    format!("mariadb -h {host} -ukaskade -pchange-me {db}")
}

pub async fn pipeline_on_pods(cluster: Arc<Cluster>) -> anyhow::Result<()> {
    let cp = cluster.cp();
    let ns = cp.unique_namespace("pipeline").await?;
    cluster.volumes(1, "5Gi").await?;
    cluster.volumes(2, "1Gi").await?;
    let mariadb_image = cluster.mariadb_image();
    let applied = Instant::now();
    let dir = workspace::root().join("examples/pipeline");
    for file in workspace::yaml_files(&dir)? {
        let text = std::fs::read_to_string(&file)?;
        let text = text.replace("image: mariadb:11.4", &format!("image: {mariadb_image}"));
        cp.apply_yaml(&text, Some(&ns))
            .await
            .with_context(|| format!("applying {}", file.display()))?;
    }
    let connectors = cp.api("kaskade.dev/v1alpha1", "Connector", Some(&ns)).await?;
    for name in ["users-source", "users-sink"] {
        wait_for_condition(&connectors, name, "Ready", "True", READY).await?;
    }
    figure("pipeline applied → both Connectors Ready", applied.elapsed().as_secs_f64(), "s");
    let target = mariadb("mariadb-target", "reports");
    client::run_image(
        cp,
        &ns,
        "first-row",
        mariadb_image,
        &format!("until [ \"$({target} -N -e 'SELECT COUNT(*) FROM my_topic_users' 2>/dev/null)\" = 1 ]; do sleep 0.2; done"),
        READY,
    )
    .await?;
    figure("pipeline applied → first row in the target", applied.elapsed().as_secs_f64(), "s");

    // One row: from the INSERT in the source to the row in the target.
    let source = mariadb("mariadb-source", "shop");
    let latency = client::run_image(
        cp,
        &ns,
        "latency",
        mariadb_image,
        &format!(
            "set -e\n\
             t0=$({source} -N -e 'SELECT UNIX_TIMESTAMP(NOW(6))')\n\
             {source} -e \"INSERT INTO users (user_id, pwd, name) VALUES ('user2', 'user2222', 'User2 name')\"\n\
             until [ \"$({target} -N -e \"SELECT COUNT(*) FROM my_topic_users WHERE user_id='user2'\" 2>/dev/null)\" = 1 ]; do sleep 0.05; done\n\
             t1=$({source} -N -e 'SELECT UNIX_TIMESTAMP(NOW(6))')\n\
             echo \"$t0 $t1\" | awk '{{printf \"latency %.2f\\n\", $2 - $1}}'\n"
        ),
        Duration::from_secs(120),
    )
    .await?;
    let latency: f64 = latency
        .trim()
        .trim_start_matches("latency ")
        .parse()
        .with_context(|| format!("the latency pod printed {latency:?}"))?;
    figure("INSERT in the source → row in the target", latency, "s");

    // Rows inserted while the Connect pod is killed.
    let inserting = {
        let cluster = cluster.clone();
        let ns = ns.clone();
        let source = source.clone();
        tokio::spawn(async move {
            client::run_image(
                cluster.cp(),
                &ns,
                "insert",
                mariadb_image,
                &format!(
                    "set -e\ni=0\nwhile [ $i -lt {ROWS} ]; do i=$((i + 1)); {source} -e \"INSERT INTO users (user_id, pwd, name) VALUES ('u$i', 'p$i', 'name $i')\"; sleep 0.03; done\n"
                ),
                Duration::from_secs(180),
            )
            .await
        })
    };
    let pods: Api<Pod> = Api::namespaced(cp.client(), &ns);
    let insert_running = wait_for("the insert pod to run", Duration::from_secs(60), || async {
        let phase = pods
            .get_opt("insert")
            .await
            .ok()
            .flatten()
            .and_then(|p| p.status)
            .and_then(|s| s.phase);
        Ok((phase.as_deref() == Some("Running")).then_some(()))
    })
    .await;
    insert_running?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let workers = connect_pods(&pods).await?;
    let worker = workers
        .items
        .first()
        .and_then(|p| p.metadata.name.clone())
        .context("the Connect pod")?;
    pods.delete(&worker, &DeleteParams::default().grace_period(0)).await?;
    inserting.await??;

    // The target catches up with the source, row for row.
    let total = ROWS + 2;
    let rows = |host: &str, db: &str, table: &str| format!("{} -N -e '{}'", mariadb(host, db), ROWS_SQL.replace("{table}", table));
    let compared = client::run_image(
        cp,
        &ns,
        "compare",
        mariadb_image,
        &format!(
            "set -e\n\
             until [ \"$({target} -N -e 'SELECT COUNT(*) FROM my_topic_users' 2>/dev/null)\" -ge {total} ]; do sleep 0.2; done\n\
             echo SOURCE\n{}\necho TARGET\n{}\n",
            rows("mariadb-source", "shop", "users"),
            rows("mariadb-target", "reports", "my_topic_users")
        ),
        Duration::from_secs(180),
    )
    .await?;
    let (source_rows, target_rows) = compared
        .split_once("TARGET")
        .map(|(s, t)| (s.trim_start_matches("SOURCE").trim().to_string(), t.trim().to_string()))
        .context("the compare pod's output")?;
    ensure!(source_rows.lines().count() == total as usize, "source rows:\n{source_rows}");
    ensure!(
        source_rows == target_rows,
        "the target differs from the source after a Connect pod was killed:\nsource:\n{source_rows}\ntarget:\n{target_rows}"
    );

    // The one-partition Topic's events and status say "1 partition".
    let events: Api<k8s_openapi::api::core::v1::Event> = Api::namespaced(cp.client(), &ns);
    let notes: Vec<String> = events
        .list(&ListParams::default())
        .await?
        .items
        .into_iter()
        .filter(|e| e.involved_object.kind.as_deref() == Some("Topic"))
        .filter_map(|e| e.message)
        .collect();
    ensure!(
        notes.iter().any(|n| n.contains("1 partition")) && !notes.iter().any(|n| n.contains("1 partitions")),
        "the Topic's events: {notes:?}"
    );

    // An invalid Connector: Ready=False with the worker's reason; the worker pod keeps running.
    cp.apply_yaml(
        "apiVersion: kaskade.dev/v1alpha1\nkind: Connector\nmetadata:\n  name: broken\nspec:\n  cluster: pipeline\n  class: io.confluent.connect.jdbc.JdbcSinkConnector\n  config:\n    topics: my_topic_users\n",
        Some(&ns),
    )
    .await?;
    let broken = wait_for_condition(&connectors, "broken", "Ready", "False", Duration::from_secs(60)).await?;
    let reason = kaskade_e2e::condition(&broken.data, "Ready").map(|c| c["reason"].clone());
    ensure!(reason == Some("InvalidConfig".into()), "{}", broken.data["status"]);
    for name in ["users-source", "users-sink"] {
        wait_for_condition(&connectors, name, "Ready", "True", Duration::from_secs(60)).await?;
    }
    let workers = connect_pods(&pods).await?;
    for worker in &workers.items {
        let statuses = worker
            .status
            .as_ref()
            .and_then(|s| s.container_statuses.clone())
            .unwrap_or_default();
        ensure!(
            statuses.iter().all(|c| c.ready && c.restart_count == 0),
            "an invalid Connector disturbed the worker pod: {statuses:?}"
        );
    }

    // Memory under the story's load (the rows, the kill, the catch-up).
    cluster.report_memory("broker (pipeline)", &ns, "pipeline-broker-0").await?;
    let workers = connect_pods(&pods).await?;
    for worker in workers.items.into_iter().filter_map(|p| p.metadata.name) {
        cluster.report_memory("Connect worker (pipeline)", &ns, &worker).await?;
    }
    cluster.report_memory("MariaDB source", &ns, "mariadb-source-0").await?;
    cluster
        .report_memory("operator (after the pipeline)", OPERATOR_NS, &cluster.operator_pod().await?)
        .await?;
    Ok(())
}

/// The Connect worker pods of the example's cluster `pipeline`.
async fn connect_pods(pods: &Api<Pod>) -> anyhow::Result<kube::api::ObjectList<Pod>> {
    Ok(pods
        .list(&ListParams::default().labels("app.kubernetes.io/instance=pipeline,app.kubernetes.io/component=connect"))
        .await?)
}
