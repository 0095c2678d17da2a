//! Kafka's built-in deserializers, as `DefaultMessageFormatter` prints them: it calls
//! `deserialize(...)` and writes the result's `toString()` in UTF-8. So each one here is the
//! Java class and the Java `toString` of what it returns: `Double.toString`, `UUID.toString`,
//! `Bytes.toString`'s escapes, …, with the messages of the exceptions they throw.
//!
//! Differences, written down in docs/compatibility.md: `ByteArrayDeserializer` writes the bytes
//! as they are (Java prints the array's identity, `[B@1b6d3586`); `Float`/`Double` print the
//! shortest digits that read back to the same value, as JDK 19+ does (JDK 17 prints more
//! digits for some values, many floats between 10⁷ and 10²⁰ among them); `UUIDDeserializer` accepts ASCII hex digits only (Java's
//! `Character.digit` also takes other scripts' digits).

use crate::exit::ToolError;
use crate::props::Props;

const SERDE: &str = "org.apache.kafka.common.serialization.";

/// How a key, value or header value becomes text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deserializer {
    /// No deserializer (or `ByteArrayDeserializer`): the bytes as they are.
    Raw,
    String,
    Short,
    Integer,
    Long,
    Float,
    Double,
    Boolean,
    Uuid,
    /// `BytesDeserializer`: printable ASCII as is, other bytes (and `\`) as `\xHH`.
    Bytes,
    /// `ByteBufferDeserializer`: what `HeapByteBuffer.toString()` says.
    ByteBuffer,
    /// `VoidDeserializer`: refuses any data (and the formatter never hands it null).
    Void,
}

/// A deserializer's exception: the Java class's simple name and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeserializeError {
    pub class: &'static str,
    pub message: String,
}

impl std::fmt::Display for DeserializeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.class, self.message)
    }
}

fn serialization(message: String) -> DeserializeError {
    DeserializeError {
        class: "SerializationException",
        message,
    }
}

impl Deserializer {
    /// The deserializer a formatter property names; absent means the bytes as they are.
    pub fn from_props(p: &Props, key: &str) -> Result<Deserializer, ToolError> {
        let Some(class) = p.get(key) else { return Ok(Deserializer::Raw) };
        Ok(match class.strip_prefix(SERDE).unwrap_or(class.as_str()) {
            "ByteArrayDeserializer" => Deserializer::Raw,
            "StringDeserializer" => Deserializer::String,
            "ShortDeserializer" => Deserializer::Short,
            "IntegerDeserializer" => Deserializer::Integer,
            "LongDeserializer" => Deserializer::Long,
            "FloatDeserializer" => Deserializer::Float,
            "DoubleDeserializer" => Deserializer::Double,
            "BooleanDeserializer" => Deserializer::Boolean,
            "UUIDDeserializer" => Deserializer::Uuid,
            "BytesDeserializer" => Deserializer::Bytes,
            "ByteBufferDeserializer" => Deserializer::ByteBuffer,
            "VoidDeserializer" => Deserializer::Void,
            _ => {
                return Err(ToolError::new(format!(
                    "{key} {class} is not supported: kaskade console-consumer has Kafka's String, Short, Integer, Long, \
                     Float, Double, Boolean, UUID, Bytes, ByteBuffer, ByteArray and Void deserializers ({SERDE}*); \
                     without one, the bytes are written as they are"
                )))
            }
        })
    }

    /// Appends `data` deserialized and turned into text, or fails as the Java class does.
    pub fn write(self, data: &[u8], out: &mut Vec<u8>) -> Result<(), DeserializeError> {
        let fixed = |name: &str, n: usize| -> Result<u64, DeserializeError> {
            if data.len() != n {
                return Err(serialization(format!("Size of data received by {name} is not {n}")));
            }
            Ok(data.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
        };
        match self {
            Deserializer::Raw => out.extend_from_slice(data),
            Deserializer::String => out.extend_from_slice(String::from_utf8_lossy(data).as_bytes()),
            Deserializer::Short => decimal(out, i64::from(fixed("ShortDeserializer", 2)? as u16 as i16)),
            Deserializer::Integer => decimal(out, i64::from(fixed("IntegerDeserializer", 4)? as u32 as i32)),
            Deserializer::Long => decimal(out, fixed("LongDeserializer", 8)? as i64),
            // These two name no class in their message: "… by Deserializer is not 4".
            Deserializer::Float => java_float(out, f64::from(f32::from_bits(fixed("Deserializer", 4)? as u32)), true),
            Deserializer::Double => java_float(out, f64::from_bits(fixed("Deserializer", 8)?), false),
            Deserializer::Boolean => match fixed("BooleanDeserializer", 1)? {
                0 => out.extend_from_slice(b"false"),
                1 => out.extend_from_slice(b"true"),
                b => {
                    // Java prints the (signed) byte.
                    return Err(serialization(format!(
                        "Unexpected byte received by BooleanDeserializer: {}",
                        b as u8 as i8
                    )));
                }
            },
            Deserializer::Uuid => {
                let text = String::from_utf8_lossy(data);
                let uuid = java_uuid(&text).ok_or_else(|| serialization("Error parsing data into UUID".into()))?;
                out.extend_from_slice(uuid.hyphenated().encode_lower(&mut uuid::Uuid::encode_buffer()).as_bytes());
            }
            Deserializer::Bytes => bytes_escaped(out, data),
            Deserializer::ByteBuffer => {
                use std::io::Write as _;
                let _ = write!(out, "java.nio.HeapByteBuffer[pos=0 lim={0} cap={0}]", data.len());
            }
            Deserializer::Void => {
                return Err(DeserializeError {
                    class: "IllegalArgumentException",
                    message: "Data should be null for a VoidDeserializer.".into(),
                })
            }
        }
        Ok(())
    }
}

pub fn decimal(out: &mut Vec<u8>, n: i64) {
    use std::io::Write as _;
    // Writing into a Vec cannot fail.
    let _ = write!(out, "{n}");
}

/// `Bytes.toString()`: printable ASCII except `\` as is, every other byte as `\xHH`.
fn bytes_escaped(out: &mut Vec<u8>, data: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in data {
        if (b' '..=b'~').contains(&b) && b != b'\\' {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'\\', b'x', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        }
    }
}

/// `Double.toString` (or `Float.toString` for a value that came from an `f32`): `NaN`,
/// `Infinity`, plain decimals with at least one fractional digit for 10⁻³ ≤ |x| < 10⁷, and
/// `d.dddE±n` outside that range, with the shortest digits that read back to the same value.
fn java_float(out: &mut Vec<u8>, x: f64, single: bool) {
    if x.is_nan() {
        return out.extend_from_slice(b"NaN");
    }
    if x.is_infinite() {
        return out.extend_from_slice(if x > 0.0 { b"Infinity" } else { b"-Infinity" });
    }
    if x.is_sign_negative() {
        out.push(b'-');
    }
    if x == 0.0 {
        return out.extend_from_slice(b"0.0");
    }
    let sci = java_digits(x.abs(), single);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    if (-3..7).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            for i in 0..int_len {
                out.push(*digits.get(i).unwrap_or(&b'0'));
            }
            out.push(b'.');
            match digits.get(int_len..) {
                Some(frac) if !frac.is_empty() => out.extend_from_slice(frac),
                _ => out.push(b'0'),
            }
        } else {
            out.extend_from_slice(b"0.");
            out.extend(std::iter::repeat_n(b'0', (-exp - 1) as usize));
            out.extend_from_slice(&digits);
        }
    } else {
        out.push(digits[0]);
        out.push(b'.');
        if digits.len() > 1 {
            out.extend_from_slice(&digits[1..]);
        } else {
            out.push(b'0');
        }
        out.push(b'E');
        decimal(out, i64::from(exp));
    }
}

/// The digits Java picks, as `d.ddde±n`: the shortest that read back to `x` (Rust's `{:e}`),
/// except that when one digit would do, Java takes the closest decimal of one or two digits
/// (`4.9E-324`, not `5.0E-324`; `1.4E-45` for the smallest float).
fn java_digits(x: f64, single: bool) -> String {
    let shortest = if single { format!("{:e}", x as f32) } else { format!("{x:e}") };
    if shortest.split_once('e').is_some_and(|(m, _)| m.len() == 1) {
        let two = if single { format!("{:.1e}", x as f32) } else { format!("{x:.1e}") };
        let reads_back = if single {
            two.parse::<f32>().ok() == Some(x as f32)
        } else {
            two.parse::<f64>().ok() == Some(x)
        };
        if reads_back {
            return two;
        }
    }
    shortest
}

/// `java.util.UUID.fromString`: five `-`-separated hex fields (an optional `+` each, leading
/// zeros allowed, at most 36 characters), each masked to its width (8-4-4-4-12 hex digits).
fn java_uuid(s: &str) -> Option<uuid::Uuid> {
    if s.chars().count() > 36 {
        return None;
    }
    let mut fields = [""; 5];
    let mut parts = s.split('-');
    for field in &mut fields {
        *field = parts.next()?;
    }
    if parts.next().is_some() {
        return None;
    }
    // `Long.parseLong(s, 16)`: a sign, then hex digits; the value must fit in a long.
    let parse = |f: &str| -> Option<u64> {
        let digits = f.strip_prefix('+').unwrap_or(f);
        if digits.is_empty() {
            return None;
        }
        digits.chars().try_fold(0u64, |acc, c| {
            let v = acc.checked_mul(16)?.checked_add(u64::from(c.to_digit(16)?))?;
            (v <= i64::MAX as u64).then_some(v)
        })
    };
    let widths = [32, 16, 16, 16, 48];
    let mut v = [0u64; 5];
    for (i, f) in fields.iter().enumerate() {
        v[i] = parse(f)? & ((1u64 << widths[i]) - 1);
    }
    let msb = (v[0] << 32) | (v[1] << 16) | v[2];
    let lsb = (v[3] << 48) | v[4];
    Some(uuid::Uuid::from_u64_pair(msb, lsb))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(d: Deserializer, data: &[u8]) -> Result<String, String> {
        let mut out = Vec::new();
        d.write(data, &mut out).map_err(|e| e.to_string())?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn double(x: f64) -> String {
        text(Deserializer::Double, &x.to_be_bytes()).unwrap()
    }

    fn float(x: f32) -> String {
        text(Deserializer::Float, &x.to_be_bytes()).unwrap()
    }

    /// What Kafka 4.4's deserializers' `toString()` gave on Java 17 for the same bytes.
    #[test]
    fn numbers_as_java_prints_them() {
        assert_eq!(float(1.5), "1.5");
        assert_eq!(float(0.1), "0.1");
        assert_eq!(float(1e10), "1.0E10");
        assert_eq!(float(f32::NAN), "NaN");
        assert_eq!(double(2e-3), "0.002");
        assert_eq!(double(1e7), "1.0E7");
        assert_eq!(double(9999999.0), "9999999.0");
        assert_eq!(double(-0.0), "-0.0");
        assert_eq!(double(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(double(1.0e-5), "1.0E-5");
        assert_eq!(double(123456.789), "123456.789");
        assert_eq!(double(100.0), "100.0");
        assert_eq!(double(-1.25e-300), "-1.25E-300");
        assert_eq!(double(0.001), "0.001");
        // One digit would do: Java takes the closest of one or two digits.
        assert_eq!(double(f64::from_bits(1)), "4.9E-324");
        assert_eq!(float(f32::from_bits(1)), "1.4E-45");
        assert_eq!(double(1e21), "1.0E21");
        assert_eq!(
            text(Deserializer::Float, b"\0\0\0").unwrap_err(),
            "SerializationException: Size of data received by Deserializer is not 4"
        );
        assert_eq!(
            text(Deserializer::Double, b"\0\0\0\0").unwrap_err(),
            "SerializationException: Size of data received by Deserializer is not 8"
        );
        assert_eq!(text(Deserializer::Long, &(-5i64).to_be_bytes()).unwrap(), "-5");
        assert_eq!(text(Deserializer::Short, &[0xff, 0xfe]).unwrap(), "-2");
    }

    #[test]
    fn uuids_booleans_and_bytes_as_java_prints_them() {
        let uuid = |s: &str| text(Deserializer::Uuid, s.as_bytes());
        assert_eq!(
            uuid("3F2504E0-4F89-11D3-9A0C-0305E82C3301").unwrap(),
            "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
        );
        assert_eq!(uuid("1-2-3-4-5").unwrap(), "00000001-0002-0003-0004-000000000005");
        assert_eq!(uuid("+1-2-3-4-5").unwrap(), "00000001-0002-0003-0004-000000000005");
        assert_eq!(uuid("nope").unwrap_err(), "SerializationException: Error parsing data into UUID");
        assert!(uuid("1--3-4-5").is_err());
        assert!(uuid("1-2-3-4-5-6").is_err());
        assert!(uuid("00000000000000000000000000000001-2-3-4").is_err(), "over 36 characters");
        assert_eq!(text(Deserializer::Boolean, &[1]).unwrap(), "true");
        assert_eq!(text(Deserializer::Boolean, &[0]).unwrap(), "false");
        assert_eq!(
            text(Deserializer::Boolean, &[2]).unwrap_err(),
            "SerializationException: Unexpected byte received by BooleanDeserializer: 2"
        );
        assert_eq!(
            text(Deserializer::Boolean, &[0xff]).unwrap_err(),
            "SerializationException: Unexpected byte received by BooleanDeserializer: -1"
        );
        assert_eq!(
            text(Deserializer::Boolean, &[1, 1]).unwrap_err(),
            "SerializationException: Size of data received by BooleanDeserializer is not 1"
        );
        assert_eq!(
            text(Deserializer::Bytes, b"A \\~\x7f\x00\xff\n").unwrap(),
            "A \\x5C~\\x7F\\x00\\xFF\\x0A"
        );
        assert_eq!(
            text(Deserializer::ByteBuffer, b"\x01\x02\x03").unwrap(),
            "java.nio.HeapByteBuffer[pos=0 lim=3 cap=3]"
        );
        assert_eq!(
            text(Deserializer::Void, b"x").unwrap_err(),
            "IllegalArgumentException: Data should be null for a VoidDeserializer."
        );
        let mut raw = Vec::new();
        Deserializer::Raw.write(b"\xff\x00", &mut raw).unwrap();
        assert_eq!(raw, b"\xff\x00");
    }
}
