//! Kaskade's converters against Apache Kafka Connect 4.3.1's, byte for byte: `ConverterTable.java`
//! (run with Kafka's jars, fetched by `e2e/peers/connect/fetch.sh`) prints Kafka's output for a
//! table of records, JSON inputs and header texts; this test builds the same table, runs the
//! same conversions with our converters and compares every line: JsonConverter in both
//! directions under four configurations (every Connect type, optional/required, defaults,
//! names/versions/docs/parameters, nested arrays, maps and structs, maps with non-string keys,
//! the logical types with BASE64 and NUMERIC decimals, edge and random floats, unicode and
//! control characters, Kafka's error messages), round trips of Kafka's own bytes,
//! StringConverter under five charsets, the number, boolean and byte-array converters, and
//! SimpleHeaderConverter.
//!
//! Java 19 or later is required (Kafka's images run 21): Jackson prints doubles with
//! `Double.toString`, whose digits changed in Java 19. The test fails when there is none.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use bigdecimal::BigDecimal;
use kaskade_connect::converters::header::SimpleHeaderConverter;
use kaskade_connect::converters::java::{double_to_string, float_to_string};
use kaskade_connect::converters::json::JsonConverter;
use kaskade_connect::converters::{new_converter, HeaderConverter};
use kaskade_connect::data::{self, Schema, SchemaAndValue, SchemaBuilder, SchemaRef, Struct, Type, Value};

const DAY: i64 = 86_400_000;

fn here() -> PathBuf {
    kaskade_testkit::repo_root().join("broker-image/connect/tests/converters")
}

/// `e2e/peers/connect/fetch.sh`: Kafka Connect's jars, fetched once into the cache.
fn connect_libs() -> PathBuf {
    let script = kaskade_testkit::repo_root().join("e2e/peers/connect/fetch.sh");
    let out = Command::new("bash").arg(&script).output().expect("run e2e/peers/connect/fetch.sh");
    assert!(
        out.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("fetch.sh prints a path");
    PathBuf::from(stdout.lines().last().expect("fetch.sh prints the libs directory").trim())
}

/// The major version `java -version` reports, if `java` runs.
fn java_major(java: &Path) -> Option<u32> {
    let out = Command::new(java).arg("-version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stderr);
    let version = text.split('"').nth(1)?;
    let major = version.split(['.', '-', '+']).next()?;
    major.parse().ok()
}

/// A Java 19 or later: `$JAVA_HOME`, `java` on the PATH, or one under `/usr/lib/jvm`.
fn java() -> PathBuf {
    let mut candidates = Vec::new();
    if let Some(home) = std::env::var_os("JAVA_HOME") {
        candidates.push(PathBuf::from(home).join("bin/java"));
    }
    candidates.push(PathBuf::from("java"));
    if let Ok(dir) = std::fs::read_dir("/usr/lib/jvm") {
        let mut jvms: Vec<PathBuf> = dir.filter_map(|e| e.ok()).map(|e| e.path().join("bin/java")).collect();
        jvms.sort();
        candidates.extend(jvms);
    }
    let mut seen = Vec::new();
    for c in &candidates {
        match java_major(c) {
            Some(major) if major >= 19 => return c.clone(),
            other => seen.push(format!("{} ({other:?})", c.display())),
        }
    }
    panic!(
        "no Java 19 or later to run Kafka's converters with (Java 17 prints some doubles differently); tried: {}",
        seen.join(", ")
    );
}

/// Runs ConverterTable.java: (section, name) → result, in Kafka's order.
fn kafka_table() -> Vec<((String, String), String)> {
    let libs = connect_libs();
    let out = Command::new(java())
        .env("TZ", "UTC")
        .arg("-Duser.timezone=UTC")
        .arg("-Xss64m")
        .arg("-cp")
        .arg(format!("{}/*", libs.display()))
        .arg(here().join("ConverterTable.java"))
        .arg(here())
        .output()
        .expect("run java");
    assert!(
        out.status.success(),
        "ConverterTable.java failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .map(|l| {
            let mut parts = l.splitn(3, '\t');
            let (s, n, r) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap_or(""));
            ((s.to_string(), n.to_string()), r.to_string())
        })
        .collect()
}

/// Our side of the table, with the line escaping ConverterTable.java uses.
#[derive(Default)]
struct Table {
    lines: BTreeMap<(String, String), String>,
}

impl Table {
    fn line(&mut self, section: &str, name: impl Into<String>, result: String) {
        let escaped = result
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\r', "\\r")
            .replace('\t', "\\t");
        self.lines.insert((section.to_string(), name.into()), escaped);
    }
}

fn bytes(b: Option<Vec<u8>>) -> String {
    match b {
        None => "null".into(),
        Some(b) => format!("={}", base64::engine::general_purpose::STANDARD.encode(b)),
    }
}

fn result(r: Result<Option<Vec<u8>>, kaskade_connect::data::DataError>) -> String {
    match r {
        Ok(b) => bytes(b),
        Err(e) => format!("!{}", e.message),
    }
}

fn esc(s: &str) -> String {
    let mut out = String::new();
    for unit in s.encode_utf16() {
        if unit == u16::from(b'\\') {
            out.push_str("\\\\");
        } else if !(0x20..=0x7e).contains(&unit) {
            out.push_str(&format!("\\u{unit:04x}"));
        } else {
            out.push(unit as u8 as char);
        }
    }
    out
}

fn describe(sv: &SchemaAndValue) -> String {
    format!("{} {}", describe_schema(sv.schema.as_deref()), describe_value(&sv.value))
}

fn describe_schema(s: Option<&Schema>) -> String {
    let Some(s) = s else {
        return "-".into();
    };
    let mut out = s.ty.name().to_string();
    if s.optional {
        out.push('?');
    }
    if let Some(n) = &s.name {
        out.push_str(&format!("({})", esc(n)));
    }
    if let Some(v) = s.version {
        out.push_str(&format!("v{v}"));
    }
    if let Some(d) = &s.doc {
        out.push_str(&format!("#{}", esc(d)));
    }
    if let Some(p) = &s.parameters {
        let p: Vec<String> = p.iter().map(|(k, v)| format!("{}={}", esc(k), esc(v))).collect();
        out.push_str(&format!("{{{}}}", p.join(",")));
    }
    if let Some(d) = &s.default {
        out.push_str(&format!("={}", describe_value(d)));
    }
    match s.ty {
        Type::Array => out.push_str(&format!("<{}>", describe_schema(s.value_schema.as_deref()))),
        Type::Map => out.push_str(&format!(
            "<{},{}>",
            describe_schema(s.key_schema.as_deref()),
            describe_schema(s.value_schema.as_deref())
        )),
        Type::Struct => {
            let f: Vec<String> = s
                .fields
                .iter()
                .map(|f| format!("{}:{}", esc(&f.name), describe_schema(Some(&f.schema))))
                .collect();
            out.push_str(&format!("{{{}}}", f.join(",")));
        }
        _ => {}
    }
    out
}

fn describe_value(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Int8(x) => format!("i8:{x}"),
        Value::Int16(x) => format!("i16:{x}"),
        Value::Int32(x) => format!("i32:{x}"),
        Value::Int64(x) => format!("i64:{x}"),
        Value::Float32(x) => format!("f32:{}", float_to_string(*x)),
        Value::Float64(x) => format!("f64:{}", double_to_string(*x)),
        Value::Boolean(x) => format!("b:{x}"),
        Value::String(s) => format!("s:{}", esc(s)),
        Value::Bytes(b) => format!("B:{}", base64::engine::general_purpose::STANDARD.encode(b)),
        Value::Decimal(d) => {
            let (unscaled, scale) = d.as_bigint_and_exponent();
            format!("D:{unscaled}e{scale}")
        }
        Value::Date(ms) => format!("T:{ms}"),
        Value::Array(items) => format!("[{}]", items.iter().map(describe_value).collect::<Vec<_>>().join(",")),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}={}", describe_value(k), describe_value(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        Value::Struct(s) => format!("S{{{}}}", s.values().iter().map(describe_value).collect::<Vec<_>>().join(",")),
    }
}

// ---- the records (ConverterTable.dataCases, in the same order) ----

fn dec(text: &str) -> Value {
    Value::Decimal(text.parse::<BigDecimal>().expect("a decimal"))
}

fn list(items: Vec<Value>) -> Value {
    Value::Array(items)
}

fn map(entries: Vec<(Value, Value)>) -> Value {
    Value::Map(entries)
}

fn array(items: SchemaRef) -> SchemaRef {
    SchemaBuilder::array(items).build()
}

fn map_of(k: SchemaRef, v: SchemaRef) -> SchemaRef {
    SchemaBuilder::map(k, v).build()
}

fn with_default(b: SchemaBuilder, v: Value) -> SchemaRef {
    b.default_value(v).expect("a valid default").build()
}

fn inner_schema() -> SchemaRef {
    SchemaBuilder::struct_()
        .name("inner")
        .version(2)
        .field("x", Schema::int32())
        .unwrap()
        .field("y", Schema::optional_string())
        .unwrap()
        .build()
}

fn record(schema: &SchemaRef, values: Vec<(&str, Value)>) -> Value {
    let mut s = Struct::new(schema.clone()).expect("a struct schema");
    for (k, v) in values {
        s.put(k, v).expect("a valid field value");
    }
    Value::Struct(s)
}

fn inner(x: i32, y: Option<&str>) -> Value {
    record(&inner_schema(), vec![("x", Value::Int32(x)), ("y", y.into())])
}

fn data_cases() -> Vec<(&'static str, Option<SchemaRef>, Value)> {
    use Value::*;
    let s = Schema::string;
    let inner_s = inner_schema();
    let mut c: Vec<(&'static str, Option<SchemaRef>, Value)> = Vec::new();
    let mut add = |name: &'static str, schema: Option<SchemaRef>, value: Value| c.push((name, schema, value));
    add("int8", Some(Schema::int8()), Int8(-128));
    add("int16", Some(Schema::int16()), Int16(32767));
    add("int32", Some(Schema::int32()), Int32(i32::MIN));
    add("int64", Some(Schema::int64()), Int64(i64::MAX));
    add("float32", Some(Schema::float32()), Float32(3.25));
    add("float64", Some(Schema::float64()), Float64(0.1));
    add("boolean", Some(Schema::boolean()), Boolean(true));
    add(
        "string",
        Some(s()),
        "a\u{0}\u{1}\u{1f}\u{7f}\u{8}\t\n\u{c}\r\"\\/ é€😀\u{2028}\u{2029}\u{feff}\u{80}\u{9f}".into(),
    );
    add("bytes", Some(Schema::bytes()), Bytes(vec![0, 1, 2, 0x7f, 0x80, 0xfe, 0xff]));
    add("bytes-empty", Some(Schema::bytes()), Bytes(vec![]));
    add("optional-null", Some(Schema::optional_string()), Null);
    add("optional-int-null", Some(Schema::optional_int64()), Null);
    add("default-null", Some(with_default(SchemaBuilder::new(Type::Int32), Int32(42))), Null);
    add(
        "optional-default-null",
        Some(with_default(SchemaBuilder::new(Type::String).optional(), "dflt".into())),
        Null,
    );
    add(
        "described",
        Some(with_default(
            SchemaBuilder::new(Type::String)
                .name("com.example.Name")
                .version(3)
                .doc("a \"doc\"\n")
                .parameter("b", "2")
                .parameter("a", "1")
                .optional(),
            "dflt".into(),
        )),
        "x".into(),
    );
    add("array", Some(array(Schema::int32())), list(vec![Int32(1), Int32(2), Int32(3)]));
    add("array-empty", Some(array(Schema::int32())), list(vec![]));
    add(
        "array-optional-items",
        Some(
            SchemaBuilder::array(Schema::optional_int32())
                .optional()
                .name("arr")
                .doc("d")
                .build(),
        ),
        list(vec![Int32(1), Null, Int32(3)]),
    );
    add(
        "array-nested",
        Some(array(array(s()))),
        list(vec![list(vec!["a".into(), "b".into()]), list(vec![]), list(vec!["c".into()])]),
    );
    add(
        "array-default",
        Some(with_default(
            SchemaBuilder::array(Schema::int32()).optional(),
            list(vec![Int32(7), Int32(8)]),
        )),
        Null,
    );
    add(
        "map-string",
        Some(map_of(s(), Schema::int32())),
        map(vec![("b".into(), Int32(2)), ("a".into(), Int32(1)), ("c".into(), Int32(3))]),
    );
    add(
        "map-int-keys",
        Some(map_of(Schema::int32(), s())),
        map(vec![(Int32(2), "two".into()), (Int32(1), "one".into())]),
    );
    add(
        "map-optional-values",
        Some(map_of(s(), Schema::optional_float64())),
        map(vec![("x".into(), Null), ("y".into(), Float64(1.5))]),
    );
    add(
        "map-struct-keys",
        Some(map_of(inner_s.clone(), Schema::int64())),
        map(vec![(inner(1, Some("a")), Int64(1)), (inner(2, None), Int64(2))]),
    );
    add(
        "map-default",
        Some(with_default(
            SchemaBuilder::map(s(), s()).optional(),
            map(vec![("k".into(), "v".into())]),
        )),
        Null,
    );
    add(
        "map-of-maps",
        Some(map_of(s(), map_of(Schema::int64(), Schema::boolean()))),
        map(vec![(
            "outer".into(),
            map(vec![(Int64(5), Boolean(true)), (Int64(-5), Boolean(false))]),
        )]),
    );

    let fields: Vec<(&str, SchemaRef)> = vec![
        ("i8", Schema::int8()),
        ("i16", Schema::int16()),
        ("i32", Schema::int32()),
        ("i64", Schema::int64()),
        ("f32", Schema::float32()),
        ("f64", Schema::float64()),
        ("bool", Schema::boolean()),
        ("str", s()),
        ("bytes", Schema::bytes()),
        ("opt", Schema::optional_string()),
        ("dflt", with_default(SchemaBuilder::new(Type::Int32), Int32(5))),
        ("odflt", with_default(SchemaBuilder::new(Type::String).optional(), "z".into())),
        ("arr", array(inner_s.clone())),
        ("map", map_of(s(), inner_s.clone())),
        ("inner", inner_s.clone()),
        ("dec", data::decimal(2).build()),
        ("date", data::date().build()),
        ("time", data::time().build()),
        ("ts", data::timestamp().build()),
        ("odec", data::decimal(3).optional().build()),
    ];
    let mut all = SchemaBuilder::struct_().name("com.example.All").doc("every type");
    for (name, schema) in fields {
        all = all.field(name, schema).unwrap();
    }
    let all = all.build();
    let all_value = record(
        &all,
        vec![
            ("i8", Int8(1)),
            ("i16", Int16(2)),
            ("i32", Int32(3)),
            ("i64", Int64(4)),
            ("f32", Float32(5.5)),
            ("f64", Float64(6.25)),
            ("bool", Boolean(false)),
            ("str", "s".into()),
            ("bytes", Bytes(vec![9])),
            ("arr", list(vec![inner(1, Some("one")), inner(2, None)])),
            ("map", map(vec![("m".into(), inner(3, Some("three")))])),
            ("inner", inner(4, Some("four"))),
            ("dec", dec("-0.05")),
            ("date", Date(DAY * 3)),
            ("time", Date(1000)),
            ("ts", Date(1680643371000)),
        ],
    );
    add("struct-all", Some(all), all_value);
    add(
        "struct-optional-null",
        Some(SchemaBuilder::struct_().optional().field("a", Schema::int32()).unwrap().build()),
        Null,
    );

    add("decimal", Some(data::decimal(2).build()), dec("12.34"));
    add("decimal-negative", Some(data::decimal(2).build()), dec("-12.34"));
    add(
        "decimal-large",
        Some(data::decimal(5).build()),
        dec("-123456789012345678901234567890.12345"),
    );
    add("decimal-zero", Some(data::decimal(2).build()), dec("0.00"));
    add("decimal-minus-one", Some(data::decimal(0).build()), dec("-1"));
    add("decimal-128", Some(data::decimal(0).build()), dec("128"));
    add("decimal-negative-scale", Some(data::decimal(-2).build()), dec("1.2E+3"));
    add("decimal-tiny", Some(data::decimal(9).build()), dec("0.000000001"));
    add("decimal-optional-null", Some(data::decimal(2).optional().build()), Null);
    add("decimal-default", Some(with_default(data::decimal(2), dec("1.00"))), Null);

    add("date", Some(data::date().build()), Date(19724 * DAY));
    add("date-negative", Some(data::date().build()), Date(-DAY));
    add("time", Some(data::time().build()), Date(45296789));
    add("timestamp", Some(data::timestamp().build()), Date(1680643371000));
    add("timestamp-negative", Some(data::timestamp().build()), Date(-1));
    add("timestamp-optional-null", Some(data::timestamp().optional().build()), Null);

    let doubles = [
        1.0,
        1e10,
        1e-5,
        0.001,
        1e7,
        9999999.0,
        1e23,
        2.82879384806159E17,
        4.9E-324,
        1e-323,
        f64::MAX,
        0.1 + 0.2,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -0.0,
        0.0,
        100.0,
        123456.789,
        -1.5e-7,
        1e-3 * 0.9999,
        5e-324 * 3.0,
        2.2250738585072014E-308,
        2.225073858507201E-308,
        9007199254740993.0,
        1e21,
        1e22,
        123e300,
        0.5,
        2e-3,
        1.0E-4,
    ];
    add(
        "doubles",
        Some(array(Schema::float64())),
        list(doubles.iter().map(|d| Float64(*d)).collect()),
    );
    let floats = [
        1.0f32,
        0.1,
        1e10,
        f32::MAX,
        1.4e-45,
        f32::MIN_POSITIVE, // 1.17549435E-38f
        16777216.0,
        1e-3,
        9999999.0,
        1e7,
        f32::NAN,
        -0.0,
        3.4e38,
        1.0e-45 * 3.0,
        0.3,
        f32::INFINITY,
    ];
    add(
        "floats",
        Some(array(Schema::float32())),
        list(floats.iter().map(|f| Float32(*f)).collect()),
    );

    add("schemaless-int", None, Int32(5));
    add("schemaless-long", None, Int64(5));
    add("schemaless-short", None, Int16(5));
    add("schemaless-byte", None, Int8(5));
    add("schemaless-double", None, Float64(1e10));
    add("schemaless-float", None, Float32(0.1));
    add("schemaless-string", None, "s".into());
    add("schemaless-bool", None, Boolean(false));
    add("schemaless-bytes", None, Bytes(vec![1, 2, 3]));
    add(
        "schemaless-list",
        None,
        list(vec![Int32(1), "a".into(), Null, list(vec![Int64(2)])]),
    );
    add(
        "schemaless-map",
        None,
        map(vec![("b".into(), Int32(1)), ("a".into(), list(vec![Boolean(true)]))]),
    );
    add(
        "schemaless-map-mixed-keys",
        None,
        map(vec![(Int32(1), "a".into()), ("b".into(), Int32(2))]),
    );
    add("schemaless-null", None, Null);
    add("schemaless-struct", None, inner(1, Some("a")));
    add("schemaless-decimal", None, dec("1"));

    add("err-int32-string", Some(Schema::int32()), "x".into());
    add("err-required-null", Some(Schema::int32()), Null);
    add("err-decimal-scale", Some(data::decimal(2).build()), dec("1.5"));
    add(
        "err-struct-schema",
        Some(SchemaBuilder::struct_().field("x", Schema::int32()).unwrap().build()),
        inner(1, None),
    );
    add("err-date-time-part", Some(data::date().build()), Date(1));
    add("err-time-range", Some(data::time().build()), Date(DAY + 1));
    add("err-timestamp-class", Some(data::timestamp().build()), Int64(5));
    add("err-bytes-class", Some(Schema::bytes()), "x".into());
    add("err-array-class", Some(array(Schema::int32())), "x".into());
    add(
        "err-map-value",
        Some(map_of(s(), Schema::int32())),
        map(vec![("k".into(), "v".into())]),
    );
    c
}

const CONTENT: &str = r#"{"type":"struct","optional":true,"fields":[{"type":"int32","field":"a","default":1},{"type":"array","items":{"type":"string"},"optional":true,"field":"b"}]}"#;

fn json_converters() -> Vec<(&'static str, JsonConverter)> {
    [
        ("env", vec![]),
        ("bare", vec![("schemas.enable", "false")]),
        ("numeric", vec![("decimal.format", "NUMERIC")]),
        ("keep-null", vec![("replace.null.with.default", "false")]),
        ("content", vec![("schema.content", CONTENT)]),
    ]
    .into_iter()
    .map(|(name, pairs)| {
        let configs = pairs.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        (name, JsonConverter::new(&configs, "value").expect("a valid config"))
    })
    .collect()
}

/// SplitMix64, as ConverterTable.java has it.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }
}

fn random_cases(t: &mut Table, bare: &JsonConverter) {
    let mut rng = SplitMix(0x0123456789ABCDEF);
    let pow10 = [1.0, 10.0, 100.0, 1000.0, 1e4, 1e5, 1e6, 1e7];
    let doubles = array(Schema::float64());
    let floats = array(Schema::float32());
    for round in 0..50 {
        let (mut d, mut f, mut sd, mut sf, mut id, mut iff) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for _ in 0..100 {
            d.push(Value::Float64(f64::from_bits(rng.next())));
            f.push(Value::Float32(f32::from_bits((rng.next() >> 32) as u32)));
            let v = ((rng.next() >> 11) % 2_000_001) as i64 - 1_000_000;
            let p = (rng.next() >> 61) as usize;
            sd.push(Value::Float64(v as f64 / pow10[p]));
            sf.push(Value::Float32(v as f32 / pow10[p] as f32));
            let bits = rng.next() as i64;
            let k = bits >> (rng.next() >> 58);
            id.push(Value::Float64(k as f64));
            iff.push(Value::Float32(k as f32));
        }
        t.line(
            "random",
            format!("int-double-{round}"),
            result(bare.from_connect_data(Some(&doubles), &Value::Array(id))),
        );
        t.line(
            "random",
            format!("int-float-{round}"),
            result(bare.from_connect_data(Some(&floats), &Value::Array(iff))),
        );
        t.line(
            "random",
            format!("bits-double-{round}"),
            result(bare.from_connect_data(Some(&doubles), &Value::Array(d))),
        );
        t.line(
            "random",
            format!("bits-float-{round}"),
            result(bare.from_connect_data(Some(&floats), &Value::Array(f))),
        );
        t.line(
            "random",
            format!("short-double-{round}"),
            result(bare.from_connect_data(Some(&doubles), &Value::Array(sd))),
        );
        t.line(
            "random",
            format!("short-float-{round}"),
            result(bare.from_connect_data(Some(&floats), &Value::Array(sf))),
        );
    }
}

fn read_inputs(name: &str) -> Vec<String> {
    std::fs::read_to_string(here().join(name))
        .expect("the inputs file")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| serde_json::from_str::<String>(l).expect("a JSON string literal"))
        .collect()
}

fn parse_cases(t: &mut Table, json: &[(&str, JsonConverter)]) {
    for (i, input) in read_inputs("json_inputs.txt").iter().enumerate() {
        let bytes = (input != "<null>").then(|| input.as_bytes().to_vec());
        for cfg in ["env", "bare", "numeric", "content"] {
            let c = &json.iter().find(|(n, _)| *n == cfg).unwrap().1;
            let name = format!("{i}/{cfg}");
            let sv = match c.to_connect_data(bytes.as_deref()) {
                Ok(sv) => sv,
                Err(e) => {
                    t.line("parse", name, format!("!{}", e.message));
                    continue;
                }
            };
            t.line("parse", name.clone(), describe(&sv));
            t.line("reparse", name, result(c.from_connect_data(sv.schema.as_deref(), &sv.value)));
        }
    }
}

fn plain_values() -> Vec<Value> {
    vec![
        "é€😀".into(),
        Value::Int32(5),
        Value::Float64(1e10),
        Value::Float32(0.1),
        Value::Boolean(true),
        list(vec![Value::Int32(1), "a".into(), Value::Null]),
        map(vec![("a".into(), Value::Int32(1)), ("b".into(), list(vec![Value::Int32(2)]))]),
        inner(1, Some("one")),
        dec("1E+3"),
        Value::Date(0),
        Value::Null,
    ]
}

fn other_converters(t: &mut Table) {
    for enc in ["UTF-8", "ISO-8859-1", "US-ASCII", "UTF-16", "UTF-16LE"] {
        let configs = BTreeMap::from([("converter.encoding".to_string(), enc.to_string())]);
        let c = new_converter("org.apache.kafka.connect.storage.StringConverter", &configs, false).unwrap();
        for (n, v) in plain_values().iter().enumerate() {
            t.line("string", format!("{enc}/from/{n}"), result(c.from_connect("t", None, v)));
        }
        let inputs: [&[u8]; 6] = [
            "é".as_bytes(),
            &[0xff, b'a'],
            &[0xe9],
            &[0xfe, 0xff, 0, b'a'],
            &[0xff, 0xfe, b'a', 0],
            b"a",
        ];
        for (n, input) in inputs.iter().enumerate() {
            t.line(
                "string",
                format!("{enc}/to/{n}"),
                describe(&c.to_connect("t", Some(input)).unwrap()),
            );
        }
        t.line("string", format!("{enc}/to/null"), describe(&c.to_connect("t", None).unwrap()));
    }

    let values = vec![
        Value::Int8(1),
        Value::Int16(-2),
        Value::Int32(-3),
        Value::Int64(4),
        Value::Float32(5.5),
        Value::Float64(6.5),
        Value::Boolean(true),
        Value::Boolean(false),
        "x".into(),
        Value::Null,
        Value::Float32(f32::NAN),
        Value::Float64(f64::NAN),
        Value::Float64(-0.0),
        Value::Float32(f32::from_bits(0x7fc00001)),
        Value::Bytes(vec![1, 2]),
    ];
    let inputs: [&[u8]; 9] = [
        &[],
        &[1],
        &[0],
        &[2],
        &[0x80, 0x01],
        &[0xff, 0xff, 0xff, 0xfe],
        &[0x3f, 0xf0, 0, 0, 0, 0, 0, 0],
        &[0x7f, 0xc0, 0, 1],
        &[1, 2, 3],
    ];
    for name in ["integer", "long", "float", "double", "short", "boolean", "bytearray"] {
        let class = match name {
            "bytearray" => "ByteArrayConverter".to_string(),
            n => format!("{}{}Converter", n[..1].to_uppercase(), &n[1..]),
        };
        let c = new_converter(&class, &BTreeMap::new(), true).unwrap();
        for (n, v) in values.iter().enumerate() {
            t.line("number", format!("{name}/from/{n}"), result(c.from_connect("t", None, v)));
        }
        for schema in [Schema::string(), Schema::boolean(), Schema::optional_bytes()] {
            t.line(
                "number",
                format!("{name}/schema/{}", schema.ty.name()),
                result(c.from_connect("t", Some(&schema), &Value::Null)),
            );
        }
        for (n, input) in inputs.iter().enumerate() {
            let r = match c.to_connect("t", Some(input)) {
                Ok(sv) => describe(&sv),
                Err(e) => format!("!{}", e.message),
            };
            t.line("number", format!("{name}/to/{n}"), r);
        }
        t.line("number", format!("{name}/to/null"), describe(&c.to_connect("t", None).unwrap()));
    }
}

fn header_values() -> Vec<Value> {
    let with_default_schema = SchemaBuilder::struct_()
        .field("a", with_default(SchemaBuilder::new(Type::Int32).optional(), Value::Int32(9)))
        .unwrap()
        .field("b", Schema::optional_string())
        .unwrap()
        .build();
    vec![
        Value::Int32(5),
        Value::Int8(-1),
        Value::Int64(4),
        Value::Float64(0.5),
        Value::Float64(1e10),
        Value::Float32(1.5),
        "plain \"text\" \\ here".into(),
        "".into(),
        Value::Boolean(true),
        list(vec!["a\"b".into(), Value::Int32(1), Value::Null, list(vec![])]),
        map(vec![
            ("k".into(), list(vec![Value::Float64(1.5), "x".into()])),
            (Value::Int32(3), Value::Boolean(false)),
        ]),
        Value::Bytes(vec![1, 2, 3]),
        Value::Date(0),
        Value::Date(DAY),
        Value::Date(DAY + 1),
        Value::Date(45296789),
        Value::Date(-1000),
        dec("1E+3"),
        dec("-0.50"),
        inner(1, Some("one")),
        Value::Struct(Struct::new(with_default_schema).unwrap()),
    ]
}

fn header_cases(t: &mut Table) {
    let h = SimpleHeaderConverter;
    for (i, input) in read_inputs("header_inputs.txt").iter().enumerate() {
        let sv = h.to_connect_header("t", "h", Some(input.as_bytes())).unwrap();
        if sv == SchemaAndValue::NULL {
            t.line("header", i.to_string(), "NULL".into());
            continue;
        }
        t.line("header", i.to_string(), describe(&sv));
        t.line(
            "header-back",
            i.to_string(),
            result(h.from_connect_header("t", "h", sv.schema.as_ref(), &sv.value)),
        );
    }
    for (n, v) in header_values().iter().enumerate() {
        t.line("header-from", n.to_string(), result(h.from_connect_header("t", "h", None, v)));
    }
}

/// A result for a failure message: decoded bytes where they are text.
fn readable(r: &str) -> String {
    match r.strip_prefix('=') {
        Some(b64) => match base64::engine::general_purpose::STANDARD.decode(b64) {
            Ok(b) => format!("{r}  ({})", String::from_utf8_lossy(&b)),
            Err(_) => r.to_string(),
        },
        None => r.to_string(),
    }
}

#[test]
fn converters_match_kafka_byte_for_byte() {
    // Documents nested 1000 deep (Jackson's limit) recurse deeper than a test thread's stack.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(compare_with_kafka)
        .expect("a thread")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

fn compare_with_kafka() {
    let kafka = kafka_table();
    let mut ours = Table::default();
    let json = json_converters();
    let env = &json[0].1;
    let content = json.iter().position(|(n, _)| *n == "content").unwrap();
    let kafka_lines: BTreeMap<_, _> = kafka.iter().cloned().collect();

    for (name, schema, value) in data_cases() {
        for (cfg, c) in &json[..content] {
            let r = c.from_connect_data(schema.as_deref(), &value);
            if *cfg == "env" {
                if let (Ok(Some(b)), false) = (&r, name == "map-struct-keys") {
                    // Our round trip of our bytes, and (below) of Kafka's.
                    let back = env
                        .to_connect_data(Some(b))
                        .and_then(|sv| env.from_connect_data(sv.schema.as_deref(), &sv.value));
                    ours.line("roundtrip", name, result(back));
                }
            }
            ours.line("json", format!("{name}/{cfg}"), result(r));
        }
    }
    random_cases(&mut ours, &json[1].1);
    parse_cases(&mut ours, &json);
    other_converters(&mut ours);
    header_cases(&mut ours);

    // Kafka's own bytes round trip through our converter as through Kafka's.
    let mut failures = Vec::new();
    for ((section, name), expected) in &kafka {
        if section != "json" || !name.ends_with("/env") || !expected.starts_with('=') {
            continue;
        }
        let case = name.trim_end_matches("/env");
        let Some(want) = kafka_lines.get(&("roundtrip".to_string(), case.to_string())) else {
            continue;
        };
        let kafka_bytes = base64::engine::general_purpose::STANDARD.decode(&expected[1..]).unwrap();
        let back = env
            .to_connect_data(Some(&kafka_bytes))
            .and_then(|sv| env.from_connect_data(sv.schema.as_deref(), &sv.value));
        let got = result(back);
        if &got != want {
            failures.push(format!(
                "roundtrip of Kafka's bytes {case}:\n  kafka: {}\n  ours:  {}",
                readable(want),
                readable(&got)
            ));
        }
    }

    for ((section, name), expected) in &kafka {
        match ours.lines.get(&(section.clone(), name.clone())) {
            None => failures.push(format!("{section} {name}: not produced here")),
            Some(got) if got != expected => failures.push(format!(
                "{section} {name}:\n  kafka: {}\n  ours:  {}",
                readable(expected),
                readable(got)
            )),
            Some(_) => {}
        }
    }
    for key in ours.lines.keys() {
        if !kafka_lines.contains_key(key) {
            failures.push(format!("{} {}: not produced by Kafka", key.0, key.1));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} results differ from Kafka's:\n{}",
        failures.len(),
        kafka.len(),
        failures.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
    assert!(kafka.len() > 2000, "the table is complete ({} results)", kafka.len());
}
