//! `kaskade quickstart`: the story on one machine, in one process — a broker on 9092, a Connect
//! worker on 8083, and (unless URLs are given) SQLite source and target databases in a
//! directory of its own. It creates `users`, registers the JDBC source and sink through the
//! REST API as a user would with curl (printing the commands), inserts a row every second and
//! shows what flows until Ctrl-C.

mod pipeline;
mod rest;
mod status;

pub use pipeline::{sink_config, source_config, users_ddl, SINK_NAME, SOURCE_NAME};

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use kaskade_jdbc::db::{ConnectSpec, Db, Decode, Param};
use kaskade_jdbc::url::DbUrl;
use rdkafka::consumer::{BaseConsumer, Consumer};
use tokio::signal::unix::{signal, SignalKind};

#[derive(Args, Debug)]
pub struct QuickstartArgs {
    /// The source database (default: SQLite `source.db` in the directory), e.g.
    /// `jdbc:mariadb://127.0.0.1:3306/shop?user=app&password=secret`.
    #[arg(long, value_name = "JDBC_URL")]
    source_url: Option<String>,
    /// The target database (default: SQLite `target.db` in the directory).
    #[arg(long, value_name = "JDBC_URL")]
    target_url: Option<String>,
    /// The broker's port.
    #[arg(long, default_value_t = 9092)]
    kafka_port: u16,
    /// The Connect worker's REST port.
    #[arg(long, default_value_t = 8083)]
    connect_port: u16,
    /// Where the broker's log and the SQLite files live (default: a new temporary directory,
    /// removed on exit).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Rows inserted into the source per second (0: none).
    #[arg(long, default_value_t = 1.0)]
    rate: f64,
}

/// Opens a database for the quickstart's own reads and writes (in UTC, three attempts).
async fn open(url: &str) -> anyhow::Result<Db> {
    let url = DbUrl::parse(url).map_err(|e| anyhow::anyhow!("{e}"))?;
    let session_offset = kaskade_jdbc::connection_config::session_zone(&Default::default(), url.engine);
    let spec = ConnectSpec {
        url,
        user: None,
        password: None,
        attempts: 3,
        backoff: Duration::from_secs(1),
        session_offset,
    };
    Db::connect(&spec).await.context("connecting to the database")
}

async fn count(db: &Db, table: &str) -> u64 {
    match db.fetch(&format!("SELECT COUNT(*) FROM {table}"), &[], &[Decode::Int]).await {
        Ok(rows) => rows.first().and_then(|r| r[0].as_i64()).unwrap_or(0).max(0) as u64,
        Err(_) => 0, // the target table is created by the sink when the first row arrives
    }
}

fn end_offset(consumer: &BaseConsumer) -> i64 {
    consumer
        .fetch_watermarks(pipeline::TOPIC, 0, Duration::from_secs(2))
        .map(|(_, high)| high)
        .unwrap_or(0)
}

pub async fn run(args: QuickstartArgs) -> anyhow::Result<()> {
    if !kaskade_connect::connectors::register(&kaskade_jdbc::plugins()) {
        anyhow::bail!("connector plugins were listed before the JDBC connectors were registered");
    }
    let (dir, temporary) = match &args.dir {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!("kaskade-quickstart-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let dir = dir.canonicalize().unwrap_or(dir);
    let source_url = args
        .source_url
        .clone()
        .unwrap_or_else(|| format!("jdbc:sqlite:{}", dir.join("source.db").display()));
    let target_url = args
        .target_url
        .clone()
        .unwrap_or_else(|| format!("jdbc:sqlite:{}", dir.join("target.db").display()));
    let bootstrap = format!("127.0.0.1:{}", args.kafka_port);
    let connect_url = format!("http://127.0.0.1:{}", args.connect_port);

    // The broker.
    let broker_config = kaskade_broker::BrokerConfig::load(
        None,
        &[
            format!("listeners=PLAINTEXT://{bootstrap}"),
            format!("log.dirs={}", dir.join("kafka").display()),
        ],
    )
    .context("the broker configuration")?;
    let broker = kaskade_broker::start(broker_config).await.context("starting the broker")?;

    // The Connect worker.
    let mut props = kaskade_common::properties::Props::new();
    for (k, v) in [
        ("bootstrap.servers", bootstrap.as_str()),
        ("group.id", "quickstart"),
        ("listeners", connect_url.as_str()),
        ("config.storage.topic", "connect-configs"),
        ("offset.storage.topic", "connect-offsets"),
        ("status.storage.topic", "connect-status"),
        ("config.storage.replication.factor", "1"),
        ("offset.storage.replication.factor", "1"),
        ("status.storage.replication.factor", "1"),
        ("offset.flush.interval.ms", "5000"),
        ("key.converter", "org.apache.kafka.connect.json.JsonConverter"),
        ("value.converter", "org.apache.kafka.connect.json.JsonConverter"),
    ] {
        props.insert(k.into(), v.into());
    }
    let worker_config = kaskade_connect::config::WorkerConfig::parse(&props).context("the worker configuration")?;
    let worker = kaskade_connect::start(worker_config).await.context("starting the Connect worker")?;

    // The source table.
    let source = open(&source_url).await?;
    let engine = source.engine();
    source
        .execute(users_ddl(engine), &[])
        .await
        .context("creating the users table in the source")?;
    let target = open(&target_url).await?;

    println!(
        "Kaskade quickstart: a broker, a Connect worker and the story's pipeline, in {}",
        dir.display()
    );
    println!("  broker          {bootstrap}");
    println!("  Connect REST    {connect_url}");
    println!("  source          {source_url}  (table users)");
    println!("  target          {target_url}  (table my_topic_users, created by the sink)");
    println!();
    println!("Registering the connectors through the REST API, as you would with curl:");
    for (name, config) in [(SOURCE_NAME, source_config(&source_url)), (SINK_NAME, sink_config(&target_url))] {
        println!("  $ {}", pipeline::curl(&connect_url, name, &config));
        let url = format!("{connect_url}/connectors/{name}/config");
        let (status, body) = rest::call("PUT", &url, Some(&config)).await?;
        if !(200..300).contains(&status) {
            anyhow::bail!("PUT {url} answered {status}: {body}");
        }
    }
    println!();
    println!("Watch it yourself:");
    println!("  $ kaskade console-consumer --bootstrap-server {bootstrap} --topic my_topic_users --from-beginning");
    println!("  $ curl -s {connect_url}/connectors/{SOURCE_NAME}/status");
    println!();
    println!(
        "Inserting a row into users every {:.1} s; Ctrl-C stops everything.",
        1.0 / args.rate.max(0.001)
    );
    let _ = std::io::stdout().flush();

    let consumer: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .set("group.id", "kaskade-quickstart-watch")
        .create()
        .context("creating the watching consumer")?;
    let consumer = std::sync::Arc::new(consumer);
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let tty = std::io::stdout().is_terminal();
    let started = Instant::now();
    let mut next_insert = Instant::now();
    let interval = if args.rate > 0.0 {
        Duration::from_secs_f64(1.0 / args.rate)
    } else {
        Duration::MAX
    };
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut last_print = Instant::now() - Duration::from_secs(10);
    loop {
        tokio::select! {
            _ = term.recv() => break,
            _ = int.recv() => break,
            _ = tick.tick() => {}
        }
        if args.rate > 0.0 && Instant::now() >= next_insert {
            next_insert += interval;
            let n = count(&source, "users").await + 1;
            let [user, pwd, name] = pipeline::row_values(n);
            if let Err(e) = source
                .execute(
                    pipeline::insert_sql(engine),
                    &[Param::Text(user), Param::Text(pwd), Param::Text(name)],
                )
                .await
            {
                eprintln!("inserting into users: {e}");
            }
        }
        if last_print.elapsed() < Duration::from_secs(1) {
            continue;
        }
        last_print = Instant::now();
        let c = consumer.clone();
        let end = tokio::task::spawn_blocking(move || end_offset(&c)).await.unwrap_or(0);
        let flow = status::Flow {
            source_rows: count(&source, "users").await,
            end_offset: end,
            target_rows: count(&target, pipeline::TOPIC).await,
        };
        let line = flow.line(started.elapsed().as_secs());
        if tty {
            print!("\r\x1b[K{line}");
        } else {
            println!("{line}");
        }
        let _ = std::io::stdout().flush();
    }
    if tty {
        println!();
    }
    println!("Stopping.");
    let _ = worker.stop().await;
    broker.shutdown().await.map_err(anyhow::Error::msg)?;
    source.close().await;
    target.close().await;
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
