//! `org.apache.kafka.connect.storage.StringConverter`: text keys and values, the usual key
//! converter. Anything Connect hands it is written as Java's `toString()` of the value; bytes
//! read back are always an optional string. `converter.encoding` names a Java charset (UTF-8 by
//! default); the common ones are here.

use std::collections::BTreeMap;

use super::{java, Converter, ConverterError};
use crate::config_def::{ConfigDef, ConfigKey, ConfigType, Default, Importance, Width};
use crate::data::{DataError, Schema, SchemaAndValue, SchemaRef, Value};

pub const CLASS: &str = "org.apache.kafka.connect.storage.StringConverter";
pub const ENCODING: &str = "converter.encoding";

/// `StringConverterConfig.configDef()`.
pub fn config_def() -> ConfigDef {
    let mut key = ConfigKey::new(
        ENCODING,
        ConfigType::String,
        Default::Value("UTF-8".into()),
        Importance::High,
        "The name of the Java character set to use for encoding strings as byte arrays.",
    );
    key.width = Width::Medium;
    key.display_name = "Encoding".into();
    super::converter_config_def().define(key)
}

/// The Java charsets StringConverter can use here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    Utf8,
    Ascii,
    Latin1,
    /// `UTF-16`: writes a big-endian byte order mark; reads either mark, big-endian without.
    Utf16,
    Utf16Be,
    Utf16Le,
}

impl Charset {
    /// `Charset.forName`: canonical names and Java's usual aliases, case-insensitively.
    pub fn for_name(name: &str) -> Option<Charset> {
        let n = name.to_ascii_lowercase();
        Some(match n.as_str() {
            "utf-8" | "utf8" | "unicode-1-1-utf-8" => Charset::Utf8,
            "us-ascii" | "ascii" | "us" | "646" | "iso646-us" | "ansi_x3.4-1968" | "ansi_x3.4-1986" | "cp367" | "csascii" | "default"
            | "ascii7" | "ibm367" | "iso-ir-6" | "iso_646.irv:1983" | "iso_646.irv:1991" => Charset::Ascii,
            "iso-8859-1" | "iso8859_1" | "iso8859-1" | "iso_8859-1" | "iso_8859_1" | "8859_1" | "latin1" | "l1" | "cp819" | "ibm819"
            | "ibm-819" | "819" | "csisolatin1" | "iso-ir-100" | "iso_8859-1:1987" => Charset::Latin1,
            "utf-16" | "utf_16" | "utf16" | "unicode" | "unicodebig" => Charset::Utf16,
            "utf-16be" | "utf_16be" | "iso-10646-ucs-2" | "x-utf-16be" | "unicodebigunmarked" => Charset::Utf16Be,
            "utf-16le" | "utf_16le" | "x-utf-16le" | "unicodelittleunmarked" => Charset::Utf16Le,
            _ => return None,
        })
    }

    /// `String.getBytes(charset)`: characters the charset lacks become `?`.
    pub fn encode(self, s: &str) -> Vec<u8> {
        let units = |little: bool, bom: bool| {
            let mut out = Vec::with_capacity(s.len() * 2 + 2);
            if bom && !s.is_empty() {
                out.extend_from_slice(&[0xFE, 0xFF]);
            }
            for u in s.encode_utf16() {
                out.extend_from_slice(&if little { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            out
        };
        match self {
            Charset::Utf8 => s.as_bytes().to_vec(),
            Charset::Ascii => s.chars().map(|c| if c.is_ascii() { c as u8 } else { b'?' }).collect(),
            Charset::Latin1 => s.chars().map(|c| if (c as u32) < 0x100 { c as u8 } else { b'?' }).collect(),
            Charset::Utf16 => units(false, true),
            Charset::Utf16Be => units(false, false),
            Charset::Utf16Le => units(true, false),
        }
    }

    /// `new String(bytes, charset)`: malformed input becomes U+FFFD.
    pub fn decode(self, b: &[u8]) -> String {
        let utf16 = |b: &[u8], little: bool| {
            let units = b.chunks_exact(2).map(|p| {
                if little {
                    u16::from_le_bytes([p[0], p[1]])
                } else {
                    u16::from_be_bytes([p[0], p[1]])
                }
            });
            let mut s: String = char::decode_utf16(units).map(|c| c.unwrap_or('\u{FFFD}')).collect();
            if b.len() % 2 == 1 {
                s.push('\u{FFFD}');
            }
            s
        };
        match self {
            Charset::Utf8 => String::from_utf8_lossy(b).into_owned(),
            Charset::Ascii => b.iter().map(|&x| if x < 0x80 { x as char } else { '\u{FFFD}' }).collect(),
            Charset::Latin1 => b.iter().map(|&x| x as char).collect(),
            Charset::Utf16 => match b {
                [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
                [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
                _ => utf16(b, false),
            },
            Charset::Utf16Be => utf16(b, false),
            Charset::Utf16Le => utf16(b, true),
        }
    }
}

/// A configured StringConverter.
#[derive(Debug, Clone)]
pub struct StringConverter {
    serialize_with: Charset,
    deserialize_with: Charset,
}

impl StringConverter {
    pub fn new(configs: &BTreeMap<String, String>, converter_type: &str) -> Result<Self, ConverterError> {
        let parsed = super::parse_config(&config_def(), configs, converter_type)?;
        let encoding = parsed.string(ENCODING).unwrap_or_else(|| "UTF-8".into());
        // The serializer and deserializer look for their own keys before the converter's.
        let side = if converter_type == "key" { "key" } else { "value" };
        let charset = |which: &str| {
            let name = configs
                .get(&format!("{side}.{which}.encoding"))
                .cloned()
                .unwrap_or_else(|| encoding.clone());
            Charset::for_name(&name).ok_or_else(|| ConverterError::Config(format!("Unsupported encoding {name}")))
        };
        Ok(StringConverter {
            serialize_with: charset("serializer")?,
            deserialize_with: charset("deserializer")?,
        })
    }

    pub fn from_connect_data(&self, value: &Value) -> Option<Vec<u8>> {
        (!value.is_null()).then(|| self.serialize_with.encode(&java::to_java_string(value)))
    }

    pub fn to_connect_data(&self, bytes: Option<&[u8]>) -> SchemaAndValue {
        SchemaAndValue {
            schema: Some(Schema::optional_string()),
            value: bytes.map_or(Value::Null, |b| Value::String(self.deserialize_with.decode(b))),
        }
    }
}

impl Converter for StringConverter {
    fn from_connect(&self, _topic: &str, _schema: Option<&SchemaRef>, value: &Value) -> Result<Option<Vec<u8>>, DataError> {
        Ok(self.from_connect_data(value))
    }

    fn to_connect(&self, _topic: &str, bytes: Option<&[u8]>) -> Result<SchemaAndValue, DataError> {
        Ok(self.to_connect_data(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converter(pairs: &[(&str, &str)]) -> Result<StringConverter, ConverterError> {
        let configs = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        StringConverter::new(&configs, "value")
    }

    #[test]
    fn writes_java_to_string_and_reads_optional_strings() {
        let c = converter(&[]).unwrap();
        assert_eq!(c.from_connect_data(&"é".into()), Some("é".as_bytes().to_vec()));
        assert_eq!(c.from_connect_data(&Value::Float64(1e10)), Some(b"1.0E10".to_vec()));
        assert_eq!(c.from_connect_data(&Value::Null), None);
        let read = c.to_connect_data(None);
        assert_eq!((read.schema, read.value), (Some(Schema::optional_string()), Value::Null));
        assert_eq!(c.to_connect_data(Some(b"\xffa")).value, Value::String("\u{FFFD}a".into()));
    }

    #[test]
    fn encodings() {
        let c = converter(&[(ENCODING, "latin1")]).unwrap();
        assert_eq!(c.from_connect_data(&"é€".into()), Some(vec![0xE9, b'?']));
        assert_eq!(c.to_connect_data(Some(&[0xE9])).value, Value::String("é".into()));
        let c = converter(&[(ENCODING, "UTF-16")]).unwrap();
        assert_eq!(c.from_connect_data(&"a".into()), Some(vec![0xFE, 0xFF, 0, b'a']));
        assert_eq!(
            converter(&[(ENCODING, "klingon")]).unwrap_err(),
            ConverterError::Config("Unsupported encoding klingon".into())
        );
    }
}
