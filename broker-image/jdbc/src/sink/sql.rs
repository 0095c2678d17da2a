//! The sink's SQL per engine, as text: column types for `auto.create` and `auto.evolve`
//! (Confluent's per-dialect `getSqlType`, except that a string key gets `VARCHAR(256)` on MySQL,
//! where `TEXT` cannot be a key), `CREATE TABLE`, `ALTER TABLE … ADD`, and the multi-row
//! `INSERT`, upsert (`ON DUPLICATE KEY UPDATE`, `ON CONFLICT … DO UPDATE`), `UPDATE` and
//! `DELETE` statements. Pure and unit-tested.

use kaskade_connect::data::{Logical, Schema, Type};

use super::config::InsertMode;
use super::fields::SinkField;
use crate::dialect::Dialect;
use crate::url::Engine;

/// The most parameters one statement may carry on each engine.
pub fn max_params(engine: Engine) -> usize {
    match engine {
        Engine::MySql => 65_535,
        Engine::Postgres => 65_535,
        Engine::Sqlite => 32_766,
    }
}

/// The column type of a field.
pub fn sql_type(engine: Engine, schema: &Schema, is_key: bool) -> String {
    let t = match (engine, Logical::of(schema)) {
        (Engine::MySql, Some(Logical::Decimal { scale })) => return format!("DECIMAL(65,{scale})"),
        (Engine::MySql, Some(Logical::Date)) => "DATE",
        (Engine::MySql, Some(Logical::Time)) => "TIME(3)",
        (Engine::MySql, Some(Logical::Timestamp)) => "DATETIME(3)",
        (Engine::Postgres, Some(Logical::Decimal { .. })) => "DECIMAL",
        (Engine::Postgres, Some(Logical::Date)) => "DATE",
        (Engine::Postgres, Some(Logical::Time)) => "TIME",
        (Engine::Postgres, Some(Logical::Timestamp)) => "TIMESTAMP",
        (Engine::Sqlite, Some(Logical::Decimal { .. })) => "NUMERIC",
        (Engine::Sqlite, Some(Logical::Date)) => "DATE",
        (Engine::Sqlite, Some(Logical::Time)) => "TIME",
        (Engine::Sqlite, Some(Logical::Timestamp)) => "DATETIME",
        (_, None) => match (engine, schema.ty) {
            (Engine::MySql, Type::Int8) => "TINYINT",
            (Engine::MySql, Type::Int16) => "SMALLINT",
            (Engine::MySql, Type::Int32) => "INT",
            (Engine::MySql, Type::Int64) => "BIGINT",
            (Engine::MySql, Type::Float32) => "FLOAT",
            (Engine::MySql, Type::Float64) => "DOUBLE",
            (Engine::MySql, Type::Boolean) => "TINYINT",
            (Engine::MySql, Type::String) if is_key => "VARCHAR(256)",
            (Engine::MySql, Type::String) => "TEXT",
            (Engine::MySql, Type::Bytes) if is_key => "VARBINARY(1024)",
            (Engine::MySql, _) => "VARBINARY(1024)",
            (Engine::Postgres, Type::Int8 | Type::Int16) => "SMALLINT",
            (Engine::Postgres, Type::Int32) => "INT",
            (Engine::Postgres, Type::Int64) => "BIGINT",
            (Engine::Postgres, Type::Float32) => "REAL",
            (Engine::Postgres, Type::Float64) => "DOUBLE PRECISION",
            (Engine::Postgres, Type::Boolean) => "BOOLEAN",
            (Engine::Postgres, Type::String) => "TEXT",
            (Engine::Postgres, _) => "BYTEA",
            (Engine::Sqlite, Type::Int8 | Type::Int16 | Type::Int32 | Type::Int64 | Type::Boolean) => "INTEGER",
            (Engine::Sqlite, Type::Float32 | Type::Float64) => "REAL",
            (Engine::Sqlite, Type::String) => "TEXT",
            (Engine::Sqlite, _) => "BLOB",
        },
    };
    t.to_string()
}

/// A column definition: name, type, nullability, default.
fn column_def(d: &Dialect, f: &SinkField) -> String {
    let mut s = format!("{} {}", d.ident(&f.name), sql_type(d.engine, &f.schema, f.is_key));
    if let Some(default) = f.schema.default.as_ref().and_then(literal) {
        s.push_str(" DEFAULT ");
        s.push_str(&default);
    }
    s.push_str(if f.schema.optional && !f.is_key { " NULL" } else { " NOT NULL" });
    s
}

/// A schema default as an SQL literal, for the simple types.
fn literal(v: &kaskade_connect::data::Value) -> Option<String> {
    use kaskade_connect::data::Value;
    Some(match v {
        Value::Int8(i) => i.to_string(),
        Value::Int16(i) => i.to_string(),
        Value::Int32(i) => i.to_string(),
        Value::Int64(i) => i.to_string(),
        Value::Float32(f) => f.to_string(),
        Value::Float64(f) => f.to_string(),
        Value::Boolean(b) => (if *b { "1" } else { "0" }).to_string(),
        Value::String(s) => format!("'{}'", s.replace('\'', "''")),
        Value::Decimal(d) => d.to_string(),
        _ => return None,
    })
}

/// `CREATE TABLE` for fields laid out keys first.
pub fn create_table(d: &Dialect, table: &str, fields: &[SinkField]) -> String {
    let mut cols: Vec<String> = fields.iter().map(|f| column_def(d, f)).collect();
    let keys: Vec<String> = fields.iter().filter(|f| f.is_key).map(|f| d.ident(&f.name)).collect();
    if !keys.is_empty() {
        cols.push(format!("PRIMARY KEY({})", keys.join(",")));
    }
    format!("CREATE TABLE {} (\n{})", d.ident(table), cols.join(",\n"))
}

/// `ALTER TABLE … ADD` for the missing fields (one statement per column on SQLite).
pub fn alter_add(d: &Dialect, table: &str, missing: &[SinkField]) -> Vec<String> {
    let t = d.ident(table);
    match d.engine {
        Engine::Sqlite => missing
            .iter()
            .map(|f| format!("ALTER TABLE {t} ADD {}", column_def(d, f)))
            .collect(),
        Engine::MySql => vec![format!(
            "ALTER TABLE {t} {}",
            missing
                .iter()
                .map(|f| format!("ADD {}", column_def(d, f)))
                .collect::<Vec<_>>()
                .join(",\n")
        )],
        Engine::Postgres => vec![format!(
            "ALTER TABLE {t} {}",
            missing
                .iter()
                .map(|f| format!("ADD {}", column_def(d, f)))
                .collect::<Vec<_>>()
                .join(",\n")
        )],
    }
}

/// A multi-row `INSERT` (or upsert) of `rows` rows of `fields`.
pub fn insert(d: &Dialect, table: &str, fields: &[SinkField], rows: usize, mode: InsertMode) -> String {
    let cols: Vec<String> = fields.iter().map(|f| d.ident(&f.name)).collect();
    let mut n = 0;
    let mut values = Vec::with_capacity(rows);
    for _ in 0..rows {
        let marks: Vec<String> = (0..fields.len())
            .map(|_| {
                n += 1;
                d.placeholder(n)
            })
            .collect();
        values.push(format!("({})", marks.join(",")));
    }
    let mut sql = format!("INSERT INTO {}({}) VALUES {}", d.ident(table), cols.join(","), values.join(","));
    if mode == InsertMode::Upsert {
        let keys: Vec<String> = fields.iter().filter(|f| f.is_key).map(|f| d.ident(&f.name)).collect();
        let others: Vec<String> = fields.iter().filter(|f| !f.is_key).map(|f| d.ident(&f.name)).collect();
        match d.engine {
            Engine::MySql => {
                let set: Vec<String> = if others.is_empty() { &keys } else { &others }
                    .iter()
                    .map(|c| format!("{c}=VALUES({c})"))
                    .collect();
                sql.push_str(&format!(" ON DUPLICATE KEY UPDATE {}", set.join(",")));
            }
            Engine::Postgres | Engine::Sqlite => {
                let excluded = if d.engine == Engine::Postgres { "EXCLUDED" } else { "excluded" };
                if others.is_empty() {
                    sql.push_str(&format!(" ON CONFLICT ({}) DO NOTHING", keys.join(",")));
                } else {
                    let set: Vec<String> = others.iter().map(|c| format!("{c}={excluded}.{c}")).collect();
                    sql.push_str(&format!(" ON CONFLICT ({}) DO UPDATE SET {}", keys.join(","), set.join(",")));
                }
            }
        }
    }
    sql
}

/// `UPDATE … SET non-keys WHERE keys` for one row; parameters are non-keys then keys.
pub fn update(d: &Dialect, table: &str, fields: &[SinkField]) -> String {
    let mut n = 0;
    let mut next = || {
        n += 1;
        d.placeholder(n)
    };
    let set: Vec<String> = fields
        .iter()
        .filter(|f| !f.is_key)
        .map(|f| format!("{} = {}", d.ident(&f.name), next()))
        .collect();
    let wher: Vec<String> = fields
        .iter()
        .filter(|f| f.is_key)
        .map(|f| format!("{} = {}", d.ident(&f.name), next()))
        .collect();
    format!("UPDATE {} SET {} WHERE {}", d.ident(table), set.join(", "), wher.join(" AND "))
}

/// `DELETE … WHERE keys` for one row.
pub fn delete(d: &Dialect, table: &str, keys: &[SinkField]) -> String {
    let wher: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, f)| format!("{} = {}", d.ident(&f.name), d.placeholder(i + 1)))
        .collect();
    format!("DELETE FROM {} WHERE {}", d.ident(table), wher.join(" AND "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::fields::ValueFrom;
    use kaskade_connect::data::{self, SchemaRef};

    fn f(name: &str, schema: SchemaRef, is_key: bool) -> SinkField {
        SinkField {
            name: name.into(),
            schema,
            is_key,
            from: ValueFrom::ValueField(0),
        }
    }

    fn users() -> Vec<SinkField> {
        vec![
            f("id", Schema::int32(), true),
            f("name", Schema::optional_string(), false),
            f("created_at", data::timestamp_schema(true), false),
        ]
    }

    #[test]
    fn create_per_dialect() {
        let my = Dialect::new(Engine::MySql, true);
        assert_eq!(
            create_table(&my, "my_topic_users", &users()),
            "CREATE TABLE `my_topic_users` (\n`id` INT NOT NULL,\n`name` TEXT NULL,\n`created_at` DATETIME(3) NULL,\nPRIMARY KEY(`id`))"
        );
        let key = vec![f("k", Schema::string(), true)];
        assert!(create_table(&my, "t", &key).contains("`k` VARCHAR(256) NOT NULL"));
        let pg = Dialect::new(Engine::Postgres, true);
        assert!(create_table(&pg, "t", &users()).contains("\"created_at\" TIMESTAMP NULL"));
    }

    #[test]
    fn upserts_per_dialect() {
        let my = Dialect::new(Engine::MySql, true);
        assert_eq!(
            insert(&my, "t", &users()[..2], 2, InsertMode::Upsert),
            "INSERT INTO `t`(`id`,`name`) VALUES (?,?),(?,?) ON DUPLICATE KEY UPDATE `name`=VALUES(`name`)"
        );
        let pg = Dialect::new(Engine::Postgres, true);
        assert_eq!(
            insert(&pg, "t", &users()[..2], 2, InsertMode::Upsert),
            "INSERT INTO \"t\"(\"id\",\"name\") VALUES ($1,$2),($3,$4) ON CONFLICT (\"id\") DO UPDATE SET \"name\"=EXCLUDED.\"name\""
        );
        let lite = Dialect::new(Engine::Sqlite, true);
        assert!(insert(&lite, "t", &users()[..1], 1, InsertMode::Upsert).ends_with("ON CONFLICT (\"id\") DO NOTHING"));
        assert_eq!(update(&pg, "t", &users()[..2]), "UPDATE \"t\" SET \"name\" = $1 WHERE \"id\" = $2");
        assert_eq!(delete(&my, "t", &users()[..1]), "DELETE FROM `t` WHERE `id` = ?");
    }
}
