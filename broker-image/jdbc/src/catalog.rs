//! What the database says about itself: its tables (`DatabaseMetaData.getTables` in Confluent's
//! connector) and a table's or a query's columns with their types, nullability, precision and
//! scale — read from `information_schema`, `pg_catalog` or SQLite's `pragma_table_info`, and for
//! a free-form `query` from the driver's description of its result.

use sqlx::{Executor, Statement, TypeInfo};

use crate::db::{Cell, Db, DbError, Decode, Param};
use crate::types::{jdbc_type, Column, JdbcType};
use crate::url::Engine;

/// A table's name with what qualifies it: the catalog (database) on MySQL and PostgreSQL and
/// the schema on PostgreSQL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TableId {
    pub catalog: Option<String>,
    pub schema: Option<String>,
    pub table: String,
}

impl TableId {
    /// Confluent's unquoted full name (`db.users` on MySQL, `public.users` on PostgreSQL,
    /// `users` on SQLite): the `table` of a source partition.
    pub fn full_name(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        parts.extend(self.catalog.as_deref());
        parts.extend(self.schema.as_deref());
        parts.push(&self.table);
        parts.join(".")
    }

    /// True when a `table.whitelist`-style entry names this table: the bare name, or qualified
    /// as `schema.table` or `catalog.schema.table` (or `catalog.table`).
    pub fn matches(&self, entry: &str) -> bool {
        let entry = entry.trim();
        entry == self.table
            || entry == self.full_name()
            || self.schema.as_ref().is_some_and(|s| entry == format!("{s}.{}", self.table))
            || self.catalog.as_ref().is_some_and(|c| entry == format!("{c}.{}", self.table))
    }
}

fn text(c: &Cell) -> String {
    match c {
        Cell::Text(s) => s.clone(),
        Cell::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Cell::Null => String::new(),
        c => c.as_i64().map(|i| i.to_string()).unwrap_or_default(),
    }
}

/// The tables of `types` (Confluent's `table.types`: `TABLE`, `VIEW`) the connection sees,
/// system tables left out, optionally restricted to a PostgreSQL schema.
pub async fn tables(db: &Db, types: &[String], schema_pattern: Option<&str>) -> Result<Vec<TableId>, DbError> {
    // The catalog's names for `table.types`' TABLE and VIEW, quoted for an IN list.
    let (table, view) = match db.engine() {
        Engine::Sqlite => ("'table'", "'view'"),
        _ => ("'BASE TABLE'", "'VIEW'"),
    };
    let wants = |t: &str| types.iter().any(|w| w.trim().eq_ignore_ascii_case(t));
    let kinds: Vec<&str> = [("TABLE", table), ("VIEW", view)]
        .into_iter()
        .filter(|(t, _)| wants(t))
        .map(|(_, k)| k)
        .collect();
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let rows = match db.engine() {
        Engine::MySql => {
            let sql = format!(
                "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN ({}) ORDER BY TABLE_NAME",
                kinds.join(",")
            );
            db.fetch(&sql, &[], &[Decode::Text, Decode::Text])
                .await?
                .into_iter()
                .map(|r| TableId {
                    catalog: Some(text(&r[0])),
                    schema: None,
                    table: text(&r[1]),
                })
                .collect()
        }
        Engine::Postgres => {
            let sql = format!(
                "SELECT table_catalog::text, table_schema::text, table_name::text FROM information_schema.tables \
                 WHERE table_type IN ({}) AND table_schema NOT IN ('pg_catalog', 'information_schema') \
                 AND table_schema NOT LIKE 'pg\\_%' AND ($1::text IS NULL OR table_schema LIKE $1) \
                 ORDER BY table_schema, table_name",
                kinds.join(",")
            );
            let pattern = schema_pattern.map(|s| Param::Text(s.to_string())).unwrap_or(Param::Null);
            db.fetch(&sql, &[pattern], &[Decode::Text, Decode::Text, Decode::Text])
                .await?
                .into_iter()
                // Confluent's PostgreSQL dialect drops the catalog: `public.users`.
                .map(|r| TableId {
                    catalog: None,
                    schema: Some(text(&r[1])),
                    table: text(&r[2]),
                })
                .collect()
        }
        Engine::Sqlite => {
            let sql = format!(
                "SELECT name FROM sqlite_master WHERE type IN ({}) AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
                kinds.join(",")
            );
            db.fetch(&sql, &[], &[Decode::Text])
                .await?
                .into_iter()
                .map(|r| TableId {
                    catalog: None,
                    schema: None,
                    table: text(&r[0]),
                })
                .collect()
        }
    };
    Ok(rows)
}

/// The columns of `table`, in order.
pub async fn columns(db: &Db, table: &TableId) -> Result<Vec<Column>, DbError> {
    let engine = db.engine();
    let rows: Vec<(String, String, bool, i64, i64, bool)> = match engine {
        Engine::MySql => db
            .fetch(
                "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, CAST(COALESCE(NUMERIC_PRECISION, 0) AS SIGNED), \
                 CAST(COALESCE(NUMERIC_SCALE, 0) AS SIGNED), EXTRA FROM information_schema.COLUMNS \
                 WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
                &[
                    table.catalog.clone().map(Param::Text).unwrap_or(Param::Null),
                    Param::Text(table.table.clone()),
                ],
                &[Decode::Text, Decode::Text, Decode::Text, Decode::Int, Decode::Int, Decode::Text],
            )
            .await?
            .into_iter()
            .map(|r| {
                (
                    text(&r[0]),
                    text(&r[1]),
                    text(&r[2]) == "YES",
                    r[3].as_i64().unwrap_or(0),
                    r[4].as_i64().unwrap_or(0),
                    text(&r[5]).contains("auto_increment"),
                )
            })
            .collect(),
        Engine::Postgres => db
            .fetch(
                "SELECT column_name::text, udt_name::text, is_nullable::text, COALESCE(numeric_precision, 0)::int8, \
                 COALESCE(numeric_scale, 0)::int8, COALESCE(column_default, '')::text, is_identity::text \
                 FROM information_schema.columns WHERE table_schema = COALESCE($1, current_schema()) AND table_name = $2 \
                 ORDER BY ordinal_position",
                &[
                    table.schema.clone().map(Param::Text).unwrap_or(Param::Null),
                    Param::Text(table.table.clone()),
                ],
                &[
                    Decode::Text,
                    Decode::Text,
                    Decode::Text,
                    Decode::Int,
                    Decode::Int,
                    Decode::Text,
                    Decode::Text,
                ],
            )
            .await?
            .into_iter()
            .map(|r| {
                (
                    text(&r[0]),
                    text(&r[1]),
                    text(&r[2]) == "YES",
                    r[3].as_i64().unwrap_or(0),
                    r[4].as_i64().unwrap_or(0),
                    text(&r[5]).starts_with("nextval(") || text(&r[6]) == "YES",
                )
            })
            .collect(),
        Engine::Sqlite => db
            .fetch(
                "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid",
                &[Param::Text(table.table.clone())],
                &[Decode::Text, Decode::Text, Decode::Int, Decode::Int],
            )
            .await?
            .into_iter()
            .map(|r| {
                let ty = text(&r[1]);
                // INTEGER PRIMARY KEY is the rowid: never null, assigned in order.
                let rowid = r[3].as_i64() == Some(1) && ty.trim().eq_ignore_ascii_case("integer");
                let (p, s) = declared_precision(&ty);
                (text(&r[0]), ty, r[2].as_i64() == Some(0) && !rowid, p, s, rowid)
            })
            .collect(),
    };
    Ok(rows
        .into_iter()
        .map(|(name, ty, nullable, precision, scale, auto_increment)| {
            let (jdbc, signed) = jdbc_type(engine, &ty);
            Column {
                name,
                type_name: ty.split('(').next().unwrap_or("").trim().to_uppercase(),
                jdbc,
                signed,
                precision: precision as i32,
                scale: scale as i32,
                nullable,
                auto_increment,
            }
        })
        .collect())
}

/// `DECIMAL(10,2)` → (10, 2); (0, 0) without arguments.
fn declared_precision(ty: &str) -> (i64, i64) {
    let Some((_, args)) = ty.split_once('(') else { return (0, 0) };
    let mut it = args.trim_end_matches(')').split(',').map(|a| a.trim().parse::<i64>().unwrap_or(0));
    (it.next().unwrap_or(0), it.next().unwrap_or(0))
}

/// The columns a free-form query returns, as the driver describes its prepared statement. A
/// column that comes straight from a table takes its type, nullability, precision and scale from
/// that table's catalog; any other is nullable.
pub async fn query_columns(db: &Db, sql: &str) -> Result<Vec<Column>, DbError> {
    let engine = db.engine();
    let described: Vec<Described> = match db {
        Db::MySql(p) => describe_rows(p.prepare(sqlx::SqlSafeStr::into_sql_str(sqlx::AssertSqlSafe(sql))).await?.columns()),
        Db::Postgres(p) => describe_rows(p.prepare(sqlx::SqlSafeStr::into_sql_str(sqlx::AssertSqlSafe(sql))).await?.columns()),
        Db::Sqlite(p) => describe_rows(p.prepare(sqlx::SqlSafeStr::into_sql_str(sqlx::AssertSqlSafe(sql))).await?.columns()),
    };
    let mut out = Vec::with_capacity(described.len());
    for Described { name, ty, origin } in described {
        let from_table = match &origin {
            Some((table, column)) => {
                let id = TableId {
                    catalog: None,
                    schema: None,
                    table: table.clone(),
                };
                columns(db, &id).await?.into_iter().find(|c| &c.name == column)
            }
            None => None,
        };
        out.push(match from_table {
            Some(mut c) => {
                c.name = name;
                c
            }
            None => {
                let (jdbc, signed) = jdbc_type(engine, &ty);
                // MySQL's driver says BOOLEAN for TINYINT(1).
                let jdbc = if engine == Engine::MySql && ty == "BOOLEAN" {
                    JdbcType::Bit
                } else {
                    jdbc
                };
                Column {
                    name,
                    type_name: ty.to_uppercase(),
                    jdbc,
                    signed,
                    precision: 0,
                    scale: 0,
                    nullable: true,
                    auto_increment: false,
                }
            }
        });
    }
    Ok(out)
}

/// A result column as a prepared statement describes it: name, type name, and the table
/// column it comes from when the driver knows.
struct Described {
    name: String,
    ty: String,
    origin: Option<(String, String)>,
}

fn describe_rows<C: sqlx::Column>(columns: &[C]) -> Vec<Described> {
    columns
        .iter()
        .map(|c| Described {
            name: c.name().to_string(),
            ty: c.type_info().name().to_string(),
            origin: match c.origin() {
                sqlx::ColumnOrigin::Table(t) => Some((t.table.to_string(), t.name.to_string())),
                _ => None,
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_names_and_matching() {
        let my = TableId {
            catalog: Some("shop".into()),
            schema: None,
            table: "users".into(),
        };
        assert_eq!(my.full_name(), "shop.users");
        assert!(my.matches("users") && my.matches("shop.users") && !my.matches("orders"));
        let pg = TableId {
            catalog: Some("shop".into()),
            schema: Some("public".into()),
            table: "users".into(),
        };
        assert_eq!(pg.full_name(), "shop.public.users");
        assert!(pg.matches("public.users") && pg.matches("shop.public.users"));
        assert_eq!(declared_precision("DECIMAL(10, 2)"), (10, 2));
    }
}
