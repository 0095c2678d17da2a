//! Reading one of Kafka's JSON message specs (`common/message/*.json` in the kafka-clients jar):
//! JSON with `//` comments, whose fields name their type, versions, nullable versions and
//! tags. Only what the wire format depends on is kept; descriptions and defaults are not.

use serde_json::Value;

use crate::Error;

/// An inclusive version range, `None` for `"none"`; `max` is `None` for an open end (`"3+"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionSpec {
    pub min: i16,
    pub max: Option<i16>,
}

pub type Versions = Option<VersionSpec>;

/// A field's type as the spec writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeSpec {
    /// `int32`, `string`, `records`, …
    Prim(String),
    /// `[]int32`
    Array(String),
    /// `SomeStruct`
    Struct(String),
    /// `[]SomeStruct`
    StructArray(String),
}

#[derive(Debug, Clone)]
pub struct FieldSpec {
    pub name: String,
    pub ty: TypeSpec,
    pub versions: Versions,
    pub nullable: Versions,
    pub tagged: Versions,
    pub tag: Option<u32>,
    /// The field's own `flexibleVersions` (only the request header's client id has one).
    pub flexible: Option<Versions>,
    /// The inline definition of its struct type, when it has one.
    pub fields: Option<Vec<FieldSpec>>,
}

#[derive(Debug, Clone)]
pub struct StructSpec {
    pub name: String,
    pub fields: Vec<FieldSpec>,
}

#[derive(Debug, Clone)]
pub struct MessageSpec {
    pub name: String,
    /// `request`, `response`, `header` or `data`.
    pub kind: String,
    pub api_key: Option<i16>,
    pub valid: Versions,
    pub flexible: Versions,
    pub fields: Vec<FieldSpec>,
    pub common_structs: Vec<StructSpec>,
}

/// Kafka's specs name primitive types in lower case (`int32`, `records`) and structs in
/// CamelCase. Which primitives exist is `emit::prim`'s table: an unknown one fails generation.
fn is_primitive(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
}

/// Removes `//` comments outside strings (the specs' license header and field notes).
pub fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                }
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if c == '/' && chars.peek() == Some(&'/') {
            for n in chars.by_ref() {
                if n == '\n' {
                    out.push('\n');
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `"0+"`, `"3-5"`, `"7"` or `"none"`.
pub fn parse_versions(s: &str) -> Result<Versions, Error> {
    let bad = || Error::Spec(format!("bad version range {s:?}"));
    let s = s.trim();
    if s == "none" {
        return Ok(None);
    }
    let num = |t: &str| t.trim().parse::<i16>().map_err(|_| bad());
    if let Some(min) = s.strip_suffix('+') {
        return Ok(Some(VersionSpec { min: num(min)?, max: None }));
    }
    if let Some((a, b)) = s.split_once('-') {
        return Ok(Some(VersionSpec {
            min: num(a)?,
            max: Some(num(b)?),
        }));
    }
    let v = num(s)?;
    Ok(Some(VersionSpec { min: v, max: Some(v) }))
}

fn parse_type(s: &str) -> TypeSpec {
    match s.strip_prefix("[]") {
        Some(inner) if is_primitive(inner) => TypeSpec::Array(inner.to_string()),
        Some(inner) => TypeSpec::StructArray(inner.to_string()),
        None if is_primitive(s) => TypeSpec::Prim(s.to_string()),
        None => TypeSpec::Struct(s.to_string()),
    }
}

fn str_of<'a>(v: &'a Value, key: &str, ctx: &str) -> Result<&'a str, Error> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::Spec(format!("{ctx}: no string {key:?}")))
}

fn opt_versions(v: &Value, key: &str, ctx: &str) -> Result<Option<Versions>, Error> {
    match v.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => parse_versions(s).map(Some).map_err(|e| Error::Spec(format!("{ctx}.{key}: {e}"))),
        Some(other) => Err(Error::Spec(format!("{ctx}.{key}: not a string: {other}"))),
    }
}

fn parse_fields(v: &Value, ctx: &str) -> Result<Vec<FieldSpec>, Error> {
    let Some(list) = v.get("fields") else {
        return Ok(Vec::new());
    };
    let list = list.as_array().ok_or_else(|| Error::Spec(format!("{ctx}: fields is not a list")))?;
    list.iter().map(|f| parse_field(f, ctx)).collect()
}

fn parse_field(f: &Value, ctx: &str) -> Result<FieldSpec, Error> {
    let name = str_of(f, "name", ctx)?.to_string();
    let ctx = format!("{ctx}.{name}");
    let ty = parse_type(str_of(f, "type", &ctx)?);
    let versions = parse_versions(str_of(f, "versions", &ctx)?)?;
    let tag = match f.get("tag") {
        None => None,
        Some(t) => Some(
            t.as_u64()
                .and_then(|t| u32::try_from(t).ok())
                .ok_or_else(|| Error::Spec(format!("{ctx}: bad tag {t}")))?,
        ),
    };
    let fields = match f.get("fields") {
        Some(_) => Some(parse_fields(f, &ctx)?),
        None => None,
    };
    Ok(FieldSpec {
        name,
        ty,
        versions,
        nullable: opt_versions(f, "nullableVersions", &ctx)?.flatten(),
        tagged: opt_versions(f, "taggedVersions", &ctx)?.flatten(),
        tag,
        flexible: opt_versions(f, "flexibleVersions", &ctx)?,
        fields,
    })
}

/// Parses one spec file's text.
pub fn parse_message(text: &str, file: &str) -> Result<MessageSpec, Error> {
    let v: Value = serde_json::from_str(&strip_comments(text)).map_err(|e| Error::Spec(format!("{file}: {e}")))?;
    let name = str_of(&v, "name", file)?.to_string();
    let api_key = match v.get("apiKey") {
        None => None,
        Some(k) => Some(
            k.as_i64()
                .and_then(|k| i16::try_from(k).ok())
                .ok_or_else(|| Error::Spec(format!("{file}: bad apiKey {k}")))?,
        ),
    };
    let common_structs = match v.get("commonStructs") {
        None => Vec::new(),
        Some(list) => list
            .as_array()
            .ok_or_else(|| Error::Spec(format!("{file}: commonStructs is not a list")))?
            .iter()
            .map(|s| {
                Ok(StructSpec {
                    name: str_of(s, "name", file)?.to_string(),
                    fields: parse_fields(s, file)?,
                })
            })
            .collect::<Result<_, Error>>()?,
    };
    Ok(MessageSpec {
        kind: str_of(&v, "type", file)?.to_string(),
        api_key,
        valid: parse_versions(str_of(&v, "validVersions", file)?)?,
        flexible: opt_versions(&v, "flexibleVersions", file)?.flatten(),
        fields: parse_fields(&v, &name)?,
        common_structs,
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_go_but_slashes_in_strings_stay() {
        let text = "// header\n{ \"a\": \"http://x\", // note\n \"b\": \"q\\\"//\" }\n";
        let v: Value = serde_json::from_str(&strip_comments(text)).unwrap();
        assert_eq!(v["a"], "http://x");
        assert_eq!(v["b"], "q\"//");
    }

    #[test]
    fn version_ranges() {
        assert_eq!(parse_versions("none").unwrap(), None);
        assert_eq!(parse_versions("3+").unwrap(), Some(VersionSpec { min: 3, max: None }));
        assert_eq!(parse_versions("1-13").unwrap(), Some(VersionSpec { min: 1, max: Some(13) }));
        assert_eq!(parse_versions("7").unwrap(), Some(VersionSpec { min: 7, max: Some(7) }));
        assert!(parse_versions("x").is_err());
    }

    #[test]
    fn types() {
        assert_eq!(parse_type("[]int32"), TypeSpec::Array("int32".into()));
        assert_eq!(parse_type("[]Topic"), TypeSpec::StructArray("Topic".into()));
        assert_eq!(parse_type("records"), TypeSpec::Prim("records".into()));
        assert_eq!(parse_type("Cursor"), TypeSpec::Struct("Cursor".into()));
    }
}
