//! `org.apache.kafka.connect.storage.SimpleHeaderConverter`, Connect's default
//! `header.converter`: a header value is written as text (`Values.convertToString`) and read by
//! guessing its schema from the text (`Values.parseString`): `true`, `42` (the smallest integer
//! type that holds it), `1.5` (float32), `[1,2]`, `{"a":1}`, ISO-8601 dates, times and
//! timestamps, or else the string itself. The guessing is Kafka's tokenizer and parser, ported
//! step by step, because where it gives up (`[1,null]` stays a string) is part of the format.
//!
//! Dates and times are formatted and parsed in UTC (Kafka uses the JVM's time zone, UTC in its
//! images), on the proleptic Gregorian calendar; numeric fields of a date may carry a sign and
//! roll over as `SimpleDateFormat`'s lenient parsing does, but only ASCII digits are digits.

use base64::Engine;
use bigdecimal::num_bigint::BigInt;
use bigdecimal::BigDecimal;

use super::java::{self, Civil};
use super::HeaderConverter;
use crate::data::{self, DataError, Schema, SchemaAndValue, SchemaBuilder, SchemaRef, Type, Value, MILLIS_PER_DAY};

pub const CLASS: &str = "org.apache.kafka.connect.storage.SimpleHeaderConverter";

/// Header texts nested deeper than this are kept as bytes, as Java's are when its parser
/// overflows its stack.
const MAX_DEPTH: usize = 1000;

/// SimpleHeaderConverter: no settings.
#[derive(Debug, Clone, Copy)]
pub struct SimpleHeaderConverter;

impl HeaderConverter for SimpleHeaderConverter {
    fn from_connect_header(
        &self,
        _topic: &str,
        _key: &str,
        schema: Option<&SchemaRef>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, DataError> {
        let _ = schema;
        let deep = super::value_depth(value) > super::DEEP;
        Ok(super::on_large_stack(deep, || {
            (!value.is_null()).then(|| convert_to_string(value).into_bytes())
        }))
    }

    fn to_connect_header(&self, _topic: &str, _key: &str, bytes: Option<&[u8]>) -> Result<SchemaAndValue, DataError> {
        let Some(bytes) = bytes else {
            return Ok(SchemaAndValue::NULL);
        };
        let text = String::from_utf8_lossy(bytes);
        let depth = super::text_depth(bytes);
        // Java's parser recurses without a limit and falls back to the bytes when its stack
        // overflows; ours stops at a depth it can always hold.
        let parsed = if depth > MAX_DEPTH {
            Err(DataError::new("nested too deeply"))
        } else {
            super::on_large_stack(depth > super::DEEP, || parse_string(&text))
        };
        Ok(match parsed {
            Ok(Some(parsed)) => parsed,
            Ok(None) => SchemaAndValue::NULL,
            Err(_) => SchemaAndValue {
                schema: Some(Schema::bytes()),
                value: Value::Bytes(bytes.to_vec()),
            },
        })
    }
}

/// `Values.convertToString`: the text of a value (strings bare at the top level, quoted and
/// escaped inside arrays, maps and structs).
pub fn convert_to_string(value: &Value) -> String {
    let mut out = String::new();
    append(&mut out, value, false);
    out
}

fn append(out: &mut String, value: &Value, embedded: bool) {
    match value {
        Value::Null => out.push_str("null"),
        Value::String(s) if embedded => {
            out.push('"');
            out.push_str(&s.replace('\\', "\\\\").replace('"', "\\\""));
            out.push('"');
        }
        Value::Bytes(b) => {
            let text = base64::engine::general_purpose::STANDARD.encode(b);
            if embedded {
                out.push('"');
                out.push_str(&text);
                out.push('"');
            } else {
                out.push_str(&text);
            }
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, item, true);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, k, true);
                out.push(':');
                append(out, v, true);
            }
            out.push('}');
        }
        Value::Struct(s) => {
            out.push('{');
            for (i, field) in s.schema().fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, &Value::String(field.name.clone()), true);
                out.push(':');
                append(out, s.get_index(field.index), true);
            }
            out.push('}');
        }
        Value::Date(ms) => out.push_str(&format_date(*ms)),
        other => out.push_str(&java::to_java_string(other)),
    }
}

/// `Values.dateFormatFor(date).format(date)`: a time within the first day, a date at midnight,
/// a timestamp otherwise.
fn format_date(ms: i64) -> String {
    let c = Civil::from_millis(ms);
    let time = format!("{:02}:{:02}:{:02}.{:03}Z", c.hour, c.minute, c.second, c.milli);
    let date = format!("{:04}-{:02}-{:02}", c.year, c.month, c.day);
    if ms < MILLIS_PER_DAY {
        time
    } else if ms % MILLIS_PER_DAY == 0 {
        date
    } else {
        format!("{date}T{time}")
    }
}

/// `Values.parseString`: `Ok(None)` is Java's `null` (the text `null`).
pub fn parse_string(text: &str) -> Result<Option<SchemaAndValue>, DataError> {
    if text.is_empty() {
        return Ok(Some(sv(Schema::string(), Value::String(String::new()))));
    }
    let mut parser = ValueParser { p: Tokens::new(text) };
    parser.parse(false)
}

fn sv(schema: SchemaRef, value: Value) -> SchemaAndValue {
    SchemaAndValue {
        schema: Some(schema),
        value,
    }
}

/// `String.trim().isEmpty()`.
fn is_blank(s: &str) -> bool {
    java::trim(s).is_empty()
}

/// Kafka's `Values.Parser`: delimiters (`: , { } [ ] "`) are tokens of their own unless escaped
/// with a backslash; everything between them is one token, whitespace included.
struct Tokens {
    original: Vec<char>,
    pos: usize,
    next_token: Option<String>,
    previous: Option<String>,
}

impl Tokens {
    fn new(text: &str) -> Self {
        Tokens {
            original: text.chars().collect(),
            pos: 0,
            next_token: None,
            previous: None,
        }
    }

    fn original(&self) -> String {
        self.original.iter().collect()
    }

    fn mark(&self) -> usize {
        self.pos - self.next_token.as_ref().map_or(0, |t| t.chars().count())
    }

    fn rewind_to(&mut self, pos: usize) {
        self.pos = pos;
        self.next_token = None;
        self.previous = None;
    }

    fn can_consume_next_token(&self) -> bool {
        self.pos < self.original.len()
    }

    fn has_next(&self) -> bool {
        self.next_token.is_some() || self.can_consume_next_token()
    }

    fn next(&mut self) -> String {
        let token = match self.next_token.take() {
            Some(t) => t,
            None => self.consume_next_token(),
        };
        self.previous = Some(token.clone());
        token
    }

    /// `next(n)`: the text of the next `n` tokens, or `None` (and no move) when there are fewer.
    fn next_n(&mut self, n: usize) -> Option<String> {
        let start = self.mark();
        for _ in 0..n {
            if !self.has_next() {
                self.rewind_to(start);
                return None;
            }
            self.next();
        }
        Some(self.original[start..self.pos].iter().collect())
    }

    fn consume_next_token(&mut self) -> String {
        let mut escaped = false;
        let start = self.pos;
        while self.can_consume_next_token() {
            match self.original[self.pos] {
                '\\' => escaped = !escaped,
                ':' | ',' | '{' | '}' | '[' | ']' | '"' => {
                    if !escaped {
                        if start < self.pos {
                            return self.original[start..self.pos].iter().collect();
                        }
                        self.pos += 1;
                        return self.original[start..start + 1].iter().collect();
                    }
                    escaped = false;
                }
                _ => escaped = false,
            }
            self.pos += 1;
        }
        self.original[start..self.pos].iter().collect()
    }

    fn previous(&self) -> Option<&str> {
        self.previous.as_deref()
    }

    /// `canConsume(expected)`: the next non-blank token, trimmed, is `expected`.
    fn can_consume(&mut self, expected: &str) -> bool {
        if self.next_token.is_none() {
            if !self.has_next() {
                return false;
            }
            self.next_token = Some(self.consume_next_token());
        }
        while self.next_token.as_deref().is_some_and(is_blank) && self.can_consume_next_token() {
            self.next_token = Some(self.consume_next_token());
        }
        if self.next_token.as_deref().map(java::trim) == Some(expected) {
            self.next_token = None;
            return true;
        }
        false
    }
}

struct ValueParser {
    p: Tokens,
}

type Parsed = Result<Option<SchemaAndValue>, DataError>;

impl ValueParser {
    fn can_parse_single_token_literal(&mut self, embedded: bool, literal: &str) -> bool {
        let start = self.p.mark();
        if self.p.can_consume(literal) && (embedded || !self.p.has_next()) {
            return true;
        }
        self.p.rewind_to(start);
        false
    }

    fn parse(&mut self, embedded: bool) -> Parsed {
        if !self.p.has_next() {
            return Ok(None);
        }
        if embedded && self.p.can_consume("\"") {
            return Ok(Some(self.parse_quoted_string()));
        }
        if self.can_parse_single_token_literal(embedded, "null") {
            return Ok(None);
        }
        if self.can_parse_single_token_literal(embedded, "true") {
            return Ok(Some(sv(Schema::boolean(), Value::Boolean(true))));
        }
        if self.can_parse_single_token_literal(embedded, "false") {
            return Ok(Some(sv(Schema::boolean(), Value::Boolean(false))));
        }
        let start = self.p.mark();
        let nested = if self.p.can_consume("[") {
            Some(self.parse_array())
        } else if self.p.can_consume("{") {
            Some(self.parse_map())
        } else {
            None
        };
        match nested {
            Some(Ok(v)) => return Ok(Some(v)),
            Some(Err(_)) => self.p.rewind_to(start),
            None => {}
        }
        let token = self.p.next();
        if is_blank(&token) {
            return Ok(Some(sv(Schema::string(), Value::String(token))));
        }
        self.parse_next_token(embedded, java::trim(&token)).map(Some)
    }

    fn parse_next_token(&mut self, embedded: bool, token: &str) -> Result<SchemaAndValue, DataError> {
        let first = token.chars().next().unwrap_or(' ');
        let digit = first.is_ascii_digit();
        if digit {
            if let Some(temporal) = self.parse_multiple_tokens_as_temporal(token) {
                return Ok(temporal);
            }
        }
        if digit || first == '+' || first == '-' {
            if let Some(number) = parse_as_number(token) {
                return Ok(number);
            }
        }
        if embedded {
            return Err(DataError::new("Failed to parse embedded value"));
        }
        Ok(sv(Schema::string(), Value::String(self.p.original())))
    }

    fn parse_quoted_string(&mut self) -> SchemaAndValue {
        let mut content = String::new();
        while self.p.has_next() {
            if self.p.can_consume("\"") {
                break;
            }
            content.push_str(&self.p.next());
        }
        parse_as_temporal(&content).unwrap_or_else(|| sv(Schema::string(), Value::String(content)))
    }

    fn parse_array(&mut self) -> Result<SchemaAndValue, DataError> {
        let mut result = Vec::new();
        let mut merger = SchemaMerger::default();
        while self.p.has_next() {
            if self.p.can_consume("]") {
                return Ok(match merger.common.clone() {
                    Some(elem) => {
                        let schema = SchemaBuilder::array(elem.clone()).build();
                        let aligned = result.into_iter().map(|v| convert_to(&elem, v)).collect::<Result<Vec<_>, _>>()?;
                        sv(schema, Value::Array(aligned))
                    }
                    None => sv(SchemaBuilder::new(Type::Array).build(), Value::Array(result)),
                });
            }
            if self.p.can_consume(",") {
                return Err(DataError::new(format!(
                    "Unable to parse an empty array element: {}",
                    self.p.original()
                )));
            }
            let element = self.parse(true)?;
            merger.merge(element.as_ref());
            result.push(element.map_or(Value::Null, |e| e.value));
            let current = self.p.mark();
            if self.p.can_consume("]") {
                self.p.rewind_to(current);
            } else if !self.p.can_consume(",") {
                return Err(DataError::new("Array elements missing ',' delimiter"));
            }
        }
        if self.p.previous() == Some(",") {
            return Err(DataError::new(format!("Array is missing element after ',': {}", self.p.original())));
        }
        Err(DataError::new(format!("Array is missing terminating ']': {}", self.p.original())))
    }

    fn parse_map(&mut self) -> Result<SchemaAndValue, DataError> {
        let mut result: Vec<(Value, Value)> = Vec::new();
        let mut keys = SchemaMerger::default();
        let mut values = SchemaMerger::default();
        while self.p.has_next() {
            if self.p.can_consume("}") {
                return Ok(match (keys.common.clone(), values.common.clone()) {
                    (Some(k), v) => {
                        let schema = match &v {
                            Some(v) => SchemaBuilder::map(k.clone(), v.clone()).build(),
                            None => {
                                let mut schema = SchemaBuilder::new(Type::Map).build();
                                SchemaRef::make_mut(&mut schema).key_schema = Some(k.clone());
                                schema
                            }
                        };
                        let aligned = result
                            .into_iter()
                            .map(|(key, value)| {
                                let key = convert_to(&k, key)?;
                                let value = match &v {
                                    Some(v) => convert_to(v, value)?,
                                    None => value,
                                };
                                Ok((key, value))
                            })
                            .collect::<Result<Vec<_>, DataError>>()?;
                        sv(schema, Value::Map(linked(aligned)))
                    }
                    _ => sv(SchemaBuilder::new(Type::Map).build(), Value::Map(result)),
                });
            }
            if self.p.can_consume(",") {
                return Err(DataError::new(format!(
                    "Unable to parse a map entry with no key or value: {}",
                    self.p.original()
                )));
            }
            let key = self.parse(true)?;
            let Some(key) = key.filter(|k| !k.value.is_null()) else {
                return Err(DataError::new(format!("Map entry may not have a null key: {}", self.p.original())));
            };
            if !self.p.can_consume(":") {
                let at: usize = self.p.original[..self.p.pos].iter().map(|c| c.len_utf16()).sum();
                return Err(DataError::new(format!("Map entry is missing ':' at {at} in {}", self.p.original())));
            }
            let value = self.parse(true)?;
            let entry_value = value.as_ref().map_or(Value::Null, |v| v.value.clone());
            keys.merge(Some(&key));
            values.merge(value.as_ref());
            result = linked_put(result, key.value, entry_value);
            self.p.can_consume(",");
        }
        if self.p.previous() == Some(",") {
            return Err(DataError::new(format!("Map is missing element after ',': {}", self.p.original())));
        }
        Err(DataError::new(format!("Map is missing terminating '}}': {}", self.p.original())))
    }

    fn parse_multiple_tokens_as_temporal(&mut self, token: &str) -> Option<SchemaAndValue> {
        let position = self.p.mark();
        if let Some(remainder) = self.p.next_n(4) {
            if let Some(t) = parse_as_temporal(&format!("{token}{remainder}")) {
                return Some(t);
            }
        }
        self.p.rewind_to(position);
        parse_as_temporal(token)
    }
}

/// A `LinkedHashMap.put`: a repeated key keeps its place and takes the new value.
fn linked_put(mut entries: Vec<(Value, Value)>, key: Value, value: Value) -> Vec<(Value, Value)> {
    match entries.iter_mut().find(|(k, _)| java::java_equals(k, &key)) {
        Some(slot) => slot.1 = value,
        None => entries.push((key, value)),
    }
    entries
}

fn linked(entries: Vec<(Value, Value)>) -> Vec<(Value, Value)> {
    entries.into_iter().fold(Vec::new(), |acc, (k, v)| linked_put(acc, k, v))
}

/// Kafka's `SchemaMerger`: the common schema of a list's elements (numbers widen), or none.
#[derive(Default)]
struct SchemaMerger {
    common: Option<SchemaRef>,
    incompatible: bool,
}

impl SchemaMerger {
    fn merge(&mut self, latest: Option<&SchemaAndValue>) {
        let Some(schema) = latest.and_then(|l| l.schema.clone()) else {
            return;
        };
        if self.incompatible {
            return;
        }
        self.common = match self.common.take() {
            None => Some(schema),
            Some(previous) => merge_schemas(previous, schema),
        };
        self.incompatible = self.common.is_none();
    }
}

fn merge_schemas(previous: SchemaRef, new: SchemaRef) -> Option<SchemaRef> {
    use Type::*;
    let rank = |t: Type| match t {
        Int8 => Some(0),
        Int16 => Some(1),
        Int32 => Some(2),
        Int64 => Some(3),
        Float32 => Some(4),
        Float64 => Some(5),
        _ => None,
    };
    if previous.ty != new.ty {
        // Numbers widen to the wider of the two.
        let (a, b) = (rank(previous.ty)?, rank(new.ty)?);
        return Some(if a > b { previous } else { new });
    }
    if previous.optional == new.optional {
        return Some(if previous.optional { previous } else { new });
    }
    (previous == new).then_some(previous)
}

/// `Values.convertTo(toSchema, null, value)` for the values the parser produces.
fn convert_to(to: &SchemaRef, value: Value) -> Result<Value, DataError> {
    let unable = |v: &Value| {
        DataError::new(format!(
            "Unable to convert {} ({}) to a number",
            java::to_java_string(v),
            java::class_of(v)
        ))
    };
    if value.is_null() {
        if to.optional {
            return Ok(Value::Null);
        }
        return Err(DataError::new("Unable to convert a null value to a schema that requires a value"));
    }
    let as_long = |v: &Value| -> Result<i64, DataError> {
        Ok(match v {
            Value::Int8(x) => i64::from(*x),
            Value::Int16(x) => i64::from(*x),
            Value::Int32(x) => i64::from(*x),
            Value::Int64(x) => *x,
            Value::Float32(x) => *x as i64,
            Value::Float64(x) => *x as i64,
            other => return Err(unable(other)),
        })
    };
    let as_double = |v: &Value| -> Result<f64, DataError> {
        Ok(match v {
            Value::Float32(x) => f64::from(*x),
            Value::Float64(x) => *x,
            other => as_long(other)? as f64,
        })
    };
    let name = to.name.as_deref();
    Ok(match to.ty {
        Type::Int8 => match value {
            Value::Int8(_) => value,
            v => Value::Int8(as_long(&v)? as i8),
        },
        Type::Int16 => match value {
            Value::Int16(_) => value,
            v => Value::Int16(as_long(&v)? as i16),
        },
        Type::Int32 if name == Some(data::DATE_NAME) => match value {
            Value::Date(_) => value,
            v => Value::Date(i64::from(as_long(&v)? as i32) * MILLIS_PER_DAY),
        },
        Type::Int32 if name == Some(data::TIME_NAME) => match value {
            Value::Date(_) => value,
            v => {
                let ms = as_long(&v)? as i32;
                if ms < 0 || i64::from(ms) > MILLIS_PER_DAY {
                    return Err(DataError::new(
                        "Time values must use number of milliseconds greater than 0 and less than 86400000",
                    ));
                }
                Value::Date(i64::from(ms))
            }
        },
        Type::Int32 => match value {
            Value::Int32(_) => value,
            v => Value::Int32(as_long(&v)? as i32),
        },
        Type::Int64 if name == Some(data::TIMESTAMP_NAME) => match value {
            Value::Date(_) => value,
            v => Value::Date(as_long(&v)?),
        },
        Type::Int64 => match value {
            Value::Int64(_) => value,
            v => Value::Int64(as_long(&v)?),
        },
        Type::Float32 => match value {
            Value::Float32(_) => value,
            v => Value::Float32(as_double(&v)? as f32),
        },
        Type::Float64 => match value {
            Value::Float64(_) => value,
            v => Value::Float64(as_double(&v)?),
        },
        Type::String => Value::String(convert_to_string(&value)),
        Type::Boolean => match value {
            Value::Boolean(_) => value,
            v => Value::Boolean(as_long(&v)? != 0),
        },
        Type::Bytes => match value {
            Value::Decimal(_) | Value::Bytes(_) => value,
            v => return Err(unable(&v)),
        },
        Type::Array => match value {
            Value::Array(_) => value,
            v => return Err(unable(&v)),
        },
        Type::Map => match value {
            Value::Map(_) => value,
            v => return Err(unable(&v)),
        },
        Type::Struct => match value {
            Value::Struct(_) => value,
            v => return Err(unable(&v)),
        },
    })
}

/// `new BigDecimal(token)`: sign, digits with an optional point, optional exponent; `None`
/// where Java throws `NumberFormatException`. The result is the unscaled value and the scale.
fn parse_big_decimal(token: &str) -> Option<(BigInt, i64)> {
    let (mantissa, exponent) = match token.find(['e', 'E']) {
        Some(i) => (&token[..i], Some(&token[i + 1..])),
        None => (token, None),
    };
    let (negative, digits) = match mantissa.as_bytes().first()? {
        b'-' => (true, &mantissa[1..]),
        b'+' => (false, &mantissa[1..]),
        _ => (false, mantissa),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.bytes().chain(frac_part.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let exp: i64 = match exponent {
        Some(e) => {
            let e = e.strip_prefix('+').unwrap_or(e);
            if e.is_empty() || e.starts_with(['+']) || !e.trim_start_matches('-').bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let v: i64 = e.parse().ok()?;
            i32::try_from(v).ok()?;
            v
        }
        None => 0,
    };
    let scale = frac_part.len() as i64 - exp;
    i32::try_from(scale).ok()?;
    let mut unscaled: BigInt = format!("{int_part}{frac_part}").parse().ok()?;
    if negative {
        unscaled = -unscaled;
    }
    Some((unscaled, scale))
}

/// `ValueParser.parseAsNumber`: the smallest integer type for a whole number that fits a long,
/// float32 or float64 for a fraction, a Decimal for the rest.
fn parse_as_number(token: &str) -> Option<SchemaAndValue> {
    let (unscaled, scale) = parse_big_decimal(token)?;
    let magnitude = unscaled.magnitude().to_string();
    let zero = unscaled.sign() == bigdecimal::num_bigint::Sign::NoSign;
    let trailing = magnitude.len() - magnitude.trim_end_matches('0').len();
    let adjusted = magnitude.len() as i64 - 1 - scale;
    let bigger_than_long = !zero && (adjusted > 19 || (adjusted == 19 && magnitude.trim_end_matches('0') != "1"));
    let below_one = !zero && adjusted < 0;
    if !bigger_than_long && !below_one {
        let whole = zero || scale <= 0 || trailing as i64 >= scale;
        if whole {
            let integral = if scale <= 0 {
                unscaled * BigInt::from(10u8).pow((-scale) as u32)
            } else {
                unscaled / BigInt::from(10u8).pow(scale as u32)
            };
            if let Ok(v) = i64::try_from(&integral) {
                return Some(if let Ok(v) = i8::try_from(v) {
                    sv(Schema::int8(), Value::Int8(v))
                } else if let Ok(v) = i16::try_from(v) {
                    sv(Schema::int16(), Value::Int16(v))
                } else if let Ok(v) = i32::try_from(v) {
                    sv(Schema::int32(), Value::Int32(v))
                } else {
                    sv(Schema::int64(), Value::Int64(v))
                });
            }
            let decimal = BigDecimal::new(integral, 0);
            return Some(sv(data::decimal(0).build(), Value::Decimal(decimal)));
        }
    }
    let text = format!("{unscaled}e{}", -scale);
    let f: f32 = if zero { 0.0 } else { text.parse().ok()? };
    let d: f64 = if zero { 0.0 } else { text.parse().ok()? };
    if f.is_finite() && scale != 0 {
        return Some(sv(Schema::float32(), Value::Float32(f)));
    }
    if d.is_finite() && scale != 0 {
        return Some(sv(Schema::float64(), Value::Float64(d)));
    }
    let scale32 = scale as i32;
    let (unscaled, _) = parse_big_decimal(token)?;
    Some(sv(data::decimal(scale32).build(), Value::Decimal(BigDecimal::new(unscaled, scale))))
}

/// `ValueParser.parseAsTemporal`: by length, a time (`HH:mm:ss.SSSZ`), a timestamp or a date.
fn parse_as_temporal(token: &str) -> Option<SchemaAndValue> {
    let token = token.replace("\\:", ":");
    let (schema, pattern): (SchemaRef, &[Part]) = match token.encode_utf16().count() {
        13 => (data::time().build(), TIME),
        24 => (data::timestamp().build(), TIMESTAMP),
        10 => (data::date().build(), DATE),
        _ => return None,
    };
    parse_lenient(&token, pattern).map(|ms| sv(schema, Value::Date(ms)))
}

/// One element of a `SimpleDateFormat` pattern.
#[derive(Clone, Copy)]
enum Part {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    Milli,
    Literal(char),
}

const DATE: &[Part] = &[Part::Year, Part::Literal('-'), Part::Month, Part::Literal('-'), Part::Day];
const TIME: &[Part] = &[
    Part::Hour,
    Part::Literal(':'),
    Part::Minute,
    Part::Literal(':'),
    Part::Second,
    Part::Literal('.'),
    Part::Milli,
    Part::Literal('Z'),
];
const TIMESTAMP: &[Part] = &[
    Part::Year,
    Part::Literal('-'),
    Part::Month,
    Part::Literal('-'),
    Part::Day,
    Part::Literal('T'),
    Part::Hour,
    Part::Literal(':'),
    Part::Minute,
    Part::Literal(':'),
    Part::Second,
    Part::Literal('.'),
    Part::Milli,
    Part::Literal('Z'),
];

/// A lenient `SimpleDateFormat.parse` of these patterns in UTC: every numeric field is followed
/// by a literal (or ends the pattern), so it takes all the digits there are (and a minus sign);
/// out-of-range fields roll over. Text after the pattern is ignored, as `parse(text, pos)` does.
fn parse_lenient(text: &str, pattern: &[Part]) -> Option<i64> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let (mut year, mut month, mut day) = (1970i64, 1i64, 1i64);
    let (mut hour, mut minute, mut second, mut milli) = (0i64, 0i64, 0i64, 0i64);
    for part in pattern {
        if let Part::Literal(c) = part {
            if chars.get(i) != Some(c) {
                return None;
            }
            i += 1;
            continue;
        }
        let start = i;
        if chars.get(i) == Some(&'-') {
            i += 1;
        }
        let digits = i;
        while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
        if i == digits {
            return None;
        }
        let n: i64 = chars[start..i].iter().collect::<String>().parse().ok()?;
        let n = i64::from(n as i32);
        match part {
            Part::Year => year = n,
            Part::Month => month = n,
            Part::Day => day = n,
            Part::Hour => hour = n,
            Part::Minute => minute = n,
            Part::Second => second = n,
            Part::Milli => milli = n,
            Part::Literal(_) => unreachable!(),
        }
    }
    let days = Civil::days_from_civil(year, month, day);
    Some(days * MILLIS_PER_DAY + hour * 3_600_000 + minute * 60_000 + second * 1000 + milli)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Option<(SchemaRef, Value)> {
        parse_string(text).unwrap().map(|s| (s.schema.unwrap(), s.value))
    }

    #[test]
    fn infers_primitives() {
        assert_eq!(parsed("true"), Some((Schema::boolean(), Value::Boolean(true))));
        assert_eq!(parsed("null"), None);
        assert_eq!(parsed("42"), Some((Schema::int8(), Value::Int8(42))));
        assert_eq!(parsed("300"), Some((Schema::int16(), Value::Int16(300))));
        assert_eq!(parsed("-70000"), Some((Schema::int32(), Value::Int32(-70000))));
        assert_eq!(parsed("1.0"), Some((Schema::int8(), Value::Int8(1))));
        assert_eq!(parsed("1.5"), Some((Schema::float32(), Value::Float32(1.5))));
        assert_eq!(
            parsed("hello, world"),
            Some((Schema::string(), Value::String("hello, world".into())))
        );
        assert_eq!(parsed("42abc"), Some((Schema::string(), Value::String("42abc".into()))));
        assert_eq!(parsed(""), Some((Schema::string(), Value::String(String::new()))));
        let (schema, value) = parsed("99999999999999999999").unwrap();
        assert_eq!(schema.name.as_deref(), Some(data::DECIMAL_NAME));
        assert_eq!(value, Value::Decimal("99999999999999999999".parse().unwrap()));
    }

    #[test]
    fn infers_arrays_maps_and_temporals() {
        let (schema, value) = parsed("[1, 2.5]").unwrap();
        assert_eq!(schema.value_schema, Some(Schema::float32()));
        assert_eq!(value, Value::Array(vec![Value::Float32(1.0), Value::Float32(2.5)]));
        assert_eq!(parsed("[1,null]"), Some((Schema::string(), Value::String("[1,null]".into()))));
        let (schema, value) = parsed(r#"{"a":1,"b":2}"#).unwrap();
        assert_eq!(
            (schema.key_schema.clone(), schema.value_schema.clone()),
            (Some(Schema::string()), Some(Schema::int8()))
        );
        assert_eq!(value, Value::Map(vec![("a".into(), Value::Int8(1)), ("b".into(), Value::Int8(2))]));
        assert_eq!(parsed("2024-01-02").unwrap().1, Value::Date(19724 * MILLIS_PER_DAY));
        assert_eq!(parsed("12:34:56.789Z").unwrap().1, Value::Date(45_296_789));
        assert_eq!(parsed("1970-01-02T00:00:00.001Z").unwrap().1, Value::Date(MILLIS_PER_DAY + 1));
    }

    #[test]
    fn writes_text() {
        let map = Value::Map(vec![("k".into(), Value::Array(vec!["a\"b".into(), Value::Int32(1)]))]);
        assert_eq!(convert_to_string(&map), r#"{"k":["a\"b",1]}"#);
        assert_eq!(convert_to_string(&Value::Date(MILLIS_PER_DAY + 1)), "1970-01-02T00:00:00.001Z");
        assert_eq!(convert_to_string(&Value::Bytes(vec![1, 2])), "AQI=");
        let c = SimpleHeaderConverter;
        assert_eq!(c.to_connect_header("t", "k", None).unwrap(), SchemaAndValue::NULL);
        assert_eq!(
            c.from_connect_header("t", "k", None, &Value::Float64(0.5)).unwrap(),
            Some(b"0.5".to_vec())
        );
    }

    #[test]
    fn deep_texts_do_not_overflow_the_stack() {
        let c = SimpleHeaderConverter;
        let text = format!("{}1{}", "[".repeat(900), "]".repeat(900));
        let parsed = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let sv = c.to_connect_header("t", "k", Some(text.as_bytes())).unwrap();
                let back = c.from_connect_header("t", "k", sv.schema.as_ref(), &sv.value).unwrap();
                (sv.schema.map(|s| s.ty), back.map(|b| b.len()))
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(parsed, (Some(Type::Array), Some(1801)));
        let deeper = format!("{}1{}", "[".repeat(1001), "]".repeat(1001));
        let sv = c.to_connect_header("t", "k", Some(deeper.as_bytes())).unwrap();
        assert_eq!(sv.schema, Some(Schema::bytes()));
    }
}
