//! The test kit's databases work: shared MariaDB and PostgreSQL servers take a database, a table
//! and rows and drop the database again; a dedicated server keeps its data across a stop and a
//! SIGKILL. Needs e2e/peers/install.sh (mariadb-server, postgresql).

use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kaskade_testkit::databases::{DbServer, Engine};

fn some(v: &[&str]) -> Vec<Option<String>> {
    v.iter().map(|s| Some(s.to_string())).collect()
}

/// The query that lists database `name` if it exists.
fn database_named(engine: Engine, name: &str) -> String {
    match engine {
        Engine::MariaDb => format!("SELECT schema_name FROM information_schema.schemata WHERE schema_name = '{name}'"),
        _ => format!("SELECT datname FROM pg_database WHERE datname = '{name}'"),
    }
}

fn roundtrip(engine: Engine) {
    let t0 = Instant::now();
    let server = DbServer::shared(engine);
    eprintln!("{engine:?}: shared server on port {} in {:?}", server.port(), t0.elapsed());
    assert!(std::ptr::eq(server, DbServer::shared(engine)), "one shared server per engine");
    let db = server.create_database();
    let other = server.create_database();
    assert_ne!(db.name(), other.name());
    assert!(db.name().starts_with("kaskade_t_"), "{}", db.name());
    assert_eq!((db.user(), db.password()), ("kaskade", "kaskade"));
    let (scheme, jdbc) = match engine {
        Engine::MariaDb => ("mysql://kaskade:kaskade@127.0.0.1:", "jdbc:mariadb://127.0.0.1:"),
        _ => ("postgres://kaskade:kaskade@127.0.0.1:", "jdbc:postgresql://127.0.0.1:"),
    };
    assert_eq!(db.url(), format!("{scheme}{}/{}", server.port(), db.name()));
    assert_eq!(db.jdbc_url(), format!("{jdbc}{}/{}", server.port(), db.name()));
    assert!(server.admin_url().starts_with(&format!("{scheme}{}", server.port())));

    let bytes = match engine {
        Engine::MariaDb => "BLOB",
        _ => "BYTEA",
    };
    db.execute(&format!(
        "CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(50), balance DECIMAL(8,2), score DOUBLE PRECISION, \
         born DATE, raw {bytes})"
    ));
    // Several statements in one call.
    db.execute(
        "INSERT INTO users VALUES (1, 'ada', 12.50, 0.5, '1815-12-10', NULL); \
         INSERT INTO users (id, name) VALUES (2, NULL)",
    );
    let raw = match engine {
        Engine::MariaDb => "X'00FF'",
        _ => "'\\x00ff'::bytea",
    };
    db.execute(&format!("UPDATE users SET raw = {raw} WHERE id = 1"));
    let rows = db.query_strings("SELECT id, name, balance, score, born, raw FROM users ORDER BY id");
    let raw_text = match engine {
        Engine::MariaDb => "00ff", // not UTF-8: hex
        _ => "\\x00ff",            // PostgreSQL's own text form
    };
    assert_eq!(
        rows,
        vec![
            some(&["1", "ada", "12.50", "0.5", "1815-12-10", raw_text]),
            vec![Some("2".into()), None, None, None, None, None],
        ]
    );
    assert_eq!(db.count("users"), 2);
    assert_eq!(db.count("no_such_table"), 0);
    assert!(db.try_execute("SELECT * FROM no_such_table").is_err());
    // The other database does not see this one's table.
    assert!(other.try_execute("SELECT * FROM users").is_err());

    // What the connectors' tests and benchmarks rely on.
    match engine {
        Engine::MariaDb => {
            assert_eq!(
                db.query_strings("SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@server_id, @@local_infile"),
                vec![some(&["1", "ROW", "FULL", "1", "1"])]
            );
            // Readable with the PROCESS privilege only.
            db.query_strings("SELECT COUNT(*) FROM information_schema.innodb_trx");
        }
        _ => {
            assert_eq!(
                db.query_strings("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"),
                vec![some(&["t"])]
            );
            assert_eq!(db.query_strings("SHOW max_connections"), vec![some(&["200"])]);
        }
    }

    // Dropping the TestDb drops the database, even while a client holds a transaction open in it
    // (which would make MariaDB's DROP DATABASE wait for its metadata lock).
    let probe = server.create_database();
    assert_eq!(probe.query_strings(&database_named(engine, db.name())), vec![some(&[db.name()])]);
    let name = db.name().to_string();
    let mut client = match engine {
        Engine::MariaDb => Command::new("mariadb")
            .args(["--no-defaults", "--protocol=tcp", "-h127.0.0.1", "-ukaskade", "-pkaskade"])
            .arg(format!("-P{}", server.port()))
            .arg(&name)
            .args(["-e", "BEGIN; SELECT COUNT(*) FROM users; SELECT SLEEP(60)"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run mariadb"),
        _ => Command::new("psql")
            .env("PGPASSWORD", "kaskade")
            .args(["-h", "127.0.0.1", "-U", "kaskade", "-p"])
            .arg(server.port().to_string())
            .arg(&name)
            .args(["-c", "BEGIN", "-c", "SELECT COUNT(*) FROM users", "-c", "SELECT pg_sleep(60)"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run psql"),
    };
    let sleeping = match engine {
        Engine::MariaDb => format!("SELECT id FROM information_schema.processlist WHERE db = '{name}' AND info LIKE 'SELECT SLEEP%'"),
        _ => format!("SELECT pid FROM pg_stat_activity WHERE datname = '{name}' AND query LIKE 'SELECT pg_sleep%'"),
    };
    kaskade_testkit::wait_for(Duration::from_secs(10), || {
        (!probe.query_strings(&sleeping).is_empty()).then_some(())
    })
    .expect("the client's session");
    let t = Instant::now();
    drop(db);
    assert!(t.elapsed() < Duration::from_secs(5), "dropping took {:?}", t.elapsed());
    let _ = client.kill();
    let _ = client.wait();
    let gone = probe.query_strings(&database_named(engine, &name));
    assert!(gone.is_empty(), "{name} still there: {gone:?}");
}

#[test]
fn shared_mariadb_roundtrip() {
    roundtrip(Engine::MariaDb);
}

#[test]
fn shared_postgres_roundtrip() {
    roundtrip(Engine::Postgres);
}

fn dedicated_keeps_data(engine: Engine) {
    let t0 = Instant::now();
    let mut server = DbServer::dedicated(engine);
    eprintln!("{engine:?}: dedicated server on port {} in {:?}", server.port(), t0.elapsed());
    let dir = server.dir().to_path_buf();
    let port = server.port();
    let db = server.create_database();
    db.execute("CREATE TABLE t (id INT PRIMARY KEY)");
    db.execute("INSERT INTO t VALUES (1)");

    let t = Instant::now();
    server.stop();
    eprintln!("{engine:?}: stopped in {:?}", t.elapsed());
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "stopped, yet port {port} answers");
    assert!(db.try_execute("INSERT INTO t VALUES (2)").is_err());
    let t = Instant::now();
    server.start();
    eprintln!("{engine:?}: restarted in {:?}", t.elapsed());
    assert_eq!(server.port(), port);
    db.execute("INSERT INTO t VALUES (2)");

    server.kill();
    let t = Instant::now();
    server.start();
    eprintln!("{engine:?}: restarted after SIGKILL in {:?}", t.elapsed());
    assert_eq!(db.query_strings("SELECT id FROM t ORDER BY id"), vec![some(&["1"]), some(&["2"])]);

    drop(db);
    drop(server);
    assert!(!dir.exists(), "{} left behind", dir.display());
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "dropped, yet port {port} answers");
}

#[test]
fn dedicated_mariadb_keeps_data_across_stop_and_kill() {
    dedicated_keeps_data(Engine::MariaDb);
}

#[test]
fn dedicated_postgres_keeps_data_across_stop_and_kill() {
    dedicated_keeps_data(Engine::Postgres);
}
