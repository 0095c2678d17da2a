//! The SQL text each engine needs, built as strings: identifier quoting (`quote.sql.identifiers`),
//! placeholders, the source's incremental queries, the clock and open-transaction probes that
//! make those queries lose nothing, and (for the sink) DDL and upserts live in `sink::sql`.
//! Pure: no I/O, so every statement is unit-tested as text.

use crate::url::Engine;

/// Quoting and placeholders for one engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    pub engine: Engine,
    /// `quote.sql.identifiers=always`.
    pub quote: bool,
}

impl Dialect {
    pub fn new(engine: Engine, quote: bool) -> Dialect {
        Dialect { engine, quote }
    }

    /// An identifier, quoted when asked (`` `users` `` on MySQL, `"users"` elsewhere).
    pub fn ident(&self, name: &str) -> String {
        if !self.quote {
            return name.to_string();
        }
        match self.engine {
            Engine::MySql => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// A qualified name: each part quoted, joined by dots.
    pub fn qualified(&self, parts: &[&str]) -> String {
        parts.iter().map(|p| self.ident(p)).collect::<Vec<_>>().join(".")
    }

    /// The placeholder of the `n`th parameter (1-based).
    pub fn placeholder(&self, n: usize) -> String {
        match self.engine {
            Engine::Postgres => format!("${n}"),
            _ => "?".into(),
        }
    }

    /// A timestamp column (or COALESCE of several), given as rendered column references, as
    /// compared with bound date-times. SQLite keeps date-times as text in several formats: both
    /// sides are normalised to one.
    pub fn timestamp_expr(&self, cols: &[String]) -> String {
        let e = if cols.len() == 1 {
            cols[0].clone()
        } else {
            format!("COALESCE({})", cols.join(", "))
        };
        match self.engine {
            Engine::Sqlite => format!("strftime('%Y-%m-%d %H:%M:%f', {e})"),
            _ => e,
        }
    }

    /// The database's current wall-clock time in the session's zone (`db.timezone`).
    pub fn current_time_sql(&self) -> &'static str {
        match self.engine {
            Engine::MySql => "SELECT CURRENT_TIMESTAMP(6)",
            Engine::Postgres => "SELECT LOCALTIMESTAMP",
            Engine::Sqlite => "SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')",
        }
    }

    /// When the oldest transaction still open (other than ours) began, in the session's zone:
    /// no row it writes can carry an earlier `NOW()`. `None` for SQLite (one writer at a time,
    /// its rows visible at once).
    pub fn oldest_transaction_sql(&self) -> Option<&'static str> {
        match self.engine {
            // MySQL's NOW() is the time its statement began: only transactions that wrote rows
            // or are running a statement can still commit a row stamped earlier than now. And
            // only of sessions still connected: MariaDB goes on listing transactions of clients
            // that went away without closing their connection.
            Engine::MySql => Some(
                "SELECT MIN(t.trx_started) FROM information_schema.innodb_trx t \
                 JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id \
                 WHERE t.trx_mysql_thread_id <> CONNECTION_ID() AND (t.trx_rows_modified > 0 OR t.trx_query IS NOT NULL)",
            ),
            Engine::Postgres => Some(
                "SELECT (MIN(xact_start) AT TIME ZONE current_setting('TimeZone')) FROM pg_stat_activity \
                 WHERE pid <> pg_backend_pid() AND xact_start IS NOT NULL AND backend_type = 'client backend'",
            ),
            Engine::Sqlite => None,
        }
    }

    /// How old the lists of open transactions may be: InnoDB serves `innodb_trx` from a cache
    /// refreshed at most every 100 ms, so a transaction younger than that may be missing from it
    /// (with a margin). PostgreSQL's `pg_stat_activity` is current.
    pub fn transaction_list_staleness(&self) -> std::time::Duration {
        match self.engine {
            Engine::MySql => std::time::Duration::from_millis(250),
            _ => std::time::Duration::ZERO,
        }
    }

    /// The transactions open now, each as one stable text key: a key that is gone later means
    /// that transaction ended (committed or rolled back).
    pub fn open_transactions_sql(&self) -> Option<&'static str> {
        match self.engine {
            Engine::MySql => Some(
                "SELECT CONCAT(t.trx_mysql_thread_id, ':', t.trx_started) FROM information_schema.innodb_trx t \
                 JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id \
                 WHERE t.trx_mysql_thread_id <> CONNECTION_ID()",
            ),
            Engine::Postgres => Some(
                "SELECT pid::text || ':' || xact_start::text FROM pg_stat_activity \
                 WHERE pid <> pg_backend_pid() AND xact_start IS NOT NULL AND backend_type = 'client backend'",
            ),
            Engine::Sqlite => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let my = Dialect::new(Engine::MySql, true);
        assert_eq!(my.qualified(&["db", "us`ers"]), "`db`.`us``ers`");
        let pg = Dialect::new(Engine::Postgres, true);
        assert_eq!(pg.ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(pg.placeholder(3), "$3");
        assert_eq!(Dialect::new(Engine::Postgres, false).ident("users"), "users");
        let lite = Dialect::new(Engine::Sqlite, true);
        assert_eq!(
            lite.timestamp_expr(&[lite.ident("a"), lite.ident("b")]),
            "strftime('%Y-%m-%d %H:%M:%f', COALESCE(\"a\", \"b\"))"
        );
    }
}
