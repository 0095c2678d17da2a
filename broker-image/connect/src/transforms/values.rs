//! The `BigDecimal` narrowings Java's `Number` methods do (`longValue`, `doubleValue`,
//! `floatValue`), for Cast and MaskField. `Values.parseString` (InsertHeader's `value.literal`)
//! is SimpleHeaderConverter's parser, `converters::header::parse_string`; the tests below pin
//! what InsertHeader gets from it.

use bigdecimal::num_bigint::{BigInt, Sign};
use bigdecimal::{BigDecimal, RoundingMode, ToPrimitive};

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    use crate::data::{date, time, timestamp, Schema, SchemaBuilder, SchemaRef, Type, Value};

    /// `Values.parseString` as InsertHeader uses it (SimpleHeaderConverter's parser).
    fn p(s: &str) -> Option<(Option<SchemaRef>, Value)> {
        match crate::converters::header::parse_string(s) {
            Ok(Some(sv)) => Some((sv.schema, sv.value)),
            Ok(None) => None,
            Err(_) => Some((Some(Schema::string()), Value::String(s.to_string()))),
        }
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
        // Values of no common type: a map of string keys whose values have no schema, as Kafka's.
        let (schema, value) = p("{\"a\":1,\"b\":true}").unwrap();
        let schema = schema.unwrap();
        assert_eq!(
            (schema.ty, schema.key_schema.clone(), schema.value_schema.clone()),
            (Type::Map, Some(Schema::string()), None)
        );
        assert_eq!(
            value,
            Value::Map(vec![(Value::from("a"), Value::Int8(1)), (Value::from("b"), Value::Boolean(true))])
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
        // An empty array: an array schema with no element schema, as Kafka's.
        let (schema, value) = p("[]").unwrap();
        let schema = schema.unwrap();
        assert_eq!(
            (schema.ty, schema.value_schema.clone(), value),
            (Type::Array, None, Value::Array(vec![]))
        );
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
