//! The Java behaviour converters' bytes depend on: how `Double.toString`, `Float.toString` and
//! `BigDecimal.toString` print numbers (Jackson writes JSON numbers with them, StringConverter
//! and SimpleHeaderConverter write text with them), `String.trim`, `getClass()` in messages, and
//! the `hashCode`s that decide the iteration order of the `java.util.HashMap`s Connect builds
//! when it reads maps, so that a map read from bytes is written back in Kafka's order.
//!
//! `Double.toString` is the one of Java 19 and later (the shortest decimal that rounds back,
//! Raffaello Giulietti's specification), what Kafka's own images run (Java 21). Java 17 prints a
//! few values with more digits than needed (`2.82879384806159008E17` for
//! `2.82879384806159E17`).

use bigdecimal::num_bigint::{BigInt, Sign};
use bigdecimal::BigDecimal;

use crate::data::Value;

/// Java's `Double.toString` (Java 19+). `NaN`, `Infinity` and `-Infinity` as Java spells them.
pub fn double_to_string(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let round_trips = |s: &str| s.parse::<f64>().ok().map(f64::abs) == Some(v.abs());
    let (digits, exp) = shortest(format!("{v:e}"), || format!("{v:.1e}"), round_trips);
    let (digits, exp) = ties_to_even(digits, exp, &format!("{v:.800e}"), round_trips);
    layout(v < 0.0, &digits, exp)
}

/// Java's `Float.toString` (Java 19+), for a `float` (never widened to `double`).
pub fn float_to_string(v: f32) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let round_trips = |s: &str| s.parse::<f32>().ok().map(f32::abs) == Some(v.abs());
    let (digits, exp) = shortest(format!("{v:e}"), || format!("{v:.1e}"), round_trips);
    let (digits, exp) = ties_to_even(digits, exp, &format!("{:.200e}", f64::from(v)), round_trips);
    layout(v < 0.0, &digits, exp)
}

/// Java picks, of two decimals as short and as close to the value, the one whose last digit is
/// even (`-3030243.2` for the float `-3030243.25`); Rust's shortest form may pick the other.
/// `exact` is the value's exact decimal expansion in `{:e}` form.
fn ties_to_even(digits: String, exp: i32, exact: &str, round_trips: impl Fn(&str) -> bool) -> (String, i32) {
    let last = digits.as_bytes()[digits.len() - 1] - b'0';
    if last.is_multiple_of(2) {
        return (digits, exp);
    }
    let (exact_digits, exact_exp) = split_sci(exact);
    let exact_digits = exact_digits.trim_end_matches('0');
    // Both as integers over 10^low: the candidate's last digit and the value's.
    let cand_low = i64::from(exp) - digits.len() as i64 + 1;
    let exact_low = i64::from(exact_exp) - exact_digits.len().max(1) as i64 + 1;
    let low = cand_low.min(exact_low);
    let ten = BigInt::from(10u8);
    let scaled = |d: &str, at: i64| d.parse::<BigInt>().unwrap_or_default() * ten.pow((at - low) as u32);
    let cand = scaled(&digits, cand_low);
    let value = scaled(if exact_digits.is_empty() { "0" } else { exact_digits }, exact_low);
    let unit = ten.pow((cand_low - low) as u32);
    let diff = &cand - &value;
    if diff.magnitude() * 2u8 != *unit.magnitude() {
        return (digits, exp);
    }
    let other = if diff.sign() == Sign::Plus { cand - &unit } else { cand + &unit };
    let other_text = format!("{other}e{low}");
    if !round_trips(&other_text) {
        return (digits, exp);
    }
    let text = other.to_string();
    let first = low + text.len() as i64 - 1;
    (text.trim_end_matches('0').to_string(), first as i32)
}

/// The significant digits (no sign, no point) and the exponent of the first digit, from
/// Rust's shortest round-tripping `{:e}` form. Java prefers two digits to one when the two-digit
/// decimal closest to the value also rounds back to it (`4.9E-324`, not `5.0E-324`).
fn shortest(sci: String, two_digits: impl Fn() -> String, round_trips: impl Fn(&str) -> bool) -> (String, i32) {
    let (digits, exp) = split_sci(&sci);
    if digits.len() == 1 {
        let two = two_digits();
        if round_trips(&two) {
            let (d2, e2) = split_sci(&two);
            let d2 = d2.trim_end_matches('0');
            return (if d2.is_empty() { "0".into() } else { d2.to_string() }, e2);
        }
    }
    (digits, exp)
}

/// `"-1.2345e-7"` → (`"12345"`, -7).
fn split_sci(sci: &str) -> (String, i32) {
    let sci = sci.trim_start_matches('-');
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    (digits, exp.parse().unwrap_or(0))
}

/// Java's layout: plain between 10^-3 and 10^7, computerized scientific notation outside,
/// always a digit after the point.
fn layout(negative: bool, digits: &str, exp: i32) -> String {
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if (-3..7).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(digits);
        }
    } else {
        out.push_str(&digits[..1]);
        out.push('.');
        out.push_str(if digits.len() > 1 { &digits[1..] } else { "0" });
        out.push('E');
        out.push_str(&exp.to_string());
    }
    out
}

/// Java's `BigDecimal.toString`: plain when the scale is not negative and the adjusted exponent
/// is at least -6, scientific (`1E+3`, `1.5E-7`) otherwise.
pub fn big_decimal_to_string(d: &BigDecimal) -> String {
    let (unscaled, scale) = d.as_bigint_and_exponent();
    unscaled_to_string(&unscaled, scale)
}

/// [`big_decimal_to_string`] from an unscaled value and a scale.
pub fn unscaled_to_string(unscaled: &BigInt, scale: i64) -> String {
    let coeff = unscaled.magnitude().to_string();
    let mut out = String::new();
    if unscaled.sign() == Sign::Minus {
        out.push('-');
    }
    let adjusted = -scale + (coeff.len() as i64 - 1);
    if scale >= 0 && adjusted >= -6 {
        let scale = scale as usize;
        if scale == 0 {
            out.push_str(&coeff);
        } else if coeff.len() > scale {
            out.push_str(&coeff[..coeff.len() - scale]);
            out.push('.');
            out.push_str(&coeff[coeff.len() - scale..]);
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', scale - coeff.len()));
            out.push_str(&coeff);
        }
    } else {
        out.push_str(&coeff[..1]);
        if coeff.len() > 1 {
            out.push('.');
            out.push_str(&coeff[1..]);
        }
        out.push('E');
        if adjusted > 0 {
            out.push('+');
        }
        out.push_str(&adjusted.to_string());
    }
    out
}

/// Java's `String.trim`: strips every character up to U+0020 from both ends.
pub fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// `value.getClass()` as Java prints it in messages: `class java.lang.String`, `class [B`.
pub fn class_of(value: &Value) -> String {
    format!("class {}", value.java_class())
}

/// Java's `hashCode` of a Connect value, as a `HashMap` key. `byte[]` keys hash by identity in
/// Java and struct keys by their schema's hash: both are 0 here, keeping their insertion order.
pub fn hash_code(value: &Value) -> i32 {
    fn long_hash(v: i64) -> i32 {
        (v ^ ((v as u64) >> 32) as i64) as i32
    }
    match value {
        Value::Null => 0,
        Value::Int8(v) => i32::from(*v),
        Value::Int16(v) => i32::from(*v),
        Value::Int32(v) => *v,
        Value::Int64(v) => long_hash(*v),
        Value::Float32(v) => {
            let bits = if v.is_nan() { 0x7fc0_0000 } else { v.to_bits() };
            bits as i32
        }
        Value::Float64(v) => {
            let bits = if v.is_nan() { 0x7ff8_0000_0000_0000 } else { v.to_bits() };
            long_hash(bits as i64)
        }
        Value::Boolean(b) => {
            if *b {
                1231
            } else {
                1237
            }
        }
        Value::String(s) => kaskade_common::java::string_hash(s),
        Value::Bytes(_) | Value::Struct(_) => 0,
        Value::Array(items) => items.iter().fold(1i32, |h, v| h.wrapping_mul(31).wrapping_add(hash_code(v))),
        Value::Map(entries) => entries.iter().fold(0i32, |h, (k, v)| h.wrapping_add(hash_code(k) ^ hash_code(v))),
        Value::Decimal(d) => {
            let (unscaled, scale) = d.as_bigint_and_exponent();
            big_integer_hash(&unscaled).wrapping_mul(31).wrapping_add(scale as i32)
        }
        Value::Date(ms) => long_hash(*ms),
    }
}

/// `BigInteger.hashCode`: over the magnitude's 32-bit words, most significant first, times the
/// sign.
fn big_integer_hash(v: &BigInt) -> i32 {
    let words = v.magnitude().to_u32_digits();
    let h = words.iter().rev().fold(0i32, |h, w| h.wrapping_mul(31).wrapping_add(*w as i32));
    match v.sign() {
        Sign::Minus => h.wrapping_neg(),
        Sign::NoSign => 0,
        Sign::Plus => h,
    }
}

/// Java's `equals` between two map keys (a `BigDecimal` equals another only with the same
/// scale; floating point keys compare by their bits).
pub fn java_equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Decimal(x), Value::Decimal(y)) => x.as_bigint_and_exponent() == y.as_bigint_and_exponent(),
        (Value::Float32(x), Value::Float32(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
        (Value::Float64(x), Value::Float64(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| java_equals(a, b)),
        _ => a == b,
    }
}

/// The entries of a `new HashMap<>()` after `put(k, v)` of each entry in order, in the order it
/// iterates: a repeated key keeps its first place and takes the last value.
pub fn hash_map(entries: Vec<(Value, Value)>) -> Vec<(Value, Value)> {
    let mut unique: Vec<(Value, Value)> = Vec::with_capacity(entries.len());
    for (k, v) in entries {
        match unique.iter_mut().find(|(uk, _)| java_equals(uk, &k)) {
            Some(slot) => slot.1 = v,
            None => unique.push((k, v)),
        }
    }
    kaskade_common::java::hash_map_order_by(unique, |(k, _)| hash_code(k), None)
}

/// `Object.toString()` of a Connect value, as StringConverter writes it: `ArrayList` as
/// `[a, b]`, `HashMap` as `{k=v}`, `Struct{a=1,b=x}`, `BigDecimal` and `java.util.Date` (in
/// UTC) as Java prints them. A `byte[]` prints its identity hash in Java (`[B@1b6d3586`),
/// which nothing can reproduce: here it is the hash of its content.
pub fn to_java_string(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Int8(v) => v.to_string(),
        Value::Int16(v) => v.to_string(),
        Value::Int32(v) => v.to_string(),
        Value::Int64(v) => v.to_string(),
        Value::Float32(v) => float_to_string(*v),
        Value::Float64(v) => double_to_string(*v),
        Value::Boolean(v) => v.to_string(),
        Value::String(s) => s.clone(),
        Value::Bytes(b) => {
            let h = b.iter().fold(1i32, |h, x| h.wrapping_mul(31).wrapping_add(i32::from(*x as i8)));
            format!("[B@{:x}", h as u32)
        }
        Value::Array(items) => format!("[{}]", items.iter().map(to_java_string).collect::<Vec<_>>().join(", ")),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}={}", to_java_string(k), to_java_string(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Struct(s) => {
            let fields: Vec<String> = s
                .schema()
                .fields
                .iter()
                .zip(s.values())
                .filter(|(_, v)| !v.is_null())
                .map(|(f, v)| format!("{}={}", f.name, to_java_string(v)))
                .collect();
            format!("Struct{{{}}}", fields.join(","))
        }
        Value::Decimal(d) => big_decimal_to_string(d),
        Value::Date(ms) => date_to_string(*ms),
    }
}

/// `java.util.Date.toString()` in UTC: `Thu Jan 01 00:00:00 UTC 1970`.
pub fn date_to_string(ms: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let t = Civil::from_millis(ms);
    let days = ms.div_euclid(86_400_000);
    format!(
        "{} {} {:02} {:02}:{:02}:{:02} UTC {}",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(t.month - 1) as usize],
        t.day,
        t.hour,
        t.minute,
        t.second,
        t.year
    )
}

/// A UTC date and time on the proleptic Gregorian calendar (Java's `GregorianCalendar`
/// switches to the Julian calendar before 1582-10-15; such dates differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub milli: u32,
}

impl Civil {
    pub fn from_millis(ms: i64) -> Civil {
        let days = ms.div_euclid(86_400_000);
        let rest = ms.rem_euclid(86_400_000);
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Civil {
            year,
            month,
            day,
            hour: (rest / 3_600_000) as u32,
            minute: (rest / 60_000 % 60) as u32,
            second: (rest / 1000 % 60) as u32,
            milli: (rest % 1000) as u32,
        }
    }

    /// Days since the epoch of a year, month and day; out-of-range months and days roll over,
    /// as a lenient `Calendar` does.
    pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
        let year = year + (month - 1).div_euclid(12);
        let month = (month - 1).rem_euclid(12) + 1;
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let mp = if month > 2 { month - 3 } else { month + 9 };
        let doy = (153 * mp + 2) / 5;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468 + (day - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_like_java() {
        for (v, s) in [
            (1.0, "1.0"),
            (1e10, "1.0E10"),
            (1e-5, "1.0E-5"),
            (0.001, "0.001"),
            (1e7, "1.0E7"),
            (9999999.0, "9999999.0"),
            (1e23, "1.0E23"),
            (2.82879384806159E17, "2.82879384806159E17"),
            (5e-324, "4.9E-324"),
            (1e-323, "9.9E-324"),
            (f64::MAX, "1.7976931348623157E308"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-0.0, "-0.0"),
            (100.0, "100.0"),
            (123456.789, "123456.789"),
            (-1.5e-7, "-1.5E-7"),
            (2.5e-5, "2.5E-5"),
        ] {
            assert_eq!(double_to_string(v), s, "{v:e}");
        }
        for (v, s) in [
            (1.0f32, "1.0"),
            (0.1, "0.1"),
            (1e10, "1.0E10"),
            (f32::MAX, "3.4028235E38"),
            (1.4e-45, "1.4E-45"),
            (1.1754944e-38, "1.1754944E-38"),
            (16777216.0, "1.6777216E7"),
            (-12_120_973.0 / 4.0, "-3030243.2"), // the float -3030243.25: a tie, to the even digit
            (16_040_733.0 / 4.0, "4010183.2"),
            (0.5, "0.5"),
        ] {
            assert_eq!(float_to_string(v), s, "{v:e}");
        }
    }

    #[test]
    fn big_decimals_print_like_java() {
        for (text, s) in [
            ("1E+3", "1E+3"),
            ("1e3", "1E+3"),
            ("0.0000001", "1E-7"),
            ("0.000001", "0.000001"),
            ("-12.3400", "-12.3400"),
            ("123", "123"),
            ("-1.5E-10", "-1.5E-10"),
            ("0", "0"),
            ("0.00", "0.00"),
        ] {
            let d: BigDecimal = text.parse().unwrap();
            assert_eq!(big_decimal_to_string(&d), s, "{text}");
        }
    }

    #[test]
    fn hash_codes_are_javas() {
        assert_eq!(hash_code(&Value::Int64(-1)), 0);
        assert_eq!(hash_code(&Value::Float64(1.0)), 1072693248);
        assert_eq!(hash_code(&Value::String("ab".into())), 3105);
        let d: BigDecimal = "-12.34".parse().unwrap();
        assert_eq!(hash_code(&Value::Decimal(d)), -1234 * 31 + 2);
    }

    #[test]
    fn dates_and_to_string() {
        assert_eq!(date_to_string(0), "Thu Jan 01 00:00:00 UTC 1970");
        assert_eq!(date_to_string(1680643371000), "Tue Apr 04 21:22:51 UTC 2023");
        assert_eq!(date_to_string(-1), "Wed Dec 31 23:59:59 UTC 1969");
        for ms in [0i64, 1680643371000, -86_400_000 * 1000, 951_782_400_000] {
            let c = Civil::from_millis(ms);
            let days = Civil::days_from_civil(c.year, i64::from(c.month), i64::from(c.day));
            assert_eq!(days, ms.div_euclid(86_400_000));
        }
        assert_eq!(Civil::days_from_civil(1970, 13, 1), 365);
        let list = Value::Array(vec![Value::Int32(1), Value::Null, "a".into()]);
        assert_eq!(to_java_string(&list), "[1, null, a]");
        let map = Value::Map(vec![("k".into(), Value::Float64(1.0))]);
        assert_eq!(to_java_string(&map), "{k=1.0}");
    }
}
