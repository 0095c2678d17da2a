//! Apache Kafka 4.4 as a pod, the peer the node tier measures Kaskade's broker pod beside: the
//! host's Java 17 (Debian's OpenJDK: `bin/java`, `lib/`, `conf/`) and Kafka's jars from the peer
//! cache (`e2e/peers/kafka/fetch.sh`), with busybox for a start script that formats the storage
//! on first start (KRaft, one combined broker and controller, as `e2e/peers/kafka/start.sh`
//! does) and runs `kafka.Kafka` with the JVM settings of Kafka's own `kafka-server-start.sh`.
//! Tests and benchmarks only.

use std::path::{Path, PathBuf};

use super::archive::{ImageFile, ImageSpec};
use super::rootfs;
use crate::error::{Error, Result};
use crate::workspace;

/// The reference the node tier gives it.
pub const KAFKA: &str = "kaskade.dev/apache-kafka:e2e";
/// Where the JDK lives in the image (and in the host, unless `JAVA_HOME` names another).
const JAVA_HOME: &str = "/usr/lib/jvm/java-17-openjdk-amd64";

/// The host's JDK: `JAVA_HOME` when it has `bin/java` (a CI runner's Temurin), else Debian's.
fn host_java_home() -> PathBuf {
    std::env::var_os("JAVA_HOME")
        .map(PathBuf::from)
        .filter(|home| home.join("bin/java").is_file())
        .unwrap_or_else(|| PathBuf::from(JAVA_HOME))
}

const START: &str = r#"#!/bin/sh
# Apache Kafka, one combined KRaft node, advertised at the pod's DNS name under its headless
# Service (KAFKA_ADVERTISED_HOST, set from the downward API by the StatefulSet).
set -eu
data=/var/lib/kafka/data
cat >/tmp/server.properties <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:9093
listeners=PLAINTEXT://:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=PLAINTEXT://${KAFKA_ADVERTISED_HOST}:9092,CONTROLLER://127.0.0.1:9093
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
auto.create.topics.enable=false
PROPS
log4j="-Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties -Dkafka.logs.dir=/tmp"
if [ ! -f "$data/meta.properties" ]; then
  java -Xmx256M $log4j -cp '/opt/kafka/libs/*' kafka.tools.StorageTool \
    format --standalone -t MkU3OEVBNTcwNTJENDM2Qg -c /tmp/server.properties
fi
exec java -Xmx1G -Xms1G -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
  -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 \
  -Djava.awt.headless=true $log4j -cp '/opt/kafka/libs/*' kafka.Kafka /tmp/server.properties
"#;

/// The image spec: the JDK, Kafka's jars in `kafka_libs`, busybox and the start script.
pub fn spec(kafka_libs: &Path) -> Result<ImageSpec> {
    let home = host_java_home();
    let java = home.join("bin/java");
    if !java.is_file() {
        return Err(Error::Unavailable(format!(
            "{} is missing (apt-get install openjdk-17-jdk-headless)",
            java.display()
        )));
    }
    if !kafka_libs.is_dir() {
        return Err(Error::Unavailable(format!(
            "{} is missing (e2e/peers/kafka/fetch.sh fetches Apache Kafka's jars)",
            kafka_libs.display()
        )));
    }
    let in_image = |host: &Path| -> String {
        let relative = host.strip_prefix(&home).unwrap_or(host);
        format!("{JAVA_HOME}/{}", relative.display())
    };
    let mut files = rootfs::base_files();
    files.push(ImageFile::host(in_image(&java), &java, 0o755));
    // The system libraries java and libjvm need; what the JDK carries in lib/ is copied with it
    // below.
    for binary in [java.clone(), home.join("lib/server/libjvm.so")] {
        for file in rootfs::binary_with_libraries(&binary, &in_image(&binary))?.into_iter().skip(1) {
            let inside_jdk = file.path.starts_with(&*home.to_string_lossy()) || file.path.starts_with(JAVA_HOME);
            if !inside_jdk && !files.iter().any(|f| f.path == file.path) {
                files.push(file);
            }
        }
    }
    for dir in ["lib", "conf"] {
        for file in super::mariadb::tree(&home.join(dir).to_string_lossy())? {
            let super::archive::FileContent::Host(source) = &file.content else {
                continue;
            };
            let path = in_image(source);
            let skip = path.ends_with("/ct.sym") || path.ends_with("/src.zip");
            if !skip && !files.iter().any(|f| f.path == path) {
                let mode = if path.ends_with(".so") { 0o755 } else { 0o644 };
                files.push(ImageFile { path, mode, ..file });
            }
        }
    }
    for jar in std::fs::read_dir(kafka_libs).map_err(|e| Error::Io {
        context: format!("reading {}", kafka_libs.display()),
        source: e,
    })? {
        let jar = jar.map_err(|e| Error::Io {
            context: format!("reading {}", kafka_libs.display()),
            source: e,
        })?;
        let name = jar.file_name().to_string_lossy().into_owned();
        files.push(ImageFile::host(format!("/opt/kafka/libs/{name}"), jar.path(), 0o644));
    }
    files.push(ImageFile::host(
        "/opt/kafka/config/log4j2.properties",
        workspace::root().join("e2e/peers/kafka/log4j2.properties"),
        0o644,
    ));
    files.extend(super::busybox_files()?);
    files.push(ImageFile::bytes("/usr/local/bin/kafka-start.sh", START, 0o755));
    files.push(ImageFile::dir("/var/lib/kafka", 0o777));
    Ok(ImageSpec {
        reference: KAFKA.into(),
        files,
        user: "65532:65532".into(),
        entrypoint: vec!["/usr/local/bin/kafka-start.sh".into()],
        cmd: Vec::new(),
        exposed_ports: vec![9092],
        env: vec![
            format!("PATH=/usr/local/bin:{JAVA_HOME}/bin:/bin"),
            format!("JAVA_HOME={JAVA_HOME}"),
        ],
    })
}

/// Kafka's jars in the peer cache (`$KASKADE_CACHE/kafka-4.4.0/libs`).
pub fn default_libs() -> PathBuf {
    let cache = std::env::var_os("KASKADE_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/kaskade")))
        .unwrap_or_default();
    cache.join("kafka-4.4.0/libs")
}
