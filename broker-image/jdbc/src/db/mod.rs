//! One handle on a database whatever its engine: a small sqlx pool (one connection for a task),
//! connected with Confluent's `connection.attempts` and `connection.backoff.ms`, and the few
//! operations the connectors need — run a query binding [`Param`]s and decode its rows into
//! [`Cell`]s by the [`Decode`] each column asks for, and run statements in one transaction.
//! The engines differ only in how a value is bound and decoded (`mysql.rs`, `postgres.rs`,
//! `sqlite.rs`); everything above this module is engine-neutral SQL text.

/// `fetch` and `transaction` for one engine's pool, written once: each engine's module brings
/// its own `bind` and `cell`.
macro_rules! queries {
    ($pool:ty) => {
        pub(super) async fn fetch(pool: &$pool, sql: &str, params: &[Param], decode: &[Decode]) -> Result<Vec<Vec<Cell>>, DbError> {
            let rows = bind(sqlx::query(sqlx::AssertSqlSafe(sql)), params).fetch_all(pool).await?;
            rows.iter()
                .map(|row| {
                    decode
                        .iter()
                        .enumerate()
                        .map(|(i, d)| {
                            cell(row, i, *d).map_err(|e| DbError::Decode {
                                column: i,
                                message: e.to_string(),
                            })
                        })
                        .collect()
                })
                .collect()
        }

        pub(super) async fn transaction(pool: &$pool, statements: &[(String, Vec<Param>)]) -> Result<Vec<u64>, DbError> {
            let mut tx = pool.begin().await?;
            let mut counts = Vec::with_capacity(statements.len());
            for (sql, params) in statements {
                counts.push(
                    bind(sqlx::query(sqlx::AssertSqlSafe(sql.as_str())), params)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected(),
                );
            }
            tx.commit().await?;
            Ok(counts)
        }
    };
}

mod mysql;
mod postgres;
mod sqlite;

use std::time::Duration;

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use sqlx::{MySqlPool, PgPool, SqlitePool};

use crate::url::{DbUrl, Engine};

/// A value bound to a `?`/`$n` placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// An untyped NULL (where the database infers the type).
    Null,
    /// A NULL of the type a column holds (PostgreSQL checks parameter types).
    TypedNull(Decode),
    Bool(bool),
    I64(i64),
    F32(f32),
    F64(f64),
    Text(String),
    Bytes(Vec<u8>),
    Decimal(BigDecimal),
    Date(NaiveDate),
    Time(NaiveTime),
    /// A wall-clock date and time (in `db.timezone`).
    DateTime(NaiveDateTime),
}

/// How a result column is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decode {
    Bool,
    /// Any signed integer up to 64 bits.
    Int,
    /// An unsigned integer (MySQL's `UNSIGNED` columns).
    UInt,
    Float,
    Decimal,
    Text,
    Bytes,
    Date,
    Time,
    /// A date and time without a zone (`DATETIME`, `timestamp`).
    DateTime,
    /// An instant (PostgreSQL's `timestamptz`).
    Instant,
}

/// A decoded column value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Decimal(BigDecimal),
    Text(String),
    Bytes(Vec<u8>),
    Date(NaiveDate),
    /// Time of day; MySQL's `TIME` beyond a day is kept as milliseconds (may be negative).
    Time(i64),
    DateTime(NaiveDateTime),
    Instant(DateTime<Utc>),
}

impl Cell {
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Cell::Int(i) => Some(*i),
            Cell::UInt(u) => i64::try_from(*u).ok(),
            Cell::Decimal(d) => d.to_string().parse().ok(),
            Cell::Text(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{0}")]
    Sql(#[from] sqlx::Error),
    #[error("column {column}: {message}")]
    Decode { column: usize, message: String },
}

impl DbError {
    /// True when retrying later may help (the connection broke, the server went away or is
    /// starting), false for errors in the statement or the data.
    pub fn is_transient(&self) -> bool {
        match self {
            DbError::Sql(e) => {
                matches!(
                    e,
                    sqlx::Error::Io(_)
                        | sqlx::Error::PoolTimedOut
                        | sqlx::Error::PoolClosed
                        | sqlx::Error::Protocol(_)
                        | sqlx::Error::Tls(_)
                ) || matches!(e, sqlx::Error::Database(d) if is_transient_code(d.code().as_deref()))
            }
            DbError::Decode { .. } => false,
        }
    }
}

/// SQLSTATEs that mean "the server cannot serve this right now".
fn is_transient_code(code: Option<&str>) -> bool {
    // Connection exceptions (08), the server shutting down or starting (57P), deadlocks and
    // serialization failures (40001, 40P01: a retry of the transaction succeeds).
    code.is_some_and(|c| c.starts_with("08") || c.starts_with("57P") || c == "40001" || c == "40P01")
}

/// The pool of one engine.
#[derive(Clone, Debug)]
pub enum Db {
    MySql(MySqlPool),
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// How to connect: the URL, credentials, and Confluent's retry settings.
#[derive(Debug, Clone)]
pub struct ConnectSpec {
    pub url: DbUrl,
    pub user: Option<String>,
    pub password: Option<String>,
    pub attempts: u32,
    pub backoff: Duration,
    /// The session time zone as an offset (`+00:00`), for `NOW()` and zoneless values.
    pub session_offset: String,
}

impl Db {
    pub fn engine(&self) -> Engine {
        match self {
            Db::MySql(_) => Engine::MySql,
            Db::Postgres(_) => Engine::Postgres,
            Db::Sqlite(_) => Engine::Sqlite,
        }
    }

    /// Connects, trying `attempts` times `backoff` apart; the last error is returned.
    pub async fn connect(spec: &ConnectSpec) -> Result<Db, DbError> {
        let attempts = spec.attempts.max(1);
        let mut last = None;
        for attempt in 1..=attempts {
            match Self::connect_once(spec).await {
                Ok(db) => return Ok(db),
                Err(e) => {
                    tracing::info!(
                        url = spec.url.redacted(),
                        "Unable to connect to database on attempt {attempt}/{attempts}. Will retry in {} ms. {e}",
                        spec.backoff.as_millis()
                    );
                    last = Some(e);
                }
            }
            if attempt < attempts {
                tokio::time::sleep(spec.backoff).await;
            }
        }
        Err(last.unwrap_or(DbError::Sql(sqlx::Error::PoolClosed)))
    }

    async fn connect_once(spec: &ConnectSpec) -> Result<Db, DbError> {
        fn pool<DB: sqlx::Database>() -> sqlx::pool::PoolOptions<DB> {
            sqlx::pool::PoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(30))
        }
        let user = spec.user.clone().or_else(|| spec.url.user.clone());
        let password = spec.password.clone().or_else(|| spec.url.password.clone());
        let u = &spec.url;
        Ok(match u.engine {
            Engine::MySql => {
                let mut o = sqlx::mysql::MySqlConnectOptions::new()
                    .host(&u.host)
                    .port(u.port)
                    .database(&u.database)
                    .timezone(Some(spec.session_offset.clone()))
                    .ssl_mode(sqlx::mysql::MySqlSslMode::Disabled);
                if let Some(user) = &user {
                    o = o.username(user);
                }
                if let Some(p) = &password {
                    o = o.password(p);
                }
                Db::MySql(pool().connect_with(o).await?)
            }
            Engine::Postgres => {
                let mut o = sqlx::postgres::PgConnectOptions::new_without_pgpass()
                    .host(&u.host)
                    .port(u.port)
                    .database(&u.database)
                    .ssl_mode(sqlx::postgres::PgSslMode::Disable)
                    .options([("TimeZone", spec.session_offset.as_str())]);
                if let Some(user) = &user {
                    o = o.username(user);
                }
                if let Some(p) = &password {
                    o = o.password(p);
                }
                Db::Postgres(pool().connect_with(o).await?)
            }
            Engine::Sqlite => {
                let o = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(&u.database)
                    .create_if_missing(true)
                    .busy_timeout(Duration::from_secs(30));
                Db::Sqlite(pool().connect_with(o).await?)
            }
        })
    }

    /// Runs `sql` and decodes every row, column `i` by `decode[i]` (columns beyond are skipped).
    pub async fn fetch(&self, sql: &str, params: &[Param], decode: &[Decode]) -> Result<Vec<Vec<Cell>>, DbError> {
        match self {
            Db::MySql(p) => mysql::fetch(p, sql, params, decode).await,
            Db::Postgres(p) => postgres::fetch(p, sql, params, decode).await,
            Db::Sqlite(p) => sqlite::fetch(p, sql, params, decode).await,
        }
    }

    /// Runs one statement; the number of rows it affected.
    pub async fn execute(&self, sql: &str, params: &[Param]) -> Result<u64, DbError> {
        Ok(self.transaction(&[(sql.to_string(), params.to_vec())]).await?[0])
    }

    /// Runs the statements in one transaction and commits it; rows affected by each.
    pub async fn transaction(&self, statements: &[(String, Vec<Param>)]) -> Result<Vec<u64>, DbError> {
        match self {
            Db::MySql(p) => mysql::transaction(p, statements).await,
            Db::Postgres(p) => postgres::transaction(p, statements).await,
            Db::Sqlite(p) => sqlite::transaction(p, statements).await,
        }
    }

    pub async fn close(&self) {
        match self {
            Db::MySql(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
            Db::Sqlite(p) => p.close().await,
        }
    }
}

/// Milliseconds of a time of day.
pub(crate) fn time_ms(t: NaiveTime) -> i64 {
    use chrono::Timelike;
    i64::from(t.num_seconds_from_midnight()) * 1000 + i64::from(t.nanosecond() / 1_000_000)
}
