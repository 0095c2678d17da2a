//! Kaskade's transforms against Apache Kafka Connect 4.3.1's, case by case:
//! `testdata/SmtTable.java` runs Kafka's own transforms and predicates over
//! `testdata/smt_cases.json` (written by `testdata/smt_cases.py`: every transform and
//! predicate on struct and map values, logical types, defaults, SimpleDateFormat patterns,
//! Values literals, regex replacements, and the error paths) and prints each outcome (the
//! record, dropped, the predicate's answer, or the exception's message); this test runs the
//! same cases through ours and compares. Records travel as JsonConverter envelopes, read and
//! written here by a small copy of JsonConverter's rules (schemas enabled, BASE64 decimals).
//! Cases marked `knownDifference` say why we differ and are not compared.
//!
//! It needs Kafka Connect's jars (`e2e/peers/connect/fetch.sh` puts them in
//! `$KASKADE_CACHE/connect-4.3.1/libs`) and a `java`; without them it says so and passes.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use base64::Engine;
use bigdecimal::num_bigint::BigInt;
use bigdecimal::BigDecimal;
use serde_json::{json, Map, Value as Json};

use crate::data::{
    Schema, SchemaBuilder, SchemaRef, Struct, Type, Value, DATE_NAME, DECIMAL_NAME, MILLIS_PER_DAY, TIMESTAMP_NAME, TIME_NAME,
};
use crate::record::{ConnectRecord, Header, Origin};

use super::util::class_of;
use super::{new_predicate, new_transformation, resolve_class, PluginKind};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/transforms/testdata")
}

fn connect_libs() -> Option<PathBuf> {
    let cache = std::env::var_os("KASKADE_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/kaskade")))?;
    let libs = cache.join("connect-4.3.1/libs");
    libs.join("connect-transforms-4.3.1.jar").exists().then_some(libs)
}

/// `$JAVA_HOME/bin/java`, the newest JDK under `/usr/lib/jvm`, or `java`.
fn java() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(home) = std::env::var_os("JAVA_HOME") {
        candidates.push(PathBuf::from(home).join("bin/java"));
    }
    if let Ok(dir) = std::fs::read_dir("/usr/lib/jvm") {
        let mut jvms: Vec<PathBuf> = dir.filter_map(|e| e.ok()).map(|e| e.path().join("bin/java")).collect();
        jvms.sort();
        jvms.reverse();
        candidates.extend(jvms);
    }
    candidates.push(PathBuf::from("java"));
    candidates
        .into_iter()
        .find(|c| Command::new(c).arg("-version").output().is_ok_and(|o| o.status.success()))
}

// ---- JsonConverter's schema and value rules ----

fn schema_from_json(j: &Json) -> Option<SchemaRef> {
    let obj = j.as_object()?;
    let ty = match obj.get("type")?.as_str()? {
        "float" => Type::Float32,
        "double" => Type::Float64,
        other => Type::parse(other)?,
    };
    let mut b = match ty {
        Type::Array => SchemaBuilder::array(schema_from_json(obj.get("items")?)?),
        Type::Map => SchemaBuilder::map(schema_from_json(obj.get("keys")?)?, schema_from_json(obj.get("values")?)?),
        ty => SchemaBuilder::new(ty),
    };
    if obj.get("optional").and_then(Json::as_bool) == Some(true) {
        b = b.optional();
    }
    if let Some(n) = obj.get("name").and_then(Json::as_str) {
        b = b.name(n);
    }
    if let Some(v) = obj.get("version").and_then(Json::as_i64) {
        b = b.version(v as i32);
    }
    if let Some(d) = obj.get("doc").and_then(Json::as_str) {
        b = b.doc(d);
    }
    if let Some(Json::Object(params)) = obj.get("parameters") {
        for (k, v) in params {
            b = b.parameter(k.clone(), v.as_str().unwrap_or_default());
        }
    }
    if let Some(Json::Array(fields)) = obj.get("fields") {
        for f in fields {
            b = b.field(f.get("field")?.as_str()?, schema_from_json(f)?).ok()?;
        }
    }
    if let Some(d) = obj.get("default").filter(|d| !d.is_null()) {
        let so_far = b.clone().build();
        b = b.default_value(value_from_json(Some(&so_far), d)).ok()?;
    }
    Some(b.build())
}

fn value_from_json(schema: Option<&SchemaRef>, j: &Json) -> Value {
    let Some(schema) = schema else {
        return match j {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Boolean(*b),
            Json::Number(n) => n
                .as_i64()
                .map_or_else(|| Value::Float64(n.as_f64().unwrap_or_default()), Value::Int64),
            Json::String(s) => Value::String(s.clone()),
            Json::Array(items) => Value::Array(items.iter().map(|i| value_from_json(None, i)).collect()),
            Json::Object(m) => Value::Map(
                m.iter()
                    .map(|(k, v)| (Value::String(k.clone()), value_from_json(None, v)))
                    .collect(),
            ),
        };
    };
    if j.is_null() {
        return schema.default.clone().unwrap_or(Value::Null);
    }
    match schema.name.as_deref() {
        Some(DECIMAL_NAME) => {
            let bytes = B64.decode(j.as_str().unwrap_or_default()).unwrap_or_default();
            let scale = schema.parameter("scale").and_then(|s| s.parse().ok()).unwrap_or(0);
            return Value::Decimal(BigDecimal::new(BigInt::from_signed_bytes_be(&bytes), scale));
        }
        Some(DATE_NAME) => return Value::Date(j.as_i64().unwrap_or_default() * MILLIS_PER_DAY),
        Some(TIME_NAME | TIMESTAMP_NAME) => return Value::Date(j.as_i64().unwrap_or_default()),
        _ => {}
    }
    let int = || j.as_i64().unwrap_or_default();
    match schema.ty {
        Type::Int8 => Value::Int8(int() as i8),
        Type::Int16 => Value::Int16(int() as i16),
        Type::Int32 => Value::Int32(int() as i32),
        Type::Int64 => Value::Int64(int()),
        Type::Float32 => Value::Float32(j.as_f64().unwrap_or_default() as f32),
        Type::Float64 => Value::Float64(j.as_f64().unwrap_or_default()),
        Type::Boolean => Value::Boolean(j.as_bool().unwrap_or_default()),
        Type::String => Value::String(j.as_str().unwrap_or_default().to_string()),
        Type::Bytes => Value::Bytes(B64.decode(j.as_str().unwrap_or_default()).unwrap_or_default()),
        Type::Array => Value::Array(
            j.as_array()
                .into_iter()
                .flatten()
                .map(|i| value_from_json(schema.value_schema.as_ref(), i))
                .collect(),
        ),
        Type::Map => Value::Map(
            j.as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (Value::String(k.clone()), value_from_json(schema.value_schema.as_ref(), v)))
                .collect(),
        ),
        Type::Struct => {
            let mut s = Struct::new(schema.clone()).expect("struct schema");
            for f in &schema.fields {
                let v = value_from_json(Some(&f.schema), j.get(&f.name).unwrap_or(&Json::Null));
                s.put_index_unchecked(f.index, v);
            }
            Value::Struct(s)
        }
    }
}

fn schema_to_json(s: &Schema) -> Result<Json, String> {
    let ty = match s.ty {
        Type::Float32 => "float",
        Type::Float64 => "double",
        other => other.json_name(),
    };
    let mut o = Map::new();
    o.insert("type".into(), json!(ty));
    match s.ty {
        Type::Struct => {
            let mut fields = Vec::new();
            for f in &s.fields {
                let mut fj = schema_to_json(&f.schema)?;
                fj["field"] = json!(f.name);
                fields.push(fj);
            }
            o.insert("fields".into(), Json::Array(fields));
        }
        Type::Array => {
            o.insert("items".into(), schema_to_json(s.value_schema.as_ref().expect("items"))?);
        }
        Type::Map => {
            o.insert("keys".into(), schema_to_json(s.key_schema.as_ref().expect("keys"))?);
            o.insert("values".into(), schema_to_json(s.value_schema.as_ref().expect("values"))?);
        }
        _ => {}
    }
    o.insert("optional".into(), json!(s.optional));
    if let Some(n) = &s.name {
        o.insert("name".into(), json!(n));
    }
    if let Some(v) = s.version {
        o.insert("version".into(), json!(v));
    }
    if let Some(d) = &s.doc {
        o.insert("doc".into(), json!(d));
    }
    if let Some(p) = &s.parameters {
        o.insert(
            "parameters".into(),
            Json::Object(p.iter().map(|(k, v)| (k.clone(), json!(v))).collect()),
        );
    }
    if let Some(d) = &s.default {
        o.insert("default".into(), value_to_json(Some(s), d)?);
    }
    Ok(Json::Object(o))
}

/// A float as Jackson writes it: a number, or `"NaN"`/`"Infinity"` quoted.
fn float_json(v: f64, text: String) -> Json {
    if v.is_nan() {
        json!("NaN")
    } else if v.is_infinite() {
        json!(if v > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        json!(text.parse::<f64>().unwrap_or_default())
    }
}

fn value_to_json(schema: Option<&Schema>, v: &Value) -> Result<Json, String> {
    if v.is_null() {
        return match schema {
            None => Ok(Json::Null),
            Some(s) => match &s.default {
                Some(d) => value_to_json(Some(s), d),
                None if s.optional => Ok(Json::Null),
                None => Err("Conversion error: null value for field that is required and has no default value".into()),
            },
        };
    }
    if let Some(name) = schema.and_then(|s| s.name.as_deref()) {
        let wrong = |logical: &str, expected: &str| Err(format!("Invalid type for {logical}, expected {expected} but was {}", class_of(v)));
        match (name, v) {
            (DECIMAL_NAME, Value::Decimal(d)) => {
                let scale: i64 = schema.and_then(|s| s.parameter("scale")).and_then(|s| s.parse().ok()).unwrap_or(0);
                let (int, value_scale) = d.as_bigint_and_exponent();
                if value_scale != scale {
                    return Err(format!(
                        "Decimal value has mismatching scale for given Decimal schema. Schema has scale {scale}, value has scale {value_scale}."
                    ));
                }
                return Ok(json!(B64.encode(int.to_signed_bytes_be())));
            }
            (DECIMAL_NAME, _) => return wrong("Decimal", "BigDecimal"),
            (DATE_NAME, Value::Date(ms)) => {
                if ms % MILLIS_PER_DAY != 0 {
                    return Err("Kafka Connect Date type should not have any time fields set to non-zero values.".into());
                }
                return Ok(json!(ms / MILLIS_PER_DAY));
            }
            (DATE_NAME, _) => return wrong("Date", "Date"),
            (TIME_NAME, Value::Date(ms)) => {
                if *ms < 0 || *ms > MILLIS_PER_DAY {
                    return Err("Kafka Connect Time type should not have any date fields set to non-zero values.".into());
                }
                return Ok(json!(ms));
            }
            (TIME_NAME, _) => return wrong("Time", "Date"),
            (TIMESTAMP_NAME, Value::Date(ms)) => return Ok(json!(ms)),
            (TIMESTAMP_NAME, _) => return wrong("Timestamp", "Date"),
            _ => {}
        }
    }
    Ok(match v {
        Value::Null => Json::Null,
        Value::Int8(n) => json!(n),
        Value::Int16(n) => json!(n),
        Value::Int32(n) => json!(n),
        Value::Int64(n) => json!(n),
        Value::Float32(f) => float_json(f64::from(*f), f.to_string()),
        Value::Float64(f) => float_json(*f, f.to_string()),
        Value::Boolean(b) => json!(b),
        Value::String(s) => json!(s),
        Value::Bytes(b) => json!(B64.encode(b)),
        Value::Array(items) => Json::Array(
            items
                .iter()
                .map(|i| value_to_json(schema.and_then(|s| s.value_schema.as_deref()), i))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(entries) => {
            let value_schema = schema.and_then(|s| s.value_schema.as_deref());
            let object_mode = match schema {
                None => entries.iter().all(|(k, _)| matches!(k, Value::String(_))),
                Some(s) => s.key_schema.as_ref().is_some_and(|k| k.ty == Type::String),
            };
            if object_mode {
                let mut m = Map::new();
                for (k, val) in entries {
                    m.insert(k.as_str().unwrap_or_default().to_string(), value_to_json(value_schema, val)?);
                }
                Json::Object(m)
            } else {
                let key_schema = schema.and_then(|s| s.key_schema.as_deref());
                Json::Array(
                    entries
                        .iter()
                        .map(|(k, val)| Ok(json!([value_to_json(key_schema, k)?, value_to_json(value_schema, val)?])))
                        .collect::<Result<_, String>>()?,
                )
            }
        }
        Value::Struct(s) => {
            let mut m = Map::new();
            for f in &s.schema().fields {
                m.insert(f.name.clone(), value_to_json(Some(&f.schema), &s.values()[f.index])?);
            }
            Json::Object(m)
        }
        Value::Decimal(_) | Value::Date(_) => return Err(format!("Java class {} does not have corresponding schema type.", class_of(v))),
    })
}

fn decode(envelope: &Json) -> (Option<SchemaRef>, Value) {
    if envelope.is_null() {
        return (None, Value::Null);
    }
    let schema = envelope.get("schema").and_then(schema_from_json);
    let value = value_from_json(schema.as_ref(), envelope.get("payload").unwrap_or(&Json::Null));
    (schema, value)
}

fn encode(schema: Option<&SchemaRef>, value: &Value) -> Result<Json, String> {
    if schema.is_none() && value.is_null() {
        return Ok(Json::Null);
    }
    Ok(json!({
        "schema": schema.map(|s| schema_to_json(s)).transpose()?,
        "payload": value_to_json(schema.map(|s| &**s), value)?,
    }))
}

fn record_from_case(case: &Json) -> ConnectRecord {
    let r = &case["record"];
    let (key_schema, key) = decode(&r["key"]);
    let (value_schema, value) = decode(&r["value"]);
    let topic = r["topic"].as_str().unwrap_or_default().to_string();
    let headers = r
        .get("headers")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .map(|h| {
            let (schema, value) = decode(&h["value"]);
            Header {
                key: h["key"].as_str().unwrap_or_default().to_string(),
                schema,
                value,
            }
        })
        .collect();
    let origin = if case["sink"].as_bool() == Some(true) {
        Origin::Sink {
            kafka_offset: 42,
            timestamp_type: "CreateTime",
            original_topic: topic.clone(),
            original_partition: r["partition"].as_i64().unwrap_or(0) as i32,
        }
    } else {
        Origin::Source {
            partition: json!({"table": "t"}),
            offset: json!({"id": 1}),
        }
    };
    ConnectRecord {
        kafka_partition: r["partition"].as_i64().map(|p| p as i32),
        timestamp: r["timestamp"].as_i64(),
        topic,
        key_schema,
        key,
        value_schema,
        value,
        headers,
        origin,
    }
}

/// Our outcome for one case, in `SmtTable.java`'s output format.
fn run_case(case: &Json) -> Json {
    let mut out = Map::new();
    out.insert("name".into(), case["name"].clone());
    let class = case["class"].as_str().unwrap_or_default();
    let config: BTreeMap<String, String> = case["config"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    let record = record_from_case(case);
    if let Some((_, PluginKind::Predicate)) = resolve_class(class) {
        match new_predicate(class, &config) {
            Ok(p) => out.insert("test".into(), json!(p.test(&record))),
            Err(e) => out.insert("configError".into(), json!(e.to_string())),
        };
        return Json::Object(out);
    }
    let t = match new_transformation(class, &config) {
        Ok(t) => t,
        Err(e) => {
            out.insert("configError".into(), json!(e.to_string()));
            return Json::Object(out);
        }
    };
    match t.apply(record) {
        Err(e) => {
            out.insert("error".into(), json!(e.message));
        }
        Ok(None) => {
            out.insert("dropped".into(), json!(true));
        }
        Ok(Some(r)) => {
            let encoded = (|| -> Result<Json, String> {
                let mut rec = Map::new();
                rec.insert("topic".into(), json!(r.topic));
                if let Some(p) = r.kafka_partition {
                    rec.insert("partition".into(), json!(p));
                }
                if let Some(ts) = r.timestamp {
                    rec.insert("timestamp".into(), json!(ts));
                }
                rec.insert("key".into(), encode(r.key_schema.as_ref(), &r.key)?);
                rec.insert("value".into(), encode(r.value_schema.as_ref(), &r.value)?);
                let headers = r
                    .headers
                    .iter()
                    .map(|h| Ok(json!({"key": h.key, "value": encode(h.schema.as_ref(), &h.value)?})))
                    .collect::<Result<Vec<_>, String>>()?;
                rec.insert("headers".into(), Json::Array(headers));
                Ok(Json::Object(rec))
            })();
            match encoded {
                Ok(rec) => out.insert("record".into(), rec),
                Err(e) => out.insert("encodeError".into(), json!(e)),
            };
        }
    }
    Json::Object(out)
}

/// Messages that cannot match character for character: Java's regex syntax errors.
fn normalize(mut j: Json) -> Json {
    for key in ["configError", "error"] {
        if let Some(Json::String(s)) = j.get_mut(key) {
            if let Some(at) = s.find("Invalid regex: ") {
                s.truncate(at + "Invalid regex: ".len());
            }
        }
    }
    j
}

/// JSON equality, with floats compared to within serde_json's parsing error (it does not
/// always round `1.0E30` to the nearest double).
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            x == y || (x - y).abs() <= 1e-14 * x.abs().max(y.abs())
        }
        (Json::Array(x), Json::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Json::Object(x), Json::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w))),
        _ => a == b,
    }
}

#[test]
fn transforms_match_kafka_connect() {
    let (Some(libs), Some(java)) = (connect_libs(), java()) else {
        eprintln!("skipped: Kafka Connect 4.3.1's jars (e2e/peers/connect/fetch.sh) or java not found");
        return;
    };
    let cases_path = testdata().join("smt_cases.json");
    let out = Command::new(&java)
        .arg("-cp")
        .arg(format!("{}/*", libs.display()))
        .arg(testdata().join("SmtTable.java"))
        .arg(&cases_path)
        .output()
        .expect("run SmtTable.java");
    assert!(
        out.status.success(),
        "SmtTable.java failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kafka: Vec<Json> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let cases: Vec<Json> = serde_json::from_str(&std::fs::read_to_string(&cases_path).unwrap()).unwrap();
    assert_eq!(kafka.len(), cases.len(), "one line per case");
    let mut mismatches = Vec::new();
    for (case, expected) in cases.iter().zip(kafka) {
        // Inputs JsonConverter refuses, and the differences the cases document.
        if expected.get("inputError").is_some() || case.get("knownDifference").is_some() {
            continue;
        }
        let ours = run_case(case);
        let (ours, expected) = (normalize(ours), normalize(expected));
        if !same(&ours, &expected) {
            mismatches.push(format!("{}\n  kafka: {expected}\n  ours:  {ours}", case["name"]));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} cases differ from Kafka Connect:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );
}
