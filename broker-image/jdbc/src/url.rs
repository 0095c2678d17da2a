//! `connection.url` as users write it for Confluent's connector — `jdbc:mariadb://`,
//! `jdbc:mysql://`, `jdbc:postgresql://`, `jdbc:sqlite:` — or in sqlx's own forms (`mysql://`,
//! `mariadb://`, `postgres://`, `postgresql://`, `sqlite:`), parsed into one description of where
//! the database is. `connection.user` and `connection.password` win over credentials in the URL.

use std::collections::BTreeMap;

/// Which database speaks at the other end (Confluent's dialects we implement).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// MariaDB and MySQL (`MySqlDatabaseDialect`).
    MySql,
    /// PostgreSQL (`PostgreSqlDatabaseDialect`).
    Postgres,
    /// SQLite (`SqliteDatabaseDialect`).
    Sqlite,
}

impl Engine {
    /// Confluent's `dialect.name` for this engine.
    pub fn dialect_name(self) -> &'static str {
        match self {
            Engine::MySql => "MySqlDatabaseDialect",
            Engine::Postgres => "PostgreSqlDatabaseDialect",
            Engine::Sqlite => "SqliteDatabaseDialect",
        }
    }

    /// The engine of a `dialect.name` value.
    pub fn from_dialect_name(name: &str) -> Option<Engine> {
        [Engine::MySql, Engine::Postgres, Engine::Sqlite]
            .into_iter()
            .find(|e| e.dialect_name() == name.trim())
    }
}

/// A parsed `connection.url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbUrl {
    pub engine: Engine,
    /// Host for the network engines; empty for SQLite.
    pub host: String,
    pub port: u16,
    /// The database (catalog); for SQLite the file path (`:memory:` for an in-memory one).
    pub database: String,
    pub user: Option<String>,
    pub password: Option<String>,
    /// Query parameters other than `user` and `password` (kept for error messages).
    pub params: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UrlError(pub String);

impl DbUrl {
    pub fn parse(url: &str) -> Result<DbUrl, UrlError> {
        let url = url.trim();
        let rest = url.strip_prefix("jdbc:").unwrap_or(url);
        let (scheme, body) = rest
            .split_once(':')
            .ok_or_else(|| UrlError(format!("No suitable driver found for {url}")))?;
        let engine = match scheme.to_ascii_lowercase().as_str() {
            "mariadb" | "mysql" => Engine::MySql,
            "postgresql" | "postgres" => Engine::Postgres,
            "sqlite" => Engine::Sqlite,
            _ => return Err(UrlError(format!("No suitable driver found for {url}"))),
        };
        if engine == Engine::Sqlite {
            // jdbc:sqlite:/path, jdbc:sqlite::memory:, sqlite://path, sqlite:path?mode=...
            let path = body.strip_prefix("//").unwrap_or(body);
            let path = path.split_once('?').map_or(path, |(p, _)| p);
            if path.is_empty() {
                return Err(UrlError(format!("No database file in {url}")));
            }
            return Ok(DbUrl {
                engine,
                host: String::new(),
                port: 0,
                database: path.to_string(),
                user: None,
                password: None,
                params: BTreeMap::new(),
            });
        }
        let body = body
            .strip_prefix("//")
            .ok_or_else(|| UrlError(format!("Invalid connection.url {url}: expected {scheme}://host:port/database")))?;
        let (authority_path, query) = body.split_once('?').unwrap_or((body, ""));
        let (authority, path) = authority_path.split_once('/').unwrap_or((authority_path, ""));
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let default_port = if engine == Engine::MySql { 3306 } else { 5432 };
        // Only the first host of a failover list (`h1:p1,h2:p2`) is used.
        let hostport = hostport.split(',').next().unwrap_or("");
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || hostport.starts_with('[') => (
                h.trim_start_matches('[').trim_end_matches(']').to_string(),
                p.parse::<u16>()
                    .map_err(|_| UrlError(format!("Invalid port '{p}' in connection.url {url}")))?,
            ),
            _ => (hostport.trim_start_matches('[').trim_end_matches(']').to_string(), default_port),
        };
        let mut params = BTreeMap::new();
        for pair in query.split(['&', ';']).filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            params.insert(decode(k), decode(v));
        }
        let (mut user, mut password) = (None, None);
        if let Some(info) = userinfo {
            let (u, p) = info.split_once(':').map_or((info, None), |(u, p)| (u, Some(p)));
            user = Some(decode(u));
            password = p.map(decode);
        }
        if let Some(u) = params.remove("user") {
            user = Some(u);
        }
        if let Some(p) = params.remove("password") {
            password = Some(p);
        }
        Ok(DbUrl {
            engine,
            host: if host.is_empty() { "localhost".into() } else { host },
            port,
            database: decode(path.trim_end_matches('/')),
            user,
            password,
            params,
        })
    }

    /// The URL with its password hidden, for logs and errors.
    pub fn redacted(&self) -> String {
        match self.engine {
            Engine::Sqlite => format!("jdbc:sqlite:{}", self.database),
            e => format!(
                "jdbc:{}://{}:{}/{}",
                if e == Engine::MySql { "mariadb" } else { "postgresql" },
                self.host,
                self.port,
                self.database
            ),
        }
    }
}

/// Percent-decoding of URL parts (`%40` → `@`); bytes that do not decode stay as they are.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() && s.is_char_boundary(i + 3) {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jdbc_forms() {
        let u = DbUrl::parse("jdbc:mariadb://db1:3307/shop?user=app&password=s%40cret&useSSL=false").unwrap();
        assert_eq!(
            (u.engine, u.host.as_str(), u.port, u.database.as_str()),
            (Engine::MySql, "db1", 3307, "shop")
        );
        assert_eq!((u.user.as_deref(), u.password.as_deref()), (Some("app"), Some("s@cret")));
        assert_eq!(u.params.get("useSSL").map(String::as_str), Some("false"));
        let u = DbUrl::parse("jdbc:mysql://localhost/shop").unwrap();
        assert_eq!((u.engine, u.port), (Engine::MySql, 3306));
        let u = DbUrl::parse("jdbc:postgresql://127.0.0.1:5433/orders").unwrap();
        assert_eq!((u.engine, u.port, u.database.as_str()), (Engine::Postgres, 5433, "orders"));
        let u = DbUrl::parse("jdbc:sqlite:/tmp/a.db").unwrap();
        assert_eq!((u.engine, u.database.as_str()), (Engine::Sqlite, "/tmp/a.db"));
        let u = DbUrl::parse("jdbc:sqlite::memory:").unwrap();
        assert_eq!(u.database, ":memory:");
    }

    #[test]
    fn plain_forms() {
        let u = DbUrl::parse("mysql://root:pw@127.0.0.1:3306/db").unwrap();
        assert_eq!(
            (u.user.as_deref(), u.password.as_deref(), u.database.as_str()),
            (Some("root"), Some("pw"), "db")
        );
        let u = DbUrl::parse("postgres://u@h/d").unwrap();
        assert_eq!((u.engine, u.port, u.user.as_deref()), (Engine::Postgres, 5432, Some("u")));
        let u = DbUrl::parse("sqlite:data/x.db?mode=rwc").unwrap();
        assert_eq!(u.database, "data/x.db");
        let u = DbUrl::parse("sqlite:///abs/x.db").unwrap();
        assert_eq!(u.database, "/abs/x.db");
    }

    #[test]
    fn unknown_scheme_is_no_suitable_driver() {
        let e = DbUrl::parse("jdbc:oracle:thin:@h:1521:x").unwrap_err();
        assert!(e.0.starts_with("No suitable driver found for"), "{e}");
        assert!(DbUrl::parse("jdbc:mysql:h/db").is_err());
    }
}
