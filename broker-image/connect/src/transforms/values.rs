//! `org.apache.kafka.connect.data.Values.parseString`: Connect's reading of a literal (what
//! InsertHeader's `value.literal` becomes, and what SimpleHeaderConverter reads headers with):
//! `null`, booleans, the narrowest integer type that holds a whole number, FLOAT32 for other
//! numbers, ISO-8601 dates, times and timestamps, `[...]` arrays and `{...}` maps of such
//! values, and otherwise the text itself as a STRING. Also the `BigDecimal` narrowings Java's
//! `Number` methods do.
//!
//! Differences from Kafka: an array or map whose elements have no common schema (Kafka's
//! `arrayOfNull`/`mapOfNull`/`mapWithNullValues` schemas, which have no element schema) comes
//! back without a schema; elements are aligned to the common schema only for numbers.

use std::str::FromStr;

use bigdecimal::num_bigint::{BigInt, Sign};
use bigdecimal::{BigDecimal, RoundingMode, ToPrimitive};

use crate::data::{date, decimal, time, timestamp, Schema, SchemaBuilder, SchemaRef, Type, Value};

use super::date_format::{SimpleDateFormat, ISO_DATE, ISO_TIME, ISO_TIMESTAMP};

/// `BigDecimal.longValue()`: the integer part, then its low 64 bits.
pub(crate) fn big_decimal_long_value(d: &BigDecimal) -> i64 {
    let truncated = d.with_scale_round(0, RoundingMode::Down);
    let (int, _) = truncated.as_bigint_and_exponent();
    low_64_bits(&int)
}

fn low_64_bits(int: &BigInt) -> i64 {
    if let Some(v) = int.to_i64() {
        return v;
    }
    let (sign, digits) = int.to_u64_digits();
    let low = digits.first().copied().unwrap_or(0);
    let v = if sign == Sign::Minus { low.wrapping_neg() } else { low };
    v as i64
}

/// `BigDecimal.doubleValue()`.
pub(crate) fn big_decimal_double_value(d: &BigDecimal) -> f64 {
    d.to_f64().unwrap_or(f64::NAN)
}

/// `BigDecimal.floatValue()`.
pub(crate) fn big_decimal_float_value(d: &BigDecimal) -> f32 {
    d.to_f32().unwrap_or(f32::NAN)
}

/// A schema and value as `Values.parseString` returns them; `None` is Java's `null` result.
pub(crate) type Parsed = Option<(Option<SchemaRef>, Value)>;

/// `Values.parseString(value)`.
pub(crate) fn parse_string(value: &str) -> Parsed {
    if value.is_empty() {
        return Some((Some(Schema::string()), Value::String(String::new())));
    }
    let mut p = ValueParser {
        parser: Parser::new(value),
    };
    p.parse(false)
        .unwrap_or_else(|_| Some((Some(Schema::string()), Value::String(value.to_string()))))
}

/// Kafka's `DataException` inside the parser (the message is never shown: a failed array or
/// map is re-read as text).
struct ParseError;

/// `Values.Parser`: tokens split at unescaped `: , { } [ ] "`.
struct Parser {
    original: Vec<char>,
    index: usize,
    next_token: Option<String>,
}

const DELIMITERS: [char; 7] = [':', ',', '{', '}', '[', ']', '"'];

impl Parser {
    fn new(original: &str) -> Self {
        Parser {
            original: original.chars().collect(),
            index: 0,
            next_token: None,
        }
    }

    fn original(&self) -> String {
        self.original.iter().collect()
    }

    fn mark(&self) -> usize {
        self.index - self.next_token.as_ref().map_or(0, |t| t.chars().count())
    }

    fn rewind_to(&mut self, position: usize) {
        self.index = position;
        self.next_token = None;
    }

    fn can_consume_next_token(&self) -> bool {
        self.original.len() > self.index
    }

    fn has_next(&self) -> bool {
        self.next_token.is_some() || self.can_consume_next_token()
    }

    fn next(&mut self) -> String {
        match self.next_token.take() {
            Some(t) => t,
            None => self.consume_next_token(),
        }
    }

    /// `next(n)`: the text of the next `n` tokens, or `None` (and no move) if there are fewer.
    fn next_n(&mut self, n: usize) -> Option<String> {
        let start = self.mark();
        for _ in 0..n {
            if !self.has_next() {
                self.rewind_to(start);
                return None;
            }
            self.next();
        }
        Some(self.original[start..self.index].iter().collect())
    }

    fn consume_next_token(&mut self) -> String {
        let mut escaped = false;
        let start = self.index;
        while self.can_consume_next_token() {
            let c = self.original[self.index];
            if c == '\\' {
                escaped = !escaped;
            } else if DELIMITERS.contains(&c) {
                if !escaped {
                    if start < self.index {
                        return self.original[start..self.index].iter().collect();
                    }
                    self.index += 1;
                    return c.to_string();
                }
                escaped = false;
            } else {
                escaped = false;
            }
            self.index += 1;
        }
        self.original[start..self.index].iter().collect()
    }

    /// `canConsume(expected)`, ignoring whitespace around the token.
    fn can_consume(&mut self, expected: &str) -> bool {
        if self.next_token.is_none() {
            if !self.has_next() {
                return false;
            }
            self.next_token = Some(self.consume_next_token());
        }
        while self.next_token.as_deref().is_some_and(|t| t.trim().is_empty()) && self.can_consume_next_token() {
            self.next_token = Some(self.consume_next_token());
        }
        if self.next_token.as_deref().is_some_and(|t| t.trim() == expected) {
            self.next_token = None;
            return true;
        }
        false
    }
}

struct ValueParser {
    parser: Parser,
}

impl ValueParser {
    fn can_parse_single_token_literal(&mut self, embedded: bool, literal: &str) -> bool {
        let start = self.parser.mark();
        if self.parser.can_consume(literal) && (embedded || !self.parser.has_next()) {
            return true;
        }
        self.parser.rewind_to(start);
        false
    }

    fn parse(&mut self, embedded: bool) -> Result<Parsed, ParseError> {
        if !self.parser.has_next() {
            return Ok(None);
        }
        if embedded && self.parser.can_consume("\"") {
            return Ok(self.parse_quoted_string());
        }
        if self.can_parse_single_token_literal(embedded, "null") {
            return Ok(None);
        }
        if self.can_parse_single_token_literal(embedded, "true") {
            return Ok(Some((Some(Schema::boolean()), Value::Boolean(true))));
        }
        if self.can_parse_single_token_literal(embedded, "false") {
            return Ok(Some((Some(Schema::boolean()), Value::Boolean(false))));
        }
        let start = self.parser.mark();
        let structured = if self.parser.can_consume("[") {
            Some(self.parse_array())
        } else if self.parser.can_consume("{") {
            Some(self.parse_map())
        } else {
            None
        };
        match structured {
            Some(Ok(parsed)) => return Ok(parsed),
            Some(Err(ParseError)) => self.parser.rewind_to(start),
            None => {}
        }
        let token = self.parser.next();
        if token.trim().is_empty() {
            return Ok(Some((Some(Schema::string()), Value::String(token))));
        }
        self.parse_next_token(embedded, token.trim())
    }

    fn parse_next_token(&mut self, embedded: bool, token: &str) -> Result<Parsed, ParseError> {
        let first = token.chars().next().unwrap_or(' ');
        let digit = first.is_ascii_digit();
        if digit {
            if let Some(temporal) = self.parse_multiple_tokens_as_temporal(token) {
                return Ok(Some(temporal));
            }
        }
        if digit || first == '+' || first == '-' {
            if let Some(number) = parse_as_number(token) {
                return Ok(Some(number));
            }
        }
        if embedded {
            return Err(ParseError);
        }
        Ok(Some((Some(Schema::string()), Value::String(self.parser.original()))))
    }

    fn parse_quoted_string(&mut self) -> Parsed {
        let mut content = String::new();
        while self.parser.has_next() {
            if self.parser.can_consume("\"") {
                break;
            }
            content.push_str(&self.parser.next());
        }
        Some(parse_as_temporal(&content).unwrap_or((Some(Schema::string()), Value::String(content))))
    }

    fn parse_array(&mut self) -> Result<Parsed, ParseError> {
        let mut result = Vec::new();
        let mut merger = SchemaMerger::default();
        while self.parser.has_next() {
            if self.parser.can_consume("]") {
                return Ok(Some(match merger.common() {
                    // Aligning a null to the (required) common schema fails: Kafka then
                    // reads the whole text as a string.
                    Some(_) if result.iter().any(Value::is_null) => return Err(ParseError),
                    Some(element) => {
                        let items = result.into_iter().map(|v| align(&element, v)).collect();
                        (Some(SchemaBuilder::array(element).build()), Value::Array(items))
                    }
                    None => (None, Value::Array(result)),
                }));
            }
            if self.parser.can_consume(",") {
                return Err(ParseError);
            }
            let element = self.parse(true)?;
            merger.merge(&element);
            result.push(element.map_or(Value::Null, |(_, v)| v));
            let position = self.parser.mark();
            if self.parser.can_consume("]") {
                self.parser.rewind_to(position);
            } else if !self.parser.can_consume(",") {
                return Err(ParseError);
            }
        }
        Err(ParseError)
    }

    fn parse_map(&mut self) -> Result<Parsed, ParseError> {
        let mut result: Vec<(Value, Value)> = Vec::new();
        let mut keys = SchemaMerger::default();
        let mut values = SchemaMerger::default();
        while self.parser.has_next() {
            if self.parser.can_consume("}") {
                return Ok(Some(match (keys.common(), values.common()) {
                    (Some(_), Some(_)) if result.iter().any(|(_, v)| v.is_null()) => return Err(ParseError),
                    (Some(k), Some(v)) => {
                        let entries = result.into_iter().map(|(key, val)| (align(&k, key), align(&v, val))).collect();
                        (Some(SchemaBuilder::map(k, v).build()), Value::Map(entries))
                    }
                    _ => (None, Value::Map(result)),
                }));
            }
            if self.parser.can_consume(",") {
                return Err(ParseError);
            }
            let key = self.parse(true)?;
            let Some((key_schema, key_value)) = key.clone().filter(|(_, v)| !v.is_null()) else {
                return Err(ParseError);
            };
            if !self.parser.can_consume(":") {
                return Err(ParseError);
            }
            let value = self.parse(true)?;
            let entry_value = value.as_ref().map_or(Value::Null, |(_, v)| v.clone());
            match result.iter_mut().find(|(k, _)| *k == key_value) {
                Some(slot) => slot.1 = entry_value,
                None => result.push((key_value, entry_value)),
            }
            self.parser.can_consume(",");
            keys.merge(&Some((key_schema, Value::Null)));
            values.merge(&value);
        }
        Err(ParseError)
    }

    fn parse_multiple_tokens_as_temporal(&mut self, token: &str) -> Option<(Option<SchemaRef>, Value)> {
        let position = self.parser.mark();
        if let Some(remainder) = self.parser.next_n(4) {
            if let Some(t) = parse_as_temporal(&format!("{token}{remainder}")) {
                return Some(t);
            }
        }
        self.parser.rewind_to(position);
        parse_as_temporal(token)
    }
}

/// `parseAsNumber`: the narrowest integer for a whole number (up to INT64), else FLOAT32,
/// FLOAT64 or a Decimal.
fn parse_as_number(token: &str) -> Option<(Option<SchemaRef>, Value)> {
    if !is_java_big_decimal(token) {
        return None;
    }
    let number = BigDecimal::from_str(token).ok()?;
    let (_, scale) = number.as_bigint_and_exponent();
    if number.is_integer() {
        let (int, _) = number.with_scale(0).as_bigint_and_exponent();
        if let Some(v) = int.to_i64() {
            return Some(if let Ok(v) = i8::try_from(v) {
                (Some(Schema::int8()), Value::Int8(v))
            } else if let Ok(v) = i16::try_from(v) {
                (Some(Schema::int16()), Value::Int16(v))
            } else if let Ok(v) = i32::try_from(v) {
                (Some(Schema::int32()), Value::Int32(v))
            } else {
                (Some(Schema::int64()), Value::Int64(v))
            });
        }
    }
    let f = big_decimal_float_value(&number);
    let d = big_decimal_double_value(&number);
    if f.is_finite() && scale != 0 {
        Some((Some(Schema::float32()), Value::Float32(f)))
    } else if d.is_finite() && scale != 0 {
        Some((Some(Schema::float64()), Value::Float64(d)))
    } else {
        Some((Some(decimal(scale as i32).build()), Value::Decimal(number)))
    }
}

/// The grammar of Java's `new BigDecimal(String)`: sign, digits with an optional point, and an
/// optional exponent.
fn is_java_big_decimal(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    if int.len() + frac.len() == 0 || !digits(int) || !digits(frac) {
        return false;
    }
    match exponent {
        None => true,
        Some(e) => {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && digits(e)
        }
    }
}

/// `parseAsTemporal`: a Time, Timestamp or Date by the length of the ISO-8601 text.
fn parse_as_temporal(token: &str) -> Option<(Option<SchemaRef>, Value)> {
    let token = token.replace("\\:", ":");
    let (schema, pattern) = match token.chars().count() {
        13 => (time().build(), ISO_TIME),
        24 => (timestamp().build(), ISO_TIMESTAMP),
        10 => (date().build(), ISO_DATE),
        _ => return None,
    };
    let millis = SimpleDateFormat::new(pattern).ok()?.parse(&token)?;
    Some((Some(schema), Value::Date(millis)))
}

/// `Values.SchemaMerger`: the schema every element can take (numbers widen).
#[derive(Default)]
struct SchemaMerger {
    common: Option<SchemaRef>,
    incompatible: bool,
}

impl SchemaMerger {
    fn merge(&mut self, latest: &Parsed) {
        let Some((Some(schema), _)) = latest else { return };
        if self.incompatible {
            return;
        }
        self.common = match &self.common {
            None => Some(schema.clone()),
            Some(previous) => {
                let merged = merge_schemas(previous, schema);
                self.incompatible = merged.is_none();
                merged
            }
        };
    }

    fn common(&self) -> Option<SchemaRef> {
        if self.incompatible {
            None
        } else {
            self.common.clone()
        }
    }
}

fn rank(ty: Type) -> Option<u8> {
    match ty {
        Type::Int8 => Some(0),
        Type::Int16 => Some(1),
        Type::Int32 => Some(2),
        Type::Int64 => Some(3),
        Type::Float32 => Some(4),
        Type::Float64 => Some(5),
        _ => None,
    }
}

fn merge_schemas(previous: &SchemaRef, new: &SchemaRef) -> Option<SchemaRef> {
    if previous.ty != new.ty {
        let (a, b) = (rank(previous.ty)?, rank(new.ty)?);
        return Some(if a >= b { previous.clone() } else { new.clone() });
    }
    if previous.optional == new.optional {
        return Some(if previous.optional { previous.clone() } else { new.clone() });
    }
    (previous == new).then(|| previous.clone())
}

/// `convertTo(schema, null, value)` for the numeric widening an array or map aligns to.
fn align(schema: &Schema, value: Value) -> Value {
    let long = |v: &Value| match v {
        Value::Int8(n) => Some(i64::from(*n)),
        Value::Int16(n) => Some(i64::from(*n)),
        Value::Int32(n) => Some(i64::from(*n)),
        Value::Int64(n) => Some(*n),
        Value::Float32(f) => Some(*f as i64),
        Value::Float64(f) => Some(*f as i64),
        _ => None,
    };
    let double = |v: &Value| match v {
        Value::Float32(f) => Some(f64::from(*f)),
        Value::Float64(f) => Some(*f),
        other => long(other).map(|n| n as f64),
    };
    if schema.name.is_some() {
        return value;
    }
    match schema.ty {
        Type::Int8 => long(&value).map_or(value, |n| Value::Int8(n as i8)),
        Type::Int16 => long(&value).map_or(value, |n| Value::Int16(n as i16)),
        Type::Int32 => long(&value).map_or(value, |n| Value::Int32(n as i32)),
        Type::Int64 => long(&value).map_or(value, Value::Int64),
        Type::Float32 => double(&value).map_or(value, |d| Value::Float32(d as f32)),
        Type::Float64 => double(&value).map_or(value, Value::Float64),
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Parsed {
        parse_string(s)
    }

    fn ty(s: &str) -> Option<Type> {
        p(s).and_then(|(schema, _)| schema.map(|s| s.ty))
    }

    #[test]
    fn literals() {
        assert_eq!(p(""), Some((Some(Schema::string()), Value::from(""))));
        assert_eq!(p("null"), None);
        assert_eq!(p("true"), Some((Some(Schema::boolean()), Value::Boolean(true))));
        assert_eq!(p("true}"), Some((Some(Schema::string()), Value::from("true}"))));
        assert_eq!(p("hello world"), Some((Some(Schema::string()), Value::from("hello world"))));
        assert_eq!(p("a:b"), Some((Some(Schema::string()), Value::from("a:b"))));
        assert_eq!(p("  "), Some((Some(Schema::string()), Value::from("  "))));
    }

    #[test]
    fn numbers() {
        assert_eq!(p("42"), Some((Some(Schema::int8()), Value::Int8(42))));
        assert_eq!(p("-300"), Some((Some(Schema::int16()), Value::Int16(-300))));
        assert_eq!(p("70000"), Some((Some(Schema::int32()), Value::Int32(70000))));
        assert_eq!(p("5000000000"), Some((Some(Schema::int64()), Value::Int64(5_000_000_000))));
        assert_eq!(p("1.0"), Some((Some(Schema::int8()), Value::Int8(1))));
        assert_eq!(p("1.5"), Some((Some(Schema::float32()), Value::Float32(1.5))));
        assert_eq!(ty("12345678901234567890"), Some(Type::Bytes));
        assert_eq!(ty("1e30"), Some(Type::Float32));
        assert_eq!(ty("1e300"), Some(Type::Float64));
        assert_eq!(ty("12abc"), Some(Type::String));
        // Kafka reads the first token of a top-level number and ignores the rest.
        assert_eq!(p("5:30"), Some((Some(Schema::int8()), Value::Int8(5))));
    }

    #[test]
    fn temporals() {
        assert_eq!(p("2024-02-29"), Some((Some(date().build()), Value::Date(19_782 * 86_400_000))));
        assert_eq!(p("00:00:01.500Z"), Some((Some(time().build()), Value::Date(1500))));
        assert_eq!(
            p("2024-02-29T13:05:09.007Z"),
            Some((Some(timestamp().build()), Value::Date(1_709_211_909_007)))
        );
    }

    #[test]
    fn arrays_and_maps() {
        assert_eq!(
            p("[1, 2, 300]"),
            Some((
                Some(SchemaBuilder::array(Schema::int16()).build()),
                Value::Array(vec![Value::Int16(1), Value::Int16(2), Value::Int16(300)])
            ))
        );
        assert_eq!(
            p("{\"a\":1,\"b\":true}"),
            Some((
                None,
                Value::Map(vec![(Value::from("a"), Value::Int8(1)), (Value::from("b"), Value::Boolean(true))])
            ))
        );
        assert_eq!(
            p("{\"a\":1,\"b\":2}"),
            Some((
                Some(SchemaBuilder::map(Schema::string(), Schema::int8()).build()),
                Value::Map(vec![(Value::from("a"), Value::Int8(1)), (Value::from("b"), Value::Int8(2))])
            ))
        );
        // Unquoted strings cannot be array elements: the whole text is a string.
        assert_eq!(p("[a, b]"), Some((Some(Schema::string()), Value::from("[a, b]"))));
        assert_eq!(p("[1,2"), Some((Some(Schema::string()), Value::from("[1,2"))));
        assert_eq!(p("[]"), Some((None, Value::Array(vec![]))));
        assert_eq!(p("[1, null]"), Some((Some(Schema::string()), Value::from("[1, null]"))));
    }

    #[test]
    fn narrowing() {
        let d = |s: &str| BigDecimal::from_str(s).unwrap();
        assert_eq!(big_decimal_long_value(&d("-1.9")), -1);
        assert_eq!(big_decimal_long_value(&d("18446744073709551617")), 1);
        assert_eq!(big_decimal_long_value(&d("300")) as i8, 44);
    }
}
