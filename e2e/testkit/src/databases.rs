//! Real MariaDB and PostgreSQL servers for tests, started by `e2e/peers/mariadb/start.sh` and
//! `e2e/peers/postgres/start.sh` on free loopback ports with data directories of their own (no
//! system service), and uniquely named databases in them that are dropped afterwards.
//!
//! Why: the JDBC connectors must be tested against the databases users run, not only SQLite:
//! their dialects (types, upserts, DDL), transactions and locks, a server that goes away and
//! comes back. A server of our own per test binary (not Debian's service on 3306/5432) makes the
//! tests independent of the machine's setup and of each other: parallel test binaries each get
//! their own servers, and every test its own database on them.
//!
//! - [`DbServer::shared`]: one server per engine per test binary, started on first use (~1–2 s)
//!   and stopped by a detached watchdog when the test process exits (normally, by panic or
//!   killed), as `kafka_peer` does; tests share it, each with its own databases.
//! - [`DbServer::dedicated`]: a server a test owns, to stop, restart on the same port and data,
//!   or SIGKILL; dropped, it is stopped and its directory removed (and a watchdog does the same
//!   if the test process dies first).
//! - [`TestDb`]: a database created for one test, with synchronous helpers to run SQL from plain
//!   `#[test]` functions (each call makes a current-thread tokio runtime and one connection);
//!   dropped, the database is dropped (its sessions ended first; errors ignored, the server may be
//!   gone).
//!
//! Cleanup, in short: databases by `TestDb`'s `Drop`; dedicated servers by `DbServer`'s `Drop`;
//! any server, and its directory under `$TMPDIR`, by its watchdog once the test process is gone.
//! The servers' directories (`kaskade-mariadb.*`, `kaskade-postgres.*` in `$TMPDIR`) hold their
//! logs (`error.log`, `postgres.log`) while they run.

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use sqlx::{Row, ValueRef};

use crate::{alive, repo_root};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    MariaDb,
    Postgres,
    /// An SQLite file ([`TestDb::sqlite`]): no server.
    Sqlite,
}

impl Engine {
    fn peer(self) -> &'static str {
        match self {
            Engine::MariaDb => "mariadb",
            Engine::Postgres => "postgres",
            Engine::Sqlite => "sqlite (no server)",
        }
    }
}

pub const USER: &str = "kaskade";
pub const PASSWORD: &str = "kaskade";

/// A running database server.
pub struct DbServer {
    engine: Engine,
    port: u16,
    dir: String,
    pid: u32,
    owned: bool,
}

static SHARED_MARIADB: OnceLock<DbServer> = OnceLock::new();
static SHARED_POSTGRES: OnceLock<DbServer> = OnceLock::new();

fn run_script(engine: Engine, args: &[&str]) -> (u16, String, u32) {
    let script = repo_root().join("e2e/peers").join(engine.peer()).join("start.sh");
    let out = Command::new(&script)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", script.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let field = |key: &str| stdout.lines().find_map(|l| l.strip_prefix(key)).map(str::to_string);
    match (field("PORT="), field("DIR="), field("PID=")) {
        (Some(port), Some(dir), Some(pid)) if out.status.success() => (port.parse().expect("port"), dir, pid.parse().expect("pid")),
        _ => panic!(
            "{} did not start:\n{stdout}\n{}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

impl DbServer {
    /// The server of `engine` every test of this binary shares.
    pub fn shared(engine: Engine) -> &'static DbServer {
        let cell = match engine {
            Engine::MariaDb => &SHARED_MARIADB,
            Engine::Postgres => &SHARED_POSTGRES,
            Engine::Sqlite => panic!("SQLite has no server: use TestDb::sqlite"),
        };
        cell.get_or_init(|| {
            let (port, dir, pid) = run_script(engine, &[]);
            spawn_watchdog(engine, &dir);
            DbServer {
                engine,
                port,
                dir,
                pid,
                owned: false,
            }
        })
    }

    /// A server of `engine` for one test alone.
    pub fn dedicated(engine: Engine) -> DbServer {
        let (port, dir, pid) = run_script(engine, &[]);
        spawn_watchdog(engine, &dir);
        DbServer {
            engine,
            port,
            dir,
            pid,
            owned: true,
        }
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's directory: `data/`, its configuration and logs (`error.log` for MariaDB,
    /// `postgres.log` for PostgreSQL), `pid`, `port`.
    pub fn dir(&self) -> &std::path::Path {
        std::path::Path::new(&self.dir)
    }

    /// sqlx URL of the server's administrative database.
    pub fn admin_url(&self) -> String {
        match self.engine {
            Engine::MariaDb => format!("mysql://{USER}:{PASSWORD}@127.0.0.1:{}", self.port),
            Engine::Postgres => format!("postgres://{USER}:{PASSWORD}@127.0.0.1:{}/postgres", self.port),
            Engine::Sqlite => String::new(),
        }
    }

    /// Stops the server and waits until it is gone (`stop.sh`: MariaDB SIGTERM, PostgreSQL
    /// SIGINT, its "fast" shutdown; both end open sessions; SIGKILL after 30 s); its data stays.
    pub fn stop(&mut self) {
        let stop = repo_root().join("e2e/peers").join(self.engine.peer()).join("stop.sh");
        let _ = Command::new(stop)
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    /// Starts a stopped (or killed) server again on its port and data.
    pub fn start(&mut self) {
        let (_, _, pid) = run_script(self.engine, &["--restart", "--dir", &self.dir]);
        self.pid = pid;
    }

    /// SIGKILL, returning once the process is gone; [`DbServer::start`] brings it back (after
    /// a crash recovery).
    pub fn kill(&mut self) {
        crate::send_signal(self.pid as i32, 9);
        if crate::wait_for(Duration::from_secs(10), || (!alive(self.pid)).then_some(())).is_none() {
            panic!("{} (pid {}) still alive 10 s after SIGKILL", self.engine.peer(), self.pid);
        }
    }

    /// A new database named `kaskade_t_<pid>_<counter>_<clock>`, unique on the server even
    /// when several test binaries share it.
    pub fn create_database(&self) -> TestDb {
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "kaskade_t_{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed),
            nanos % 100_000
        );
        block_on(execute_on(&self.admin_url(), &format!("CREATE DATABASE {name}")))
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        TestDb {
            engine: self.engine,
            port: self.port,
            name,
            admin_url: self.admin_url(),
        }
    }
}

impl Drop for DbServer {
    fn drop(&mut self) {
        if self.owned {
            self.stop();
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A database created for a test.
pub struct TestDb {
    engine: Engine,
    port: u16,
    /// The database's name; for SQLite the file's path.
    name: String,
    admin_url: String,
}

impl TestDb {
    /// An SQLite database in the file `path` (created on first use).
    pub fn sqlite(path: &std::path::Path) -> TestDb {
        TestDb {
            engine: Engine::Sqlite,
            port: 0,
            name: path.to_str().expect("utf-8 path").to_string(),
            admin_url: String::new(),
        }
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// sqlx URL of this database.
    pub fn url(&self) -> String {
        match self.engine {
            Engine::MariaDb => format!("mysql://{USER}:{PASSWORD}@127.0.0.1:{}/{}", self.port, self.name),
            Engine::Postgres => format!("postgres://{USER}:{PASSWORD}@127.0.0.1:{}/{}", self.port, self.name),
            Engine::Sqlite => format!("sqlite://{}?mode=rwc", self.name),
        }
    }

    /// The JDBC URL a connector config names it by (credentials in `connection.user` and
    /// `connection.password`).
    pub fn jdbc_url(&self) -> String {
        match self.engine {
            Engine::MariaDb => format!("jdbc:mariadb://127.0.0.1:{}/{}", self.port, self.name),
            Engine::Postgres => format!("jdbc:postgresql://127.0.0.1:{}/{}", self.port, self.name),
            Engine::Sqlite => format!("jdbc:sqlite:{}", self.name),
        }
    }

    pub fn user(&self) -> &str {
        USER
    }

    pub fn password(&self) -> &str {
        PASSWORD
    }

    /// Runs `sql` (one or more `;`-separated statements, sent unprepared) on a new connection to
    /// this database; panics on an error.
    #[track_caller]
    pub fn execute(&self, sql: &str) {
        if let Err(e) = block_on(execute_on(&self.url(), sql)) {
            panic!("{sql}: {e}");
        }
    }

    /// Runs a statement, returning the error instead of panicking.
    pub fn try_execute(&self, sql: &str) -> Result<(), String> {
        block_on(execute_on(&self.url(), sql))
    }

    /// The rows of a query, every value as text, `None` for NULL. The query runs unprepared
    /// (MariaDB's text protocol, PostgreSQL's simple query), so each value is the text the server
    /// prints for it: `42`, `2.50` (a `DECIMAL(5,2)`), `2024-01-02 03:04:05`; PostgreSQL prints
    /// booleans as `t`/`f` and `bytea` as `\x00ff`. What is not UTF-8 text (a MariaDB `BLOB` of
    /// arbitrary bytes) is decoded as `i64`, then `f64`, then as bytes in lower-case hex.
    #[track_caller]
    pub fn query_strings(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        block_on(query_on(&self.url(), sql)).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// `SELECT COUNT(*) FROM table`, 0 when the table does not exist.
    pub fn count(&self, table: &str) -> u64 {
        block_on(query_on(&self.url(), &format!("SELECT COUNT(*) FROM {table}")))
            .ok()
            .and_then(|r| r.first().and_then(|r| r[0].clone()))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if self.engine == Engine::MariaDb {
            // DROP DATABASE waits for the metadata locks of open transactions: end the sessions
            // on this database first (PostgreSQL's WITH (FORCE) does it itself).
            let _ = block_on(end_mariadb_sessions(&self.admin_url, &self.name));
        }
        let sql = match self.engine {
            Engine::MariaDb => format!("DROP DATABASE IF EXISTS {}", self.name),
            Engine::Postgres => format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            Engine::Sqlite => {
                let _ = std::fs::remove_file(&self.name);
                return;
            }
        };
        let _ = block_on(execute_on(&self.admin_url, &sql));
    }
}

/// Starts a detached process that waits for this test process to exit, then stops the server in
/// `dir` and removes `dir` (a no-op when `Drop` did so already).
fn spawn_watchdog(engine: Engine, dir: &str) {
    let stop = repo_root().join("e2e/peers").join(engine.peer()).join("stop.sh");
    let script = "while kill -0 \"$1\" 2>/dev/null; do sleep 0.5; done; STOP_TIMEOUT=10 \"$2\" \"$3\"; \
                  case \"$3\" in */kaskade-mariadb.*|*/kaskade-postgres.*) rm -rf \"$3\" ;; esac";
    #[allow(clippy::zombie_processes)] // it must outlive this process: never waited for
    let _watchdog = Command::new("setsid")
        .args(["sh", "-c", script, "db-watchdog"])
        .arg(std::process::id().to_string())
        .arg(stop)
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the database watchdog");
}

/// Kills MariaDB's connections to database `name` (not the one asking).
async fn end_mariadb_sessions(admin_url: &str, name: &str) -> Result<(), String> {
    let ids = query_on(
        admin_url,
        &format!("SELECT id FROM information_schema.processlist WHERE db = '{name}' AND id <> CONNECTION_ID()"),
    )
    .await?;
    for id in ids.into_iter().filter_map(|row| row.into_iter().next().flatten()) {
        let _ = execute_on(admin_url, &format!("KILL {id}")).await;
    }
    Ok(())
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(f)
}

async fn execute_on(url: &str, sql: &str) -> Result<(), String> {
    use sqlx::Connection;
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    if url.starts_with("mysql:") {
        let mut c = sqlx::MySqlConnection::connect(url).await.map_err(|e| e.to_string())?;
        sqlx::raw_sql(sql).execute(&mut c).await.map_err(|e| e.to_string())?;
        let _ = c.close().await;
    } else if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.map_err(|e| e.to_string())?;
        sqlx::raw_sql(sql).execute(&mut c).await.map_err(|e| e.to_string())?;
        let _ = c.close().await;
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.map_err(|e| e.to_string())?;
        sqlx::raw_sql(sql).execute(&mut c).await.map_err(|e| e.to_string())?;
        let _ = c.close().await;
    }
    Ok(())
}

fn text_of<R: Row>(row: &R, i: usize) -> Option<String>
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database>,
    for<'r> f64: sqlx::Decode<'r, R::Database>,
    for<'r> Vec<u8>: sqlx::Decode<'r, R::Database>,
{
    let raw = row.try_get_raw(i).ok()?;
    if raw.is_null() {
        return None;
    }
    if let Ok(s) = row.try_get_unchecked::<String, _>(i) {
        return Some(s);
    }
    if let Ok(v) = row.try_get_unchecked::<i64, _>(i) {
        return Some(v.to_string());
    }
    if let Ok(v) = row.try_get_unchecked::<f64, _>(i) {
        return Some(v.to_string());
    }
    row.try_get_unchecked::<Vec<u8>, _>(i)
        .ok()
        .map(|b| b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Rows as text (see [`TestDb::query_strings`]): `raw_sql` runs the query unprepared, so every
/// value arrives in the server's text format.
async fn query_on(url: &str, sql: &str) -> Result<Vec<Vec<Option<String>>>, String> {
    use futures_util::StreamExt as _;
    use sqlx::Connection;
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    let mut out = Vec::new();
    if url.starts_with("mysql:") {
        let mut c = sqlx::MySqlConnection::connect(url).await.map_err(|e| e.to_string())?;
        let mut rows = sqlx::raw_sql(sql).fetch(&mut c);
        while let Some(row) = rows.next().await {
            let row = row.map_err(|e| e.to_string())?;
            out.push((0..row.columns().len()).map(|i| text_of(&row, i)).collect());
        }
    } else if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.map_err(|e| e.to_string())?;
        let mut rows = sqlx::raw_sql(sql).fetch(&mut c);
        while let Some(row) = rows.next().await {
            let row = row.map_err(|e| e.to_string())?;
            out.push((0..row.columns().len()).map(|i| text_of(&row, i)).collect());
        }
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.map_err(|e| e.to_string())?;
        let mut rows = sqlx::raw_sql(sql).fetch(&mut c);
        while let Some(row) = rows.next().await {
            let row = row.map_err(|e| e.to_string())?;
            out.push((0..row.columns().len()).map(|i| text_of(&row, i)).collect());
        }
    }
    Ok(out)
}
