//! The admin API through real clients against the real `kaskade broker`: the Java `Admin`
//! client, librdkafka's AdminClient (`rdkafka`), kafka-python's `KafkaAdminClient`, and Kafka's
//! own `kafka-configs`, `kafka-topics --alter` and `kafka-delete-records` tools. Each checks what
//! a user would notice: the partition count, config values and sources, records gone, errors;
//! and that config changes act at once and everything survives a restart.

use std::process::{Command, Stdio};
use std::time::Duration;

use kaskade_testkit::tools::kafka_tool;
use kaskade_testkit::{cache, repo_root, BrokerProc};
use rdkafka::admin::{AdminClient, AdminOptions, AlterConfig, NewPartitions, ResourceSpecifier};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};

/// Runs a check program; asserts it exits 0 with a final `OK … failed=0` line.
fn run_checks(client: &str, mut cmd: Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {client}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        out.status.success() && last.starts_with("OK ") && last.contains("failed=0"),
        "{client} failed ({}):\n{stdout}\n--- stderr ---\n{stderr}",
        out.status
    );
    eprintln!("{client}: {last}");
}

/// Runs a Kafka tool through `e2e/peers/kafka/tool.sh`: (success, stdout + stderr).
fn tool(name: &str, args: &[&str]) -> (bool, String) {
    let out = kafka_tool(name, args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn admin(bootstrap: &str) -> AdminClient<DefaultClientContext> {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("admin client")
}

fn producer(bootstrap: &str) -> FutureProducer {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("message.timeout.ms", "10000")
        .create()
        .expect("producer")
}

async fn produce(p: &FutureProducer, topic: &str, partition: i32, n: usize, size: usize) -> Result<(), KafkaError> {
    for i in 0..n {
        let value = vec![b'a' + (i % 26) as u8; size];
        p.send(
            FutureRecord::<(), _>::to(topic).partition(partition).payload(&value),
            Duration::from_secs(10),
        )
        .await
        .map_err(|(e, _)| e)?;
    }
    Ok(())
}

/// Offsets a consumer assigned to partition 0 from the beginning reads.
fn offsets_from_beginning(bootstrap: &str, topic: &str, expect: usize) -> Vec<i64> {
    let c = kaskade_testkit::clients::assigned_consumer(bootstrap, topic, 1, &[]);
    let mut out = Vec::new();
    let _ = kaskade_testkit::wait_for(Duration::from_secs(15), || {
        if let Some(Ok(m)) = c.poll(Duration::from_millis(200)) {
            out.push(m.offset());
        }
        (out.len() >= expect).then_some(())
    });
    out
}

/// A topic config as librdkafka's DescribeConfigs reports it: (value, source).
async fn topic_config(a: &AdminClient<DefaultClientContext>, topic: &str, key: &str) -> (Option<String>, String) {
    let r = a
        .describe_configs(&[ResourceSpecifier::Topic(topic)], &AdminOptions::new())
        .await
        .expect("describe_configs");
    let res = r.into_iter().next().expect("one result").expect("described");
    let e = res.get(key).unwrap_or_else(|| panic!("{key} described"));
    (e.value.clone(), format!("{:?}", e.source))
}

fn partitions(bootstrap: &str, topic: &str) -> usize {
    let c: BaseConsumer = ClientConfig::new().set("bootstrap.servers", bootstrap).create().expect("consumer");
    let md = c.fetch_metadata(Some(topic), Duration::from_secs(10)).expect("metadata");
    md.topics()[0].partitions().len()
}

#[test]
fn java_admin_client() {
    let b = BrokerProc::start(&[]);
    let libs = cache().join("kafka-4.4.0/libs");
    assert!(libs.exists(), "{} is missing: run e2e/peers/install.sh", libs.display());
    let mut cmd = Command::new("java");
    cmd.arg("-cp")
        .arg(format!("{}/*", libs.display()))
        .arg(repo_root().join("e2e/interop/java/AdminOps.java"))
        .args(["--bootstrap", &b.bootstrap(), "--topic", "admin-java"]);
    run_checks("java Admin", cmd);
}

#[test]
fn kafka_python_admin_client() {
    let b = BrokerProc::start(&[]);
    let python = cache().join("venv/bin/python");
    assert!(python.exists(), "{} is missing: run e2e/peers/install.sh", python.display());
    let mut cmd = Command::new(python);
    cmd.arg(repo_root().join("e2e/interop/python/admin_kafka_python.py"))
        .args(["--bootstrap", &b.bootstrap(), "--topic", "admin-python"]);
    run_checks("kafka-python KafkaAdminClient", cmd);
}

#[tokio::test]
async fn rdkafka_admin_client() {
    let b = BrokerProc::start(&[]);
    let bs = b.bootstrap();
    let a = admin(&bs);
    let opts = AdminOptions::new();
    kaskade_testkit::clients::create_topic(&bs, "admin-rd", 2, &[]).await;

    // CreatePartitions.
    let r = a
        .create_partitions(&[NewPartitions::new("admin-rd", 3)], &opts)
        .await
        .expect("create_partitions");
    assert!(r[0].is_ok(), "{r:?}");
    assert_eq!(partitions(&bs, "admin-rd"), 3);
    let r = a
        .create_partitions(&[NewPartitions::new("admin-rd", 1)], &opts)
        .await
        .expect("create_partitions");
    assert!(matches!(&r[0], Err((_, RDKafkaErrorCode::InvalidPartitions))), "{r:?}");

    // AlterConfigs (librdkafka's is the whole-set form) and DescribeConfigs.
    let alter = AlterConfig::new(ResourceSpecifier::Topic("admin-rd")).set("retention.ms", "3600000");
    let r = a.alter_configs(&[alter], &opts).await.expect("alter_configs");
    assert!(r[0].is_ok(), "{r:?}");
    assert_eq!(
        topic_config(&a, "admin-rd", "retention.ms").await,
        (Some("3600000".into()), "DynamicTopic".into())
    );
    let bad = AlterConfig::new(ResourceSpecifier::Topic("admin-rd")).set("no.such.config", "1");
    // The rdkafka wrapper drops per-resource AlterConfigs errors (it answers Ok for every
    // resource); what a user sees is that nothing changed.
    a.alter_configs(&[bad], &opts).await.expect("alter_configs");
    assert_eq!(
        topic_config(&a, "admin-rd", "retention.ms").await,
        (Some("3600000".into()), "DynamicTopic".into()),
        "an invalid AlterConfigs changes nothing"
    );
    let broker = AlterConfig::new(ResourceSpecifier::Broker(1)).set("log.retention.bytes", "123456789");
    let r = a.alter_configs(&[broker], &opts).await.expect("alter_configs");
    assert!(r[0].is_ok(), "{r:?}");
    assert_eq!(
        topic_config(&a, "admin-rd", "retention.bytes").await,
        (Some("123456789".into()), "DynamicBroker".into())
    );

    // DeleteRecords: records below the offset are gone for consumers.
    let p = producer(&bs);
    produce(&p, "admin-rd", 0, 10, 10).await.expect("produce");
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset("admin-rd", 0, Offset::Offset(6)).expect("tpl");
    let r = a.delete_records(&tpl, &opts).await.expect("delete_records");
    let e = r.elements_for_topic("admin-rd");
    assert_eq!(e[0].offset(), Offset::Offset(6), "the low watermark: {r:?}");
    assert_eq!(offsets_from_beginning(&bs, "admin-rd", 4), vec![6, 7, 8, 9]);
    let mut beyond = TopicPartitionList::new();
    beyond.add_partition_offset("admin-rd", 0, Offset::Offset(99)).expect("tpl");
    let r = a.delete_records(&beyond, &opts).await;
    let failed = match &r {
        Err(_) => true,
        Ok(l) => l.elements_for_topic("admin-rd")[0].error().is_err(),
    };
    assert!(failed, "beyond the high watermark: {r:?}");
}

/// Config changes act on the open logs at once, with no restart: a topic's max.message.bytes,
/// then the cluster-wide message.max.bytes for a topic without an override.
#[tokio::test]
async fn config_changes_take_effect_without_a_restart() {
    let b = BrokerProc::start(&[]);
    let bs = b.bootstrap();
    let a = admin(&bs);
    let opts = AdminOptions::new();
    kaskade_testkit::clients::create_topic(&bs, "admin-live", 1, &[]).await;
    let p = producer(&bs);
    produce(&p, "admin-live", 0, 1, 2000).await.expect("2000 bytes fit by default");
    let alter = AlterConfig::new(ResourceSpecifier::Topic("admin-live")).set("max.message.bytes", "1000");
    assert!(a.alter_configs(&[alter], &opts).await.expect("alter")[0].is_ok());
    let err = produce(&p, "admin-live", 0, 1, 2000).await.expect_err("too large now");
    assert_eq!(err.rdkafka_error_code(), Some(RDKafkaErrorCode::MessageSizeTooLarge), "{err}");
    let reset = AlterConfig::new(ResourceSpecifier::Topic("admin-live"));
    assert!(a.alter_configs(&[reset], &opts).await.expect("alter")[0].is_ok());
    produce(&p, "admin-live", 0, 1, 2000).await.expect("fits again");

    let (ok, out) = tool(
        "kafka-configs",
        &[
            "--bootstrap-server",
            &bs,
            "--entity-type",
            "brokers",
            "--entity-default",
            "--alter",
            "--add-config",
            "message.max.bytes=1000",
        ],
    );
    assert!(ok, "{out}");
    let err = produce(&p, "admin-live", 0, 1, 2000)
        .await
        .expect_err("too large for the cluster default");
    assert_eq!(err.rdkafka_error_code(), Some(RDKafkaErrorCode::MessageSizeTooLarge), "{err}");
    assert_eq!(
        topic_config(&a, "admin-live", "max.message.bytes").await,
        (Some("1000".into()), "DynamicDefaultBroker".into())
    );
}

#[test]
fn kafka_configs_and_topics_tools() {
    let b = BrokerProc::start(&[]);
    let bs = b.bootstrap();
    let (ok, out) = tool(
        "kafka-topics",
        &["--bootstrap-server", &bs, "--create", "--topic", "admin-tools", "--partitions", "1"],
    );
    assert!(ok, "{out}");
    let topic = ["--bootstrap-server", &bs, "--entity-type", "topics", "--entity-name", "admin-tools"];
    fn cat<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<&'a str> {
        [a, b].concat()
    }
    let with = |extra: &[&'static str]| cat(&topic, extra);

    let (ok, out) = tool(
        "kafka-configs",
        &with(&["--alter", "--add-config", "retention.ms=3600000,cleanup.policy=[delete,compact]"]),
    );
    assert!(ok && out.contains("Completed updating config for topic admin-tools."), "{out}");
    let (ok, out) = tool("kafka-configs", &with(&["--describe"]));
    assert!(ok, "{out}");
    assert!(out.contains("Dynamic configs for topic admin-tools are:"), "{out}");
    assert!(
        out.contains("retention.ms=3600000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=3600000}"),
        "{out}"
    );
    assert!(out.contains("cleanup.policy=delete,compact"), "{out}");
    let (ok, out) = tool("kafka-configs", &with(&["--alter", "--delete-config", "retention.ms"]));
    assert!(ok, "{out}");
    let (_, out) = tool("kafka-configs", &with(&["--describe"]));
    assert!(!out.contains("retention.ms="), "{out}");
    let (ok, out) = tool("kafka-configs", &with(&["--alter", "--add-config", "no.such.config=1"]));
    assert!(!ok && out.contains("Unknown topic config name: no.such.config"), "{out}");
    let (ok, out) = tool("kafka-configs", &with(&["--describe", "--all"]));
    assert!(
        ok && out.contains("segment.bytes=1073741824 sensitive=false synonyms={DEFAULT_CONFIG:log.segment.bytes=1073741824}"),
        "{out}"
    );

    // The cluster-wide default and this broker.
    let default = ["--bootstrap-server", &bs, "--entity-type", "brokers", "--entity-default"];
    let (ok, out) = tool(
        "kafka-configs",
        &[&default[..], &["--alter", "--add-config", "log.retention.ms=7200000"]].concat(),
    );
    assert!(ok, "{out}");
    let (ok, out) = tool("kafka-configs", &[&default[..], &["--describe"]].concat());
    assert!(
        ok && out.contains("log.retention.ms=7200000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=7200000}"),
        "{out}"
    );
    let (ok, out) = tool(
        "kafka-configs",
        &[&default[..], &["--alter", "--add-config", "log.dirs=/x"]].concat(),
    );
    assert!(!ok && out.contains("Cannot update these configs dynamically: [log.dirs]"), "{out}");
    let (ok, out) = tool("kafka-configs", &with(&["--describe", "--all"]));
    assert!(
        ok && out.contains("retention.ms=7200000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=7200000}"),
        "{out}"
    );
    let (ok, out) = tool(
        "kafka-configs",
        &[
            "--bootstrap-server",
            &bs,
            "--entity-type",
            "brokers",
            "--entity-name",
            "1",
            "--describe",
            "--all",
        ],
    );
    assert!(
        ok && out.contains("log.retention.ms=7200000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=7200000}"),
        "{out}"
    );

    // kafka-topics --alter --partitions.
    let (ok, out) = tool(
        "kafka-topics",
        &["--bootstrap-server", &bs, "--alter", "--topic", "admin-tools", "--partitions", "3"],
    );
    assert!(ok, "{out}");
    let (_, out) = tool("kafka-topics", &["--bootstrap-server", &bs, "--describe", "--topic", "admin-tools"]);
    assert!(out.contains("PartitionCount: 3"), "{out}");
    let (ok, out) = tool(
        "kafka-topics",
        &["--bootstrap-server", &bs, "--alter", "--topic", "admin-tools", "--partitions", "2"],
    );
    assert!(
        !ok && out.contains("The topic admin-tools currently has 3 partition(s); 2 would not be an increase."),
        "{out}"
    );

    // kafka-delete-records.
    let json = b.dir.join("delete.json");
    std::fs::write(
        &json,
        r#"{"partitions":[{"topic":"admin-tools","partition":1,"offset":0}],"version":1}"#,
    )
    .expect("json");
    let (ok, out) = tool(
        "kafka-delete-records",
        &["--bootstrap-server", &bs, "--offset-json-file", &json.display().to_string()],
    );
    assert!(ok && out.contains("partition: admin-tools-1\tlow_watermark: 0"), "{out}");
}

/// Partition counts, configs, dynamic broker configs and the log start offset after
/// DeleteRecords survive a clean restart and a SIGKILL.
#[tokio::test]
async fn admin_changes_survive_restarts() {
    let mut b = BrokerProc::start(&[]);
    let bs = b.bootstrap();
    let opts = AdminOptions::new();
    {
        let a = admin(&bs);
        kaskade_testkit::clients::create_topic(&bs, "admin-durable", 1, &[]).await;
        let r = a
            .create_partitions(&[NewPartitions::new("admin-durable", 2)], &opts)
            .await
            .expect("create_partitions");
        assert!(r[0].is_ok(), "{r:?}");
        let t = AlterConfig::new(ResourceSpecifier::Topic("admin-durable")).set("retention.ms", "3600000");
        let n = AlterConfig::new(ResourceSpecifier::Broker(1)).set("log.segment.bytes", "2000000");
        for r in a.alter_configs(&[t, n], &opts).await.expect("alter_configs") {
            assert!(r.is_ok(), "{r:?}");
        }
        produce(&producer(&bs), "admin-durable", 0, 10, 10).await.expect("produce");
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset("admin-durable", 0, Offset::Offset(7)).expect("tpl");
        a.delete_records(&tpl, &opts).await.expect("delete_records");
    }
    for how in ["SIGTERM", "SIGKILL"] {
        if how == "SIGTERM" {
            assert!(b.terminate().success());
        } else {
            b.kill9();
        }
        b.spawn();
        let a = admin(&bs);
        assert_eq!(partitions(&bs, "admin-durable"), 2, "after {how}");
        assert_eq!(
            topic_config(&a, "admin-durable", "retention.ms").await,
            (Some("3600000".into()), "DynamicTopic".into()),
            "after {how}"
        );
        assert_eq!(
            topic_config(&a, "admin-durable", "segment.bytes").await,
            (Some("2000000".into()), "DynamicBroker".into()),
            "after {how}"
        );
        assert_eq!(offsets_from_beginning(&bs, "admin-durable", 3), vec![7, 8, 9], "after {how}");
    }
}
