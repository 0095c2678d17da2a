//! Every MariaDB and PostgreSQL column type of Confluent's mapping, source → topic → sink, with
//! its value unchanged. A table `all_types` holds one column per type and rows of typical values,
//! extremes (each integer type's minimum and maximum, negative and long decimals, unicode with
//! emoji and CJK, empty strings and blobs, the bytes 0x00 and 0xff, dates before 1970 and far
//! ahead, times with milliseconds, date-times with microseconds, instants written in another
//! time zone) and a row of NULLs. The JDBC source copies it (incrementing on `id`) into
//! `rt_all_types`; the JDBC sink writes that into an auto-created table of a second database.
//!
//! Checked, per column: the field's schema in the JsonConverter messages is Confluent's mapping
//! (`GenericDatabaseDialect.addFieldToSchema` with its PostgreSQL overrides and the MariaDB
//! driver's type reports), the first row's payload value is Confluent's encoding of it, the
//! target column's type is Confluent's DDL for the field (`getSqlType` per dialect), and the
//! target's value prints as the source's. What the trip changes by Confluent's design is stated
//! per column as a [`Loss`], never hidden: Connect's `Timestamp` holds milliseconds (a
//! `DATETIME(6)` or `timestamp(6)` loses its microseconds, and MariaDB's target column is
//! `DATETIME(3)`), and MariaDB's `YEAR` is a `Date` (2024 becomes 2024-01-01). Values stay within
//! Confluent's MariaDB DDL, `VARBINARY(1024)` for bytes and `TEXT` (64 KiB) for strings:
//! `mariadb_sink_ddl_limits` shows a longer one failing the sink task, as it fails Confluent's.
//!
//! Runs MariaDB → MariaDB, PostgreSQL → PostgreSQL and MariaDB → PostgreSQL (the same columns,
//! printed alike: floats widened to doubles, bytes in hex, no trailing zeros in fractions), and
//! `mariadb_to_postgres_in_db_timezone` with both connectors at `db.timezone=-05:00`.

use kaskade_testkit::connect_rest::{call, wait_until};
use kaskade_testkit::databases::{DbServer, Engine, TestDb};
use serde_json::{json, Value};

use super::*;

/// Rows of values; one more row holds NULLs.
const ROWS: usize = 4;
const TABLE: &str = "all_types";
const TOPIC: &str = "rt_all_types";

/// What the trip through Connect changes, by Confluent's design: applied to the source's text
/// before it is compared with the target's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Loss {
    None,
    /// Connect's `Timestamp` is epoch milliseconds: the fraction is cut to 3 digits.
    Millis,
    /// MariaDB's `YEAR` is a `Date` (the driver's `yearIsDateType`): `2024` → `2024-01-01`.
    YearAsDate,
}

/// One column of `all_types`.
struct Col {
    name: &'static str,
    sql: &'static str,
    /// The field's schema as JsonConverter writes it (without `field`).
    schema: Value,
    /// SQL literals of rows 1..=ROWS.
    values: [&'static str; ROWS],
    /// Row 1's value in the message's payload.
    first: Value,
    /// How the source's value is printed (`{}` is the column), when not as its field's type says.
    print: Option<&'static str>,
    loss: Loss,
}

fn col(name: &'static str, sql: &'static str, schema: Value, values: [&'static str; ROWS], first: Value) -> Col {
    Col {
        name,
        sql,
        schema,
        values,
        first,
        print: None,
        loss: Loss::None,
    }
}

impl Col {
    fn print(mut self, expr: &'static str) -> Col {
        self.print = Some(expr);
        self
    }

    fn loss(mut self, loss: Loss) -> Col {
        self.loss = loss;
        self
    }
}

fn prim(ty: &str) -> Value {
    json!({"type": ty, "optional": true})
}

fn logical(ty: &str, name: &str) -> Value {
    json!({"type": ty, "optional": true, "name": format!("org.apache.kafka.connect.data.{name}"), "version": 1})
}

fn date() -> Value {
    logical("int32", "Date")
}

fn time() -> Value {
    logical("int32", "Time")
}

fn timestamp() -> Value {
    logical("int64", "Timestamp")
}

fn decimal(precision: u32, scale: u32) -> Value {
    let mut s = logical("bytes", "Decimal");
    s["parameters"] = json!({"scale": scale.to_string(), "connect.decimal.precision": precision.to_string()});
    s
}

/// A field's type as the comparison treats it: the logical type's short name, else the type.
fn kind(schema: &Value) -> &str {
    match schema["name"].as_str() {
        Some(name) => name.rsplit('.').next().unwrap_or(name),
        None => schema["type"].as_str().unwrap_or(""),
    }
}

/// The column type Confluent's sink creates for a field (notes §6.6), as MariaDB's
/// `information_schema.COLUMNS.COLUMN_TYPE` or PostgreSQL's `format_type` prints it.
fn confluent_ddl(engine: Engine, schema: &Value) -> String {
    let scale = schema["parameters"]["scale"].as_str().unwrap_or("");
    let t = match (engine, kind(schema)) {
        (Engine::MariaDb, "int8" | "boolean") => "tinyint(4)",
        (Engine::MariaDb, "int16") => "smallint(6)",
        (Engine::MariaDb, "int32") => "int(11)",
        (Engine::MariaDb, "int64") => "bigint(20)",
        (Engine::MariaDb, "float") => "float",
        (Engine::MariaDb, "double") => "double",
        (Engine::MariaDb, "string") => "text",
        (Engine::MariaDb, "bytes") => "varbinary(1024)",
        (Engine::MariaDb, "Decimal") => return format!("decimal(65,{scale})"),
        (Engine::MariaDb, "Date") => "date",
        (Engine::MariaDb, "Time") => "time(3)",
        (Engine::MariaDb, "Timestamp") => "datetime(3)",
        (_, "int8" | "int16") => "smallint",
        (_, "int32") => "integer",
        (_, "int64") => "bigint",
        (_, "float") => "real",
        (_, "double") => "double precision",
        (_, "boolean") => "boolean",
        (_, "string") => "text",
        (_, "bytes") => "bytea",
        (_, "Decimal") => "numeric",
        (_, "Date") => "date",
        (_, "Time") => "time without time zone",
        (_, "Timestamp") => "timestamp without time zone",
        (_, k) => panic!("no DDL for {k}"),
    };
    t.to_string()
}

/// How a column holding values of `schema` is printed for comparison: floats widened to
/// doubles (exact, all digits), bytes in upper-case hex, everything else as the server prints it.
fn print_expr(engine: Engine, schema: &Value, column: &str) -> String {
    match (engine, kind(schema)) {
        (Engine::MariaDb, "float") => format!("CAST({column} AS DOUBLE)"),
        (Engine::MariaDb, "bytes") => format!("HEX({column})"),
        (Engine::MariaDb, _) => column.to_string(),
        (_, "float") => format!("{column}::float8::text"),
        (_, "bytes") => format!("upper(encode({column}, 'hex'))"),
        _ => format!("{column}::text"),
    }
}

/// One printed value made comparable across engines without changing it: numbers of floating
/// point parsed, trailing zeros of a fraction of a second dropped (`…:51.500` → `…:51.5`).
fn canonical(kind: &str, text: &str) -> String {
    match kind {
        "float" | "double" => text.parse::<f64>().map_or(text.to_string(), |f| format!("{f:e}")),
        "Time" | "Timestamp" => match text.split_once('.') {
            Some((whole, frac)) if frac.trim_end_matches('0').is_empty() => whole.to_string(),
            Some((whole, frac)) => format!("{whole}.{}", frac.trim_end_matches('0')),
            None => text.to_string(),
        },
        _ => text.to_string(),
    }
}

/// The source's printed value as it must arrive.
fn after(loss: Loss, text: &str) -> String {
    match loss {
        Loss::None => text.to_string(),
        Loss::Millis => match text.split_once('.') {
            Some((whole, frac)) => format!("{whole}.{}", &frac[..frac.len().min(3)]),
            None => text.to_string(),
        },
        Loss::YearAsDate => format!("{text}-01-01"),
    }
}

/// `all_types` with its rows in `db`; `before_insert` runs in the inserting session first.
fn fill(db: &TestDb, cols: &[Col], before_insert: &str) {
    let id = if db.engine() == Engine::Postgres { "INTEGER" } else { "INT" };
    let defs: Vec<String> = cols.iter().map(|c| format!("{} {}", c.name, c.sql)).collect();
    db.execute(&format!("CREATE TABLE {TABLE} (id {id} PRIMARY KEY, {})", defs.join(", ")));
    let names: Vec<&str> = cols.iter().map(|c| c.name).collect();
    let mut sql = before_insert.to_string();
    for row in 0..ROWS {
        let values: Vec<&str> = cols.iter().map(|c| c.values[row]).collect();
        sql.push_str(&format!(
            "INSERT INTO {TABLE} (id, {}) VALUES ({}, {});",
            names.join(", "),
            row + 1,
            values.join(", ")
        ));
    }
    sql.push_str(&format!("INSERT INTO {TABLE} (id) VALUES ({});", ROWS + 1));
    db.execute(&sql);
}

/// The rows of `table` as text, one `print`ed expression per column, ordered by id.
fn printed(db: &TestDb, table: &str, exprs: &[String]) -> Vec<Vec<Option<String>>> {
    db.query_strings(&format!("SELECT {} FROM {table} ORDER BY id", exprs.join(", ")))
}

/// The whole trip for `cols` from `source` to `target`; the messages of the topic, parsed.
fn round_trip(source: &TestDb, target: &TestDb, cols: &[Col], before_insert: &str) -> Vec<Value> {
    fill(source, cols, before_insert);
    let (broker, w) = start();
    let mut config = source_config(source);
    config["table.whitelist"] = json!(TABLE);
    config["topic.prefix"] = json!("rt_");
    put(&w, "types-source", config);

    // (1) The schema of every message is Confluent's mapping of the columns.
    let messages = read_some(&broker.bootstrap(), TOPIC, ROWS + 1);
    if messages.len() != ROWS + 1 {
        let (_, status) = call("GET", &format!("{}/connectors/types-source/status", w.url()), None);
        panic!(
            "{TOPIC} holds {} records, {} expected; the source: {status:#}",
            messages.len(),
            ROWS + 1
        );
    }
    let messages: Vec<Value> = messages
        .into_iter()
        .map(|(_, v)| serde_json::from_str(&v).expect("a JSON message"))
        .collect();
    let mut fields = vec![json!({"type": "int32", "optional": false, "field": "id"})];
    fields.extend(cols.iter().map(|c| {
        let mut f = c.schema.clone();
        f["field"] = json!(c.name);
        f
    }));
    let schema = json!({"type": "struct", "fields": fields, "optional": false, "name": TABLE});
    for m in &messages {
        let got = m["schema"]["fields"].as_array().cloned().unwrap_or_default();
        for (want, got) in fields.iter().zip(&got) {
            assert_eq!(got, want, "field {} of the schema", want["field"]);
        }
        assert_eq!(m["schema"], schema, "the message's schema");
    }
    // Row 1's payload is Confluent's encoding of each value; the last row's are NULLs.
    for c in cols {
        assert_eq!(messages[0]["payload"][c.name], c.first, "row 1's {} in the message", c.name);
        assert_eq!(messages[ROWS]["payload"][c.name], Value::Null, "the NULL row's {}", c.name);
    }

    // (2) The sink creates Confluent's column types and writes every value unchanged.
    put(&w, "types-sink", sink_config(target, TOPIC));
    wait_rows(&w, target, TOPIC, (ROWS + 1) as u64);
    let ddl = match target.engine() {
        Engine::MariaDb => format!(
            "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{TOPIC}' ORDER BY ORDINAL_POSITION"
        ),
        _ => format!(
            "SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute \
             WHERE attrelid = '{TOPIC}'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
        ),
    };
    let created: Vec<(String, String)> = target
        .query_strings(&ddl)
        .into_iter()
        .map(|r| (r[0].clone().unwrap_or_default(), r[1].clone().unwrap_or_default()))
        .collect();
    let mut want_ddl = vec![("id".to_string(), confluent_ddl(target.engine(), &json!({"type": "int32"})))];
    want_ddl.extend(cols.iter().map(|c| (c.name.to_string(), confluent_ddl(target.engine(), &c.schema))));
    assert_eq!(created, want_ddl, "the target table's column types");

    let source_exprs: Vec<String> = cols
        .iter()
        .map(|c| match c.print {
            Some(p) => p.replace("{}", c.name),
            None => print_expr(source.engine(), &c.schema, c.name),
        })
        .collect();
    let target_exprs: Vec<String> = cols.iter().map(|c| print_expr(target.engine(), &c.schema, c.name)).collect();
    let from = printed(source, TABLE, &source_exprs);
    let to = printed(target, TOPIC, &target_exprs);
    assert_eq!(to.len(), ROWS + 1);
    let mut differences = Vec::new();
    for (row, (s, t)) in from.iter().zip(&to).enumerate() {
        for (i, c) in cols.iter().enumerate() {
            let k = kind(&c.schema);
            let want = s[i].as_deref().map(|v| canonical(k, &after(c.loss, v)));
            let got = t[i].as_deref().map(|v| canonical(k, v));
            if want != got {
                differences.push(format!(
                    "row {} {} ({}): source {:?}, expected {want:?}, target {got:?}",
                    row + 1,
                    c.name,
                    c.sql,
                    s[i]
                ));
            }
        }
    }
    assert!(differences.is_empty(), "values changed on the way:\n{}", differences.join("\n"));
    messages
}

/// MariaDB's types. TIMESTAMP values are inserted in a session at +05:30: the topic and the
/// target (written in `db.timezone`, UTC) hold the instant, 5 h 30 earlier on the clock.
fn mariadb_columns() -> Vec<Col> {
    vec![
        col("c_tinyint", "TINYINT", prim("int8"), ["42", "-128", "127", "0"], json!(42)),
        col(
            "c_tinyint_u",
            "TINYINT UNSIGNED",
            prim("int16"),
            ["200", "0", "255", "1"],
            json!(200),
        ),
        col(
            "c_smallint",
            "SMALLINT",
            prim("int16"),
            ["-1234", "-32768", "32767", "0"],
            json!(-1234),
        ),
        col(
            "c_smallint_u",
            "SMALLINT UNSIGNED",
            prim("int32"),
            ["50000", "0", "65535", "1"],
            json!(50000),
        ),
        col(
            "c_mediumint",
            "MEDIUMINT",
            prim("int32"),
            ["1234567", "-8388608", "8388607", "0"],
            json!(1234567),
        ),
        col(
            "c_int",
            "INT",
            prim("int32"),
            ["123456789", "-2147483648", "2147483647", "0"],
            json!(123456789),
        ),
        col(
            "c_int_u",
            "INT UNSIGNED",
            prim("int64"),
            ["3000000000", "0", "4294967295", "1"],
            json!(3000000000u64),
        ),
        col(
            "c_bigint",
            "BIGINT",
            prim("int64"),
            ["1234567890123", "-9223372036854775808", "9223372036854775807", "0"],
            json!(1234567890123i64),
        ),
        col(
            "c_float",
            "FLOAT",
            prim("float"),
            ["1.1", "-1.17549e-38", "3.40282e38", "0"],
            json!(1.1),
        ),
        col(
            "c_double",
            "DOUBLE",
            prim("double"),
            ["-123.456789012345", "-2.2250738585072014e-308", "1.7976931348623157e308", "-0.5"],
            json!(-123.456789012345),
        ),
        col(
            "c_decimal",
            "DECIMAL(10,2)",
            decimal(10, 2),
            ["1234.56", "-99999999.99", "99999999.99", "0"],
            json!("AeJA"),
        ),
        col(
            "c_decimal_30",
            "DECIMAL(30,10)",
            decimal(30, 10),
            [
                "12345678901234567890.0123456789",
                "-0.0000000001",
                "99999999999999999999.9999999999",
                "-12.5",
            ],
            json!("AY7pD/bDc+DuDATVFQ=="),
        ),
        col(
            "c_char",
            "CHAR(10)",
            prim("string"),
            ["'abc'", "''", "'日本語ü😀'", "' lead'"],
            json!("abc"),
        ),
        col(
            "c_varchar",
            "VARCHAR(100)",
            prim("string"),
            ["'hello, world'", "''", "'Grüße, 世界 🎉'", r#"'quote '' double " back\\ slash'"#],
            json!("hello, world"),
        ),
        col(
            "c_text",
            "TEXT",
            prim("string"),
            [
                "'some text'",
                "''",
                "CONCAT('多行', CHAR(10), 'line 2', CHAR(9), 'tab')",
                "REPEAT('長', 5000)",
            ],
            json!("some text"),
        ),
        col(
            "c_longtext",
            "LONGTEXT",
            prim("string"),
            ["'long text'", "''", "'🙂🙃'", "REPEAT('x', 60000)"],
            json!("long text"),
        ),
        col(
            "c_enum",
            "ENUM('small','medium','large')",
            prim("string"),
            ["'medium'", "'small'", "'large'", "'small'"],
            json!("medium"),
        ),
        col(
            "c_json",
            "JSON",
            prim("string"),
            [
                r#"'{"a": 1, "b": [true, null, "ü"]}'"#,
                "'{}'",
                r#"'["😀", 1.5e300]'"#,
                r#"'"plain"'"#,
            ],
            json!(r#"{"a": 1, "b": [true, null, "ü"]}"#),
        ),
        col(
            "c_binary",
            "BINARY(4)",
            prim("bytes"),
            ["X'DEADBEEF'", "X'00000000'", "X'FFFFFFFF'", "X'00FF'"],
            json!("3q2+7w=="),
        ),
        col(
            "c_varbinary",
            "VARBINARY(64)",
            prim("bytes"),
            ["X'0102'", "X''", "X'FF'", "X'00'"],
            json!("AQI="),
        ),
        col(
            "c_blob",
            "BLOB",
            prim("bytes"),
            ["X'CAFEBABE'", "X''", "X'00FF00FF'", "'text'"],
            json!("yv66vg=="),
        ),
        col(
            "c_longblob",
            "LONGBLOB",
            prim("bytes"),
            ["X'00'", "X''", "REPEAT(X'FF', 1024)", "X'FF00'"],
            json!("AA=="),
        ),
        col(
            "c_date",
            "DATE",
            date(),
            ["'2024-02-29'", "'1000-01-01'", "'9999-12-31'", "'1969-07-20'"],
            json!(19782),
        ),
        col(
            "c_time",
            "TIME(3)",
            time(),
            ["'12:34:56.789'", "'00:00:00.000'", "'23:59:59.999'", "'00:00:00.001'"],
            json!(45296789),
        ),
        col(
            "c_datetime",
            "DATETIME",
            timestamp(),
            [
                "'2023-04-04 21:22:51'",
                "'1000-01-01 00:00:00'",
                "'9999-12-31 23:59:59'",
                "'1969-12-31 23:59:59'",
            ],
            json!(1680643371000i64),
        ),
        col(
            "c_datetime_3",
            "DATETIME(3)",
            timestamp(),
            [
                "'2023-04-04 21:22:51.123'",
                "'1000-01-01 00:00:00.000'",
                "'9999-12-31 23:59:59.999'",
                "'1969-12-31 23:59:59.999'",
            ],
            json!(1680643371123i64),
        ),
        col(
            "c_datetime_6",
            "DATETIME(6)",
            timestamp(),
            [
                "'2023-04-04 21:22:51.123456'",
                "'1000-01-01 00:00:00.000001'",
                "'9999-12-31 23:59:59.999999'",
                "'1969-07-20 20:17:40.999999'",
            ],
            json!(1680643371123i64),
        )
        .loss(Loss::Millis),
        // Inserted at +05:30 (see `mariadb_types_round_trip`): row 1 is 2023-04-04 21:22:51.123 UTC.
        col(
            "c_timestamp_3",
            "TIMESTAMP(3) NULL",
            timestamp(),
            [
                "'2023-04-05 02:52:51.123'",
                "'1970-01-01 05:30:01.000'",
                "'2038-01-19 08:44:07.999'",
                "'2024-03-31 02:30:00.500'",
            ],
            json!(1680643371123i64),
        ),
        col("c_year", "YEAR", date(), ["2024", "1901", "2155", "1970"], json!(19723)).loss(Loss::YearAsDate),
        // BIT prints as a raw byte: `+0` makes it a number.
        col("c_bit", "BIT(1)", prim("int8"), ["b'1'", "b'0'", "b'1'", "b'0'"], json!(1)).print("{}+0"),
        col("c_boolean", "BOOLEAN", prim("int8"), ["TRUE", "FALSE", "127", "-128"], json!(1)),
    ]
}

/// PostgreSQL's types; `timestamptz` values carry zones of their own.
fn postgres_columns() -> Vec<Col> {
    vec![
        col(
            "c_smallint",
            "SMALLINT",
            prim("int16"),
            ["1234", "-32768", "32767", "0"],
            json!(1234),
        ),
        col(
            "c_integer",
            "INTEGER",
            prim("int32"),
            ["123456789", "-2147483648", "2147483647", "0"],
            json!(123456789),
        ),
        col(
            "c_bigint",
            "BIGINT",
            prim("int64"),
            ["1234567890123", "-9223372036854775808", "9223372036854775807", "0"],
            json!(1234567890123i64),
        ),
        col(
            "c_real",
            "REAL",
            prim("float"),
            ["1.1", "-1.1754944e-38", "3.4028235e+38", "0"],
            json!(1.1),
        ),
        col(
            "c_double",
            "DOUBLE PRECISION",
            prim("double"),
            ["-123.456789012345", "-2.2250738585072014e-308", "1.7976931348623157e+308", "-0.5"],
            json!(-123.456789012345),
        ),
        col(
            "c_numeric",
            "NUMERIC(10,2)",
            decimal(10, 2),
            ["1234.56", "-99999999.99", "99999999.99", "0"],
            json!("AeJA"),
        ),
        col(
            "c_numeric_30",
            "NUMERIC(30,10)",
            decimal(30, 10),
            [
                "12345678901234567890.0123456789",
                "-0.0000000001",
                "99999999999999999999.9999999999",
                "-12.5",
            ],
            json!("AY7pD/bDc+DuDATVFQ=="),
        ),
        col(
            "c_boolean",
            "BOOLEAN",
            prim("boolean"),
            ["true", "false", "true", "false"],
            json!(true),
        ),
        // CHAR(n) is read padded, as pgjdbc's getString reads it; printed as bpchar prints
        // (`::text` would trim the padding).
        col(
            "c_char",
            "CHAR(10)",
            prim("string"),
            ["'abc'", "''", "'日本語ü😀'", "' lead'"],
            json!("abc       "),
        )
        .print("{}"),
        col(
            "c_varchar",
            "VARCHAR(100)",
            prim("string"),
            ["'hello, world'", "''", "'Grüße, 世界 🎉'", r#"'quote '' double " back\ slash'"#],
            json!("hello, world"),
        ),
        col(
            "c_text",
            "TEXT",
            prim("string"),
            ["'some text'", "''", "E'多行\\nline 2\\ttab'", "repeat('長', 5000)"],
            json!("some text"),
        ),
        col(
            "c_bytea",
            "BYTEA",
            prim("bytes"),
            [r"'\xdeadbeef'", r"'\x'", r"'\x00ff'", "convert_to('text', 'UTF8')"],
            json!("3q2+7w=="),
        ),
        col(
            "c_date",
            "DATE",
            date(),
            ["'2024-02-29'", "'1000-01-01'", "'9999-12-31'", "'1969-07-20'"],
            json!(19782),
        ),
        col(
            "c_time",
            "TIME(3)",
            time(),
            ["'12:34:56.789'", "'00:00:00'", "'23:59:59.999'", "'00:00:00.001'"],
            json!(45296789),
        ),
        col(
            "c_timestamp_3",
            "TIMESTAMP(3)",
            timestamp(),
            [
                "'2023-04-04 21:22:51.123'",
                "'1000-01-01 00:00:00'",
                "'9999-12-31 23:59:59.999'",
                "'1969-12-31 23:59:59.999'",
            ],
            json!(1680643371123i64),
        ),
        col(
            "c_timestamp_6",
            "TIMESTAMP(6)",
            timestamp(),
            [
                "'2023-04-04 21:22:51.123456'",
                "'1000-01-01 00:00:00.000001'",
                "'9999-12-31 23:59:59.999999'",
                "'1969-07-20 20:17:40.999999'",
            ],
            json!(1680643371123i64),
        )
        .loss(Loss::Millis),
        // An instant: compared as its UTC clock, which the sink's `timestamp` holds.
        col(
            "c_timestamptz",
            "TIMESTAMPTZ",
            timestamp(),
            [
                "'2023-04-05 02:52:51.123456+05:30'",
                "'1969-12-31 16:00:00-08:00'",
                "'9999-12-31 23:59:59.999999+00'",
                "'1969-07-20 20:17:40.5-04:00'",
            ],
            json!(1680643371123i64),
        )
        .print("({} AT TIME ZONE 'UTC')::text")
        .loss(Loss::Millis),
        col(
            "c_uuid",
            "UUID",
            prim("string"),
            [
                "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
                "'00000000-0000-0000-0000-000000000000'",
                "'ffffffff-ffff-ffff-ffff-ffffffffffff'",
                "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'",
            ],
            json!("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        ),
        col(
            "c_json",
            "JSON",
            prim("string"),
            [
                r#"'{"a": 1,  "b": [true, null, "ü"]}'"#,
                "'{}'",
                r#"'["😀", 1.5e300]'"#,
                r#"'"plain"'"#,
            ],
            json!(r#"{"a": 1,  "b": [true, null, "ü"]}"#),
        ),
        col(
            "c_jsonb",
            "JSONB",
            prim("string"),
            [
                r#"'{"b": [true, null, "ü"],  "a": 1}'"#,
                "'{}'",
                r#"'["😀", 1.5e300]'"#,
                r#"'"plain"'"#,
            ],
            json!(r#"{"a": 1, "b": [true, null, "ü"]}"#),
        ),
    ]
}

#[test]
fn mariadb_types_round_trip() {
    let server = DbServer::shared(Engine::MariaDb);
    let (source, target) = (server.create_database(), server.create_database());
    let messages = round_trip(&source, &target, &mariadb_columns(), "SET time_zone = '+05:30';");
    // Dates before 1582 are days of the proleptic Gregorian calendar (Confluent's
    // `date.calendar.system=PROLEPTIC_GREGORIAN`; its default LEGACY counts Julian days there).
    assert_eq!(messages[1]["payload"]["c_date"], json!(-354285), "1000-01-01");
}

#[test]
fn postgres_types_round_trip() {
    let server = DbServer::shared(Engine::Postgres);
    let (source, target) = (server.create_database(), server.create_database());
    let messages = round_trip(&source, &target, &postgres_columns(), "");
    assert_eq!(messages[1]["payload"]["c_date"], json!(-354285), "1000-01-01");
}

#[test]
fn mariadb_to_postgres_types_round_trip() {
    let source = DbServer::shared(Engine::MariaDb).create_database();
    let target = DbServer::shared(Engine::Postgres).create_database();
    round_trip(&source, &target, &mariadb_columns(), "SET time_zone = '+05:30';");
}

/// What Confluent's MariaDB DDL cannot hold fails the sink task, as Confluent's does: strings
/// become `TEXT` (at most 65,535 bytes) and bytes `VARBINARY(1024)`, whatever the source column.
#[test]
fn mariadb_sink_ddl_limits() {
    let server = DbServer::shared(Engine::MariaDb);
    let (source, target) = (server.create_database(), server.create_database());
    source.execute(
        "CREATE TABLE big_text (id INT PRIMARY KEY, c_longtext LONGTEXT);
         CREATE TABLE big_blob (id INT PRIMARY KEY, c_longblob LONGBLOB);
         INSERT INTO big_text VALUES (1, REPEAT('x', 65536));
         INSERT INTO big_blob VALUES (1, REPEAT(X'FF', 1025));",
    );
    let (_broker, w) = start();
    let mut config = source_config(&source);
    config["table.whitelist"] = json!("big_text,big_blob");
    config["topic.prefix"] = json!("rt_");
    put(&w, "big-source", config);
    for (table, column) in [("big_text", "c_longtext"), ("big_blob", "c_longblob")] {
        let name = format!("{table}-sink");
        put(&w, &name, sink_config(&target, &format!("rt_{table}")));
        let trace = wait_until(&w, &format!("{name} to fail"), || {
            let (_, body) = call("GET", &format!("{}/connectors/{name}/status", w.url()), None);
            (body["tasks"][0]["state"] == "FAILED").then(|| body["tasks"][0]["trace"].as_str().unwrap_or("").to_string())
        });
        assert!(trace.contains(&format!("Data too long for column '{column}'")), "{trace}");
        assert_eq!(target.count(&format!("rt_{table}")), 0, "nothing of {table} written");
    }
}

/// `db.timezone=-05:00` on both connectors: date-times and times of day are wall clocks in that
/// zone (the topic holds their UTC instant and UTC time of day, as Confluent's calendar makes
/// them), dates are not moved, and instants (`TIMESTAMP`) are written as that zone's clock.
/// Row 2's time, 20:00 at -05:00, is 01:00 UTC the next day: Confluent's `Time` refuses it and
/// its task fails; ours keeps the time of day.
#[test]
fn mariadb_to_postgres_in_db_timezone() {
    let source = DbServer::shared(Engine::MariaDb).create_database();
    let target = DbServer::shared(Engine::Postgres).create_database();
    source.execute(
        "CREATE TABLE zoned (id INT PRIMARY KEY, c_date DATE, c_time TIME(3), c_datetime DATETIME(3),
           c_timestamp TIMESTAMP(3) NULL);
         SET time_zone = '+00:00';
         INSERT INTO zoned VALUES
           (1, '2023-04-04', '12:34:56.789', '2023-04-04 21:22:51.123', '2023-04-04 21:22:51.123'),
           (2, '1969-12-31', '20:00:00.000', '1970-01-01 00:00:00.000', '1970-01-01 05:00:01.000');",
    );
    let (broker, w) = start();
    let mut config = source_config(&source);
    config["table.whitelist"] = json!("zoned");
    config["topic.prefix"] = json!("rt_");
    config["db.timezone"] = json!("-05:00");
    put(&w, "zoned-source", config);
    let payloads: Vec<Value> = read(&broker.bootstrap(), "rt_zoned", 2)
        .into_iter()
        .map(|(_, v)| serde_json::from_str::<Value>(&v).expect("a JSON message")["payload"].clone())
        .collect();
    assert_eq!(
        payloads,
        [
            json!({"id": 1, "c_date": 19451, "c_time": 63296789, "c_datetime": 1680661371123i64, "c_timestamp": 1680643371123i64}),
            json!({"id": 2, "c_date": -1, "c_time": 3600000, "c_datetime": 18000000, "c_timestamp": 18001000}),
        ]
    );

    let mut sink = sink_config(&target, "rt_zoned");
    sink["db.timezone"] = json!("-05:00");
    put(&w, "zoned-sink", sink);
    wait_rows(&w, &target, "rt_zoned", 2);
    let rows = target.query_strings("SELECT c_date::text, c_time::text, c_datetime::text, c_timestamp::text FROM rt_zoned ORDER BY id");
    let want = [
        ["2023-04-04", "12:34:56.789", "2023-04-04 21:22:51.123", "2023-04-04 16:22:51.123"],
        ["1969-12-31", "20:00:00", "1970-01-01 00:00:00", "1970-01-01 00:00:01"],
    ];
    assert_eq!(rows, want.map(|r| r.map(|v| Some(v.to_string())).to_vec()));
}
