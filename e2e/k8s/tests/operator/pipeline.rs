//! The story as manifests: `examples/pipeline/` applied to a real API server as a user would, with
//! a real broker, a real `kaskade connect` worker and a real MariaDB started by the test outside
//! the API server (it runs no pods). Three substitutions stand in for the cluster's network: the
//! connectors' `mariadb-source:3306`/`mariadb-target:3306` become the test's databases, and the
//! Secret's mount path `/mnt/secrets/db` the worker's directory holding the same
//! `connect.properties`; the operator reaches the broker and the worker through its overrides.
//! Rows inserted into `shop.users` must appear in the target's auto-created `my_topic_users`, and
//! the time from applying the Connectors to the first row in the target is printed.

use std::time::{Duration, Instant};

use anyhow::{ensure, Context as _};
use kaskade_e2e::{wait_for, workspace, ControlPlane};
use kaskade_operator::crd::{Connector, Topic};
use kaskade_testkit::connect_proc::ConnectProc;
use kaskade_testkit::databases::{DbServer, Engine};
use kube::Api;
use serde::Deserialize as _;

use crate::common::{install_chart, make_cluster_ready, Broker, Operator};

const WAIT: Duration = Duration::from_secs(90);

fn example(file: &str) -> anyhow::Result<String> {
    let path = workspace::root().join("examples/pipeline").join(file);
    std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
}

/// The `users.sql` of the source's init ConfigMap in `02-mariadb.yaml`.
fn init_sql() -> anyhow::Result<String> {
    for doc in serde_yaml::Deserializer::from_str(&example("02-mariadb.yaml")?) {
        let value = serde_yaml::Value::deserialize(doc)?;
        if let Some(sql) = value.get("data").and_then(|d| d.get("users.sql")).and_then(|s| s.as_str()) {
            return Ok(sql.to_string());
        }
    }
    anyhow::bail!("02-mariadb.yaml has no ConfigMap with users.sql")
}

/// Runs blocking database work off the test's runtime.
async fn db<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    Ok(tokio::task::spawn_blocking(f).await?)
}

#[tokio::test]
async fn the_pipeline_example_moves_rows_between_databases() {
    crate::common::run_scenario(scenario).await;
}

async fn scenario(cp: &ControlPlane) -> anyhow::Result<()> {
    install_chart(cp).await?;
    let ns = cp.unique_namespace("pipeline").await?;
    let broker = Broker::start(cp).await?;
    let (source, target) = db(|| {
        let server = DbServer::shared(Engine::MariaDb);
        (server.create_database(), server.create_database())
    })
    .await?;
    let sql = init_sql()?;
    let source = db(move || {
        source.execute(&sql);
        source
    })
    .await?;

    // The worker, with the file config provider and the Secret's connect.properties in its directory.
    let bootstrap = broker.address.clone();
    let (user, password) = (source.user().to_string(), source.password().to_string());
    let worker = db(move || {
        let w = ConnectProc::start(
            &bootstrap,
            "pipeline-connect",
            &[
                "config.providers=file",
                "config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider",
            ],
        );
        w.write_file("connect.properties", &format!("user={user}\npassword={password}\n"));
        w
    })
    .await?;
    let op = Operator::start(
        cp,
        &[
            "--bootstrap-override".into(),
            format!("{ns}/pipeline={}", broker.address),
            "--connect-override".into(),
            format!("{ns}/pipeline={}", worker.url()),
        ],
    )
    .await?;

    for file in ["01-secrets.yaml", "02-mariadb.yaml", "03-kafkacluster.yaml", "04-topics.yaml"] {
        cp.apply_yaml(&example(file)?, Some(&ns)).await?;
    }
    // No pods run here: the test reports the cluster's StatefulSet and Deployment ready.
    make_cluster_ready(cp, &ns, "pipeline").await?;
    let topics: Api<Topic> = Api::namespaced(cp.client(), &ns);
    wait_for("Topic my-topic-users Ready", WAIT, || async {
        let t = topics
            .get("my-topic-users")
            .await
            .map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))?;
        let ok = t
            .status
            .as_ref()
            .is_some_and(|s| s.conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        Ok(ok.then_some(()))
    })
    .await?;

    let connectors_yaml = example("05-connectors.yaml")?
        .replace("jdbc:mariadb://mariadb-source:3306/shop", &source.jdbc_url())
        .replace("jdbc:mariadb://mariadb-target:3306/reports", &target.jdbc_url())
        .replace("/mnt/secrets/db", &worker.dir().display().to_string());
    ensure!(
        !connectors_yaml.contains("mariadb-source"),
        "a substitution missed:\n{connectors_yaml}"
    );
    let applied = Instant::now();
    cp.apply_yaml(&connectors_yaml, Some(&ns)).await?;
    let connectors: Api<Connector> = Api::namespaced(cp.client(), &ns);
    for name in ["users-source", "users-sink"] {
        wait_for(&format!("{name} Ready"), WAIT, || async {
            let c = connectors.get(name).await.map_err(|e| kaskade_e2e::Error::Invalid(e.to_string()))?;
            let ready = c.status.as_ref().and_then(|s| s.conditions.iter().find(|c| c.type_ == "Ready"));
            Ok(ready.is_some_and(|r| r.status == "True").then_some(()))
        })
        .await
        .with_context(|| format!("{name}: worker log:\n{}", worker.log()))?;
    }
    // The init SQL's row arrives first; then two more inserted now.
    let target = db(move || {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if target.try_execute("SELECT 1 FROM my_topic_users LIMIT 1").is_ok() && target.count("my_topic_users") >= 1 {
                return Ok(target);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(target)
    })
    .await?
    .map_err(|_| anyhow::anyhow!("no row reached the target within {WAIT:?}; worker log:\n{}", worker.log()))?;
    let first_row = applied.elapsed();
    eprintln!(
        "pipeline: kubectl apply of the Connectors → first row in the target: {:.1} s",
        first_row.as_secs_f64()
    );
    let source = db(move || {
        source.execute(
            "INSERT INTO users (user_id, pwd, name) VALUES ('user2', 'user2222', 'User2 name'), ('user3', 'user3333', 'User3 name')",
        );
        source
    })
    .await?;
    let (source, target) = db(move || {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline && target.count("my_topic_users") < 3 {
            std::thread::sleep(Duration::from_millis(100));
        }
        (source, target)
    })
    .await?;
    let (want, got) = db(move || {
        // created_at is compared by the JDBC tests (types); here the rows themselves.
        let select = "SELECT id, user_id, pwd, name FROM ";
        (
            source.query_strings(&format!("{select}users ORDER BY id")),
            target.query_strings(&format!("{select}my_topic_users ORDER BY id")),
        )
    })
    .await?;
    ensure!(want.len() == 3 && got == want, "source rows {want:?}\ntarget rows {got:?}");

    let mut process = op.process;
    ensure!(process.exited().is_none(), "the operator exited:\n{}", process.log_tail(40));
    drop(worker);
    drop(broker);
    Ok(())
}
