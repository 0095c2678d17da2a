//! JSON text as Jackson reads and writes it for JsonConverter: a tree that keeps what Jackson's
//! `JsonNode`s keep (an `IntNode` is not a `LongNode`, a decimal keeps its exact digits and
//! scale, as `USE_BIG_DECIMAL_FOR_FLOATS` with an exact node factory does), a reader with
//! Jackson's leniencies (leading zeros, trailing content after the first value), and a writer
//! that prints exactly what Jackson's `ObjectMapper.writeValueAsBytes` prints: no spaces, Java's
//! number texts, Jackson's escapes (`\u001F` upper case, characters outside the BMP as escaped
//! surrogate pairs), base64 for binary.
//!
//! Our own parser rather than serde_json: serde_json (without `arbitrary_precision`, which the
//! workspace does not enable) turns every number into an `f64`, `u64` or `i64` before we see it,
//! and JsonConverter's Decimal (NUMERIC) and big integers need the digits as written.

use base64::Engine;
use bigdecimal::num_bigint::BigInt;
use bigdecimal::BigDecimal;

use super::java;

/// A JSON node. A parsed tree holds `Null`, `Bool`, `Int`, `Long`, `BigInt`, `Decimal`, `Text`,
/// `Array`, `Object` and `Missing` (empty input); a tree to write may hold `Float`, `Double` and
/// `Binary` too.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Missing,
    Bool(bool),
    Int(i32),
    Long(i64),
    BigInt(BigInt),
    /// A number with a fraction or an exponent, exactly as written.
    Decimal(BigDecimal),
    Float(f32),
    Double(f64),
    Text(String),
    Binary(Vec<u8>),
    Array(Vec<Node>),
    /// Keys in insertion order; a key set twice keeps its first place.
    Object(Vec<(String, Node)>),
}

impl Node {
    /// `JsonNode.getNodeType()`, as Java prints the enum constant.
    pub fn node_type(&self) -> &'static str {
        match self {
            Node::Null => "NULL",
            Node::Missing => "MISSING",
            Node::Bool(_) => "BOOLEAN",
            Node::Int(_) | Node::Long(_) | Node::BigInt(_) | Node::Decimal(_) | Node::Float(_) | Node::Double(_) => "NUMBER",
            Node::Text(_) => "STRING",
            Node::Binary(_) => "BINARY",
            Node::Array(_) => "ARRAY",
            Node::Object(_) => "OBJECT",
        }
    }

    /// `ObjectNode.set`/`put`: replaces the value of an existing key in place.
    pub fn set(&mut self, key: &str, value: Node) {
        if let Node::Object(entries) = self {
            match entries.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value,
                None => entries.push((key.to_string(), value)),
            }
        }
    }

    /// `JsonNode.get(name)`: `None` for a missing key and for anything not an object.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn is_int(&self) -> bool {
        matches!(self, Node::Int(_))
    }

    pub fn is_integral(&self) -> bool {
        matches!(self, Node::Int(_) | Node::Long(_) | Node::BigInt(_))
    }

    pub fn is_number(&self) -> bool {
        self.node_type() == "NUMBER"
    }

    /// `booleanValue()`: false for anything but `true`.
    pub fn boolean_value(&self) -> bool {
        matches!(self, Node::Bool(true))
    }

    /// `textValue()`: `None` unless a string.
    pub fn text_value(&self) -> Option<&str> {
        match self {
            Node::Text(s) => Some(s),
            _ => None,
        }
    }

    /// `longValue()`: Java's narrowing (`BigInteger.longValue`, `BigDecimal.longValue` keep the
    /// low 64 bits of the integer part); 0 for anything not a number.
    pub fn long_value(&self) -> i64 {
        match self {
            Node::Int(v) => i64::from(*v),
            Node::Long(v) => *v,
            Node::BigInt(v) => low_64(v),
            Node::Decimal(d) => decimal_low_64(d),
            Node::Float(v) => *v as i64,
            Node::Double(v) => *v as i64,
            _ => 0,
        }
    }

    /// `intValue()`: the low 32 bits of [`Node::long_value`] (Java narrows the same way).
    pub fn int_value(&self) -> i32 {
        match self {
            Node::Float(v) => *v as i32,
            Node::Double(v) => *v as i32,
            _ => self.long_value() as i32,
        }
    }

    /// `doubleValue()`: correctly rounded, as `BigInteger`/`BigDecimal.doubleValue` are; a
    /// decimal zero is `0.0` (BigDecimal has no negative zero).
    pub fn double_value(&self) -> f64 {
        match self {
            Node::Int(v) => f64::from(*v),
            Node::Long(v) => *v as f64,
            Node::BigInt(v) => v.to_string().parse().unwrap_or(0.0),
            Node::Decimal(d) => decimal_to_f64(d),
            Node::Float(v) => f64::from(*v),
            Node::Double(v) => *v,
            _ => 0.0,
        }
    }

    /// `floatValue()`, rounded once from the exact value.
    pub fn float_value(&self) -> f32 {
        match self {
            Node::Int(v) => *v as f32,
            Node::Long(v) => *v as f32,
            Node::BigInt(v) => v.to_string().parse().unwrap_or(0.0),
            Node::Decimal(d) => {
                if is_zero(d) {
                    0.0
                } else {
                    java::big_decimal_to_string(d).parse().unwrap_or(0.0)
                }
            }
            Node::Float(v) => *v,
            Node::Double(v) => *v as f32,
            _ => 0.0,
        }
    }

    /// `decimalValue()` of a number: exact, an integer with scale 0.
    pub fn decimal_value(&self) -> BigDecimal {
        match self {
            Node::Int(v) => BigDecimal::new(BigInt::from(*v), 0),
            Node::Long(v) => BigDecimal::new(BigInt::from(*v), 0),
            Node::BigInt(v) => BigDecimal::new(v.clone(), 0),
            Node::Decimal(d) => d.clone(),
            Node::Float(v) => java::float_to_string(*v).parse().unwrap_or_default(),
            Node::Double(v) => java::double_to_string(*v).parse().unwrap_or_default(),
            _ => BigDecimal::default(),
        }
    }

    /// `binaryValue()`: a string's base64 (Jackson's MIME variant, padding required), `None`
    /// for anything not a string or binary.
    pub fn binary_value(&self) -> Option<Result<Vec<u8>, InvalidBase64>> {
        match self {
            Node::Binary(b) => Some(Ok(b.clone())),
            Node::Text(s) => Some(decode_base64(java::trim(s))),
            _ => None,
        }
    }

    /// `asText()`: the text form Jackson gives a node (used for map keys).
    pub fn as_text(&self) -> String {
        match self {
            Node::Null => "null".into(),
            Node::Missing | Node::Array(_) | Node::Object(_) => String::new(),
            Node::Bool(b) => b.to_string(),
            Node::Int(v) => v.to_string(),
            Node::Long(v) => v.to_string(),
            Node::BigInt(v) => v.to_string(),
            Node::Decimal(d) => java::big_decimal_to_string(d),
            Node::Float(v) => java::float_to_string(*v),
            Node::Double(v) => java::double_to_string(*v),
            Node::Text(s) => s.clone(),
            Node::Binary(b) => base64::engine::general_purpose::STANDARD.encode(b),
        }
    }
}

fn is_zero(d: &BigDecimal) -> bool {
    d.as_bigint_and_exponent().0.sign() == bigdecimal::num_bigint::Sign::NoSign
}

fn decimal_to_f64(d: &BigDecimal) -> f64 {
    if is_zero(d) {
        0.0
    } else {
        java::big_decimal_to_string(d).parse().unwrap_or(0.0)
    }
}

fn low_64(v: &BigInt) -> i64 {
    let bytes = v.to_signed_bytes_le();
    let fill = if v.sign() == bigdecimal::num_bigint::Sign::Minus { 0xff } else { 0 };
    let mut buf = [fill; 8];
    for (i, b) in bytes.iter().take(8).enumerate() {
        buf[i] = *b;
    }
    i64::from_le_bytes(buf)
}

/// `BigDecimal.longValue()`: the integer part (towards zero), its low 64 bits.
fn decimal_low_64(d: &BigDecimal) -> i64 {
    let (unscaled, scale) = d.as_bigint_and_exponent();
    if scale <= 0 {
        // unscaled * 10^-scale: 10^k is a multiple of 2^k, so past 64 the low bits are all 0.
        if -scale >= 64 {
            return 0;
        }
        return low_64(&(unscaled * BigInt::from(10u8).pow((-scale) as u32)));
    }
    let digits = unscaled.magnitude().to_string().len() as i64;
    if scale >= digits {
        return 0;
    }
    low_64(&(unscaled / BigInt::from(10u8).pow(scale as u32)))
}

/// Text that is not base64 as Jackson reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidBase64;

/// Jackson's base64 reading (`Base64Variants.MIME_NO_LINEFEEDS`): whitespace between groups of
/// four, padding required, groups may follow a padded group.
pub fn decode_base64(s: &str) -> Result<Vec<u8>, InvalidBase64> {
    fn bits(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len() / 4 * 3);
    let mut i = 0;
    loop {
        while i < b.len() && b[i] <= b' ' {
            i += 1;
        }
        if i >= b.len() {
            return Ok(out);
        }
        let c = |j: usize| b.get(j).copied().ok_or(InvalidBase64);
        let v0 = bits(c(i)?).ok_or(InvalidBase64)?;
        let v1 = bits(c(i + 1)?).ok_or(InvalidBase64)?;
        let c2 = c(i + 2)?;
        if c2 == b'=' {
            if c(i + 3)? != b'=' {
                return Err(InvalidBase64);
            }
            out.push(((v0 << 2) | (v1 >> 4)) as u8);
            i += 4;
            continue;
        }
        let v2 = bits(c2).ok_or(InvalidBase64)?;
        let c3 = c(i + 3)?;
        if c3 == b'=' {
            let v = (v0 << 12) | (v1 << 6) | v2;
            out.push((v >> 10) as u8);
            out.push((v >> 2) as u8);
            i += 4;
            continue;
        }
        let v3 = bits(c3).ok_or(InvalidBase64)?;
        let v = (v0 << 18) | (v1 << 12) | (v2 << 6) | v3;
        out.extend_from_slice(&[(v >> 16) as u8, (v >> 8) as u8, v as u8]);
        i += 4;
    }
}

/// Why bytes are not JSON: Jackson's exceptions become the cause of Kafka's message, which
/// does not carry them, so a short description is enough.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError(pub String);

/// `ObjectMapper.readTree(bytes)`: the first JSON value (content after it is ignored, as
/// Jackson does without `FAIL_ON_TRAILING_TOKENS`), `Missing` for empty input.
pub fn parse(bytes: &[u8]) -> Result<Node, SyntaxError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut p = Parser { b: bytes, i: 0, depth: 0 };
    p.skip_ws()?;
    if p.i >= p.b.len() {
        return Ok(Node::Missing);
    }
    let root = p.value()?;
    if matches!(root, Node::Int(_) | Node::Long(_) | Node::BigInt(_) | Node::Decimal(_)) {
        // A root-level number must be followed by whitespace or the end.
        if let Some(c) = p.peek() {
            if !matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
                return Err(p.err("Expected space separating root-level values"));
            }
        }
    }
    Ok(root)
}

/// Jackson's default `StreamReadConstraints.maxNestingDepth`.
const MAX_DEPTH: usize = 1000;
/// Jackson's default `StreamReadConstraints.maxNumberLength`.
const MAX_NUMBER_DIGITS: usize = 1000;

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
    depth: usize,
}

impl Parser<'_> {
    fn err(&self, what: &str) -> SyntaxError {
        SyntaxError(format!("{what} at byte {}", self.i))
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn skip_ws(&mut self) -> Result<(), SyntaxError> {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\r' | b'\n' => self.i += 1,
                c if c < b' ' => return Err(self.err("Illegal character")),
                _ => break,
            }
        }
        Ok(())
    }

    fn value(&mut self) -> Result<Node, SyntaxError> {
        match self.peek() {
            None => Err(self.err("Unexpected end-of-input")),
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => Ok(Node::Text(self.string()?)),
            Some(b't') => self.literal("true", Node::Bool(true)),
            Some(b'f') => self.literal("false", Node::Bool(false)),
            Some(b'n') => self.literal("null", Node::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.err("Unexpected character")),
        }
    }

    fn literal(&mut self, word: &str, node: Node) -> Result<Node, SyntaxError> {
        if !self.b[self.i..].starts_with(word.as_bytes()) {
            return Err(self.err("Unrecognized token"));
        }
        self.i += word.len();
        // Jackson refuses a token that runs on into identifier characters (`truex`).
        if let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80 {
                return Err(self.err("Unrecognized token"));
            }
        }
        Ok(node)
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("Document nesting depth exceeds the maximum allowed"));
        }
        self.i += 1;
        Ok(())
    }

    fn object(&mut self) -> Result<Node, SyntaxError> {
        self.enter()?;
        let mut node = Node::Object(Vec::new());
        self.skip_ws()?;
        if self.peek() == Some(b'}') {
            self.i += 1;
            self.depth -= 1;
            return Ok(node);
        }
        loop {
            self.skip_ws()?;
            if self.peek() != Some(b'"') {
                return Err(self.err("Unexpected character: was expecting double-quote to start field name"));
            }
            let key = self.string()?;
            self.skip_ws()?;
            if self.peek() != Some(b':') {
                return Err(self.err("Unexpected character: was expecting a colon to separate field name and value"));
            }
            self.i += 1;
            self.skip_ws()?;
            let value = self.value()?;
            node.set(&key, value);
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(node);
                }
                _ => return Err(self.err("Unexpected character: was expecting comma to separate Object entries")),
            }
        }
    }

    fn array(&mut self) -> Result<Node, SyntaxError> {
        self.enter()?;
        let mut items = Vec::new();
        self.skip_ws()?;
        if self.peek() == Some(b']') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Node::Array(items));
        }
        loop {
            self.skip_ws()?;
            items.push(self.value()?);
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(Node::Array(items));
                }
                _ => return Err(self.err("Unexpected character: was expecting comma to separate Array entries")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let h = self
            .b
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.err("Unexpected end-of-input in character escape"))?;
        let s = std::str::from_utf8(h).map_err(|_| self.err("Unexpected character in character escape"))?;
        let v = u32::from_str_radix(s, 16).map_err(|_| self.err("Unexpected character in character escape"))?;
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.i += 1; // the opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < b' ' {
                    break;
                }
                self.i += 1;
            }
            let run = std::str::from_utf8(&self.b[start..self.i]).map_err(|_| self.err("Invalid UTF-8"))?;
            out.push_str(run);
            match self.peek() {
                None => return Err(self.err("Unexpected end-of-input in a String value")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = self.peek().ok_or_else(|| self.err("Unexpected end-of-input in character escape"))?;
                    self.i += 1;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let ch = if (0xD800..0xDC00).contains(&hi) && self.b[self.i..].starts_with(b"\\u") {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                } else {
                                    self.i = save;
                                    None
                                }
                            } else {
                                char::from_u32(hi)
                            };
                            // A lone surrogate is legal in a Java string but not in a Rust one.
                            out.push(ch.unwrap_or('\u{FFFD}'));
                        }
                        _ => return Err(self.err("Unrecognized character escape")),
                    }
                }
                Some(_) => return Err(self.err("Illegal unquoted character")),
            }
        }
    }

    fn number(&mut self) -> Result<Node, SyntaxError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        if self.i == int_start {
            return Err(self.err("Unexpected character: expected digit"));
        }
        let mut float = false;
        if self.peek() == Some(b'.') {
            float = true;
            self.i += 1;
            let f = self.i;
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
            if self.i == f {
                return Err(self.err("Decimal point not followed by a digit"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            float = true;
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            let e = self.i;
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
            if self.i == e {
                return Err(self.err("Exponent indicator not followed by a digit"));
            }
        }
        let text = std::str::from_utf8(&self.b[start..self.i]).expect("ASCII");
        // Jackson's StreamReadConstraints: at most 1000 digits before the exponent.
        let digits = text
            .split(['e', 'E'])
            .next()
            .unwrap_or("")
            .bytes()
            .filter(u8::is_ascii_digit)
            .count();
        if digits > MAX_NUMBER_DIGITS {
            return Err(self.err("Number value length exceeds the maximum allowed"));
        }
        if float {
            let d: BigDecimal = text.parse().map_err(|_| self.err("Malformed number"))?;
            return Ok(Node::Decimal(d));
        }
        Ok(if let Ok(v) = text.parse::<i32>() {
            Node::Int(v)
        } else if let Ok(v) = text.parse::<i64>() {
            Node::Long(v)
        } else {
            Node::BigInt(text.parse().map_err(|_| self.err("Malformed number"))?)
        })
    }
}

/// `ObjectMapper.writeValueAsBytes(node)`.
pub fn write(node: &Node) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    write_into(node, &mut out);
    out
}

/// `write`, appending to `out`.
pub fn write_into(node: &Node, out: &mut Vec<u8>) {
    match node {
        Node::Null | Node::Missing => out.extend_from_slice(b"null"),
        Node::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Node::Int(v) => out.extend_from_slice(v.to_string().as_bytes()),
        Node::Long(v) => out.extend_from_slice(v.to_string().as_bytes()),
        Node::BigInt(v) => out.extend_from_slice(v.to_string().as_bytes()),
        Node::Decimal(d) => out.extend_from_slice(java::big_decimal_to_string(d).as_bytes()),
        // Jackson writes the non-finite values as strings (`WRITE_NAN_AS_STRINGS`).
        Node::Float(v) if !v.is_finite() => write_string(&java::float_to_string(*v), out),
        Node::Float(v) => out.extend_from_slice(java::float_to_string(*v).as_bytes()),
        Node::Double(v) if !v.is_finite() => write_string(&java::double_to_string(*v), out),
        Node::Double(v) => out.extend_from_slice(java::double_to_string(*v).as_bytes()),
        Node::Text(s) => write_string(s, out),
        Node::Binary(b) => {
            out.push(b'"');
            out.extend_from_slice(base64::engine::general_purpose::STANDARD.encode(b).as_bytes());
            out.push(b'"');
        }
        Node::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_into(item, out);
            }
            out.push(b']');
        }
        Node::Object(entries) => {
            out.push(b'{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(k, out);
                out.push(b':');
                write_into(v, out);
            }
            out.push(b'}');
        }
    }
}

/// A JSON string as Jackson's UTF-8 generator writes it.
fn write_string(s: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let unicode = |unit: u16, out: &mut Vec<u8>| {
        out.extend_from_slice(b"\\u");
        for shift in [12, 8, 4, 0] {
            out.push(HEX[usize::from((unit >> shift) & 0xF)]);
        }
    };
    out.push(b'"');
    // Runs of bytes that need no escape are copied at once.
    let bytes = s.as_bytes();
    let mut plain = 0;
    for (i, c) in s.char_indices() {
        let escape = matches!(c, '"' | '\\') || (c as u32) < 0x20 || (c as u32) >= 0x10000;
        if !escape {
            continue;
        }
        out.extend_from_slice(&bytes[plain..i]);
        plain = i + c.len_utf8();
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\r' => out.extend_from_slice(b"\\r"),
            c if (c as u32) < 0x20 => unicode(c as u16, out),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    unicode(*unit, out);
                }
            }
        }
    }
    out.extend_from_slice(&bytes[plain..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_kind_and_digits() {
        assert_eq!(parse(b"7").unwrap(), Node::Int(7));
        assert_eq!(parse(b"007").unwrap(), Node::Int(7));
        assert_eq!(parse(b"-2147483648").unwrap(), Node::Int(i32::MIN));
        assert_eq!(parse(b"2147483648").unwrap(), Node::Long(2147483648));
        assert!(matches!(parse(b"9223372036854775808").unwrap(), Node::BigInt(_)));
        let Node::Decimal(d) = parse(b"1.50").unwrap() else { panic!() };
        assert_eq!(d.as_bigint_and_exponent(), (BigInt::from(150), 2));
        let Node::Decimal(d) = parse(b"1e3").unwrap() else { panic!() };
        assert_eq!(d.as_bigint_and_exponent(), (BigInt::from(1), -3));
        assert_eq!(parse(b"-0.0").unwrap().double_value().to_bits(), 0.0f64.to_bits());
        assert_eq!(parse(b"1.9e1").unwrap().long_value(), 19);
        assert_eq!(parse(b"-1.9").unwrap().int_value(), -1);
        assert_eq!(parse(b"1e100").unwrap().long_value(), 0);
        assert_eq!(parse(b"18446744073709551617").unwrap().long_value(), 1);
    }

    #[test]
    fn jackson_leniencies_and_refusals() {
        assert_eq!(parse(b"").unwrap(), Node::Missing);
        assert_eq!(parse(b"  {} x").unwrap(), Node::Object(vec![]));
        assert_eq!(parse(b"12 x").unwrap(), Node::Int(12));
        assert!(parse(b"12x").is_err());
        assert!(parse(b"truex").is_err());
        assert!(parse(b"[1,]").is_err());
        assert!(parse(b"{'a':1}").is_err());
        assert!(parse(b"\"a\x01\"").is_err());
        assert!(parse(b".5").is_err());
        assert!(parse(b"5.").is_err());
        assert_eq!(
            parse(br#"{"a":1,"b":2,"a":3}"#).unwrap(),
            Node::Object(vec![("a".into(), Node::Int(3)), ("b".into(), Node::Int(2))])
        );
        assert_eq!(parse(br#""\ud83d\ude00""#).unwrap(), Node::Text("😀".into()));
    }

    #[test]
    fn writes_like_jackson() {
        let node = Node::Array(vec![
            Node::Text("a\u{0}\u{1f}\u{7f}\u{8}\t\n\u{c}\r\"\\/é😀".into()),
            Node::Double(f64::NAN),
            Node::Float(0.1),
            Node::Binary(vec![1, 2, 3, 4]),
        ]);
        assert_eq!(
            String::from_utf8(write(&node)).unwrap(),
            "[\"a\\u0000\\u001F\u{7f}\\b\\t\\n\\f\\r\\\"\\\\/é\\uD83D\\uDE00\",\"NaN\",0.1,\"AQIDBA==\"]"
        );
    }

    #[test]
    fn base64_as_jackson_reads_it() {
        assert_eq!(decode_base64("AQID"), Ok(vec![1, 2, 3]));
        assert_eq!(decode_base64("AQ== AQI="), Ok(vec![1, 1, 2]));
        assert_eq!(decode_base64("AQ"), Err(InvalidBase64));
        assert_eq!(decode_base64("A?=="), Err(InvalidBase64));
    }
}
