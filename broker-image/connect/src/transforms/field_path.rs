//! `field.syntax.version` and `SingleFieldPath` (KIP-821): how ExtractField names a field. `V1`
//! (the default) takes the whole text as one top-level field name; `V2` reads a dotted path into
//! nested structs and maps, with backticks around names that contain dots.

use crate::config_def::{ConfigKey, ConfigType, Default, Importance, Validator};
use crate::data::{DataError, Field, Schema, Struct, Value};

use super::util::{map_get, require_map_or_null, require_struct_or_null};
use super::TransformError;

pub(crate) const FIELD_SYNTAX_VERSION_CONFIG: &str = "field.syntax.version";

/// `FieldSyntaxVersion.appendConfigTo`'s key.
pub(crate) fn field_syntax_version_key() -> ConfigKey {
    ConfigKey::new(
        FIELD_SYNTAX_VERSION_CONFIG,
        ConfigType::String,
        Default::Value("V1".into()),
        Importance::High,
        "Defines the version of the syntax to access fields. If set to `V1`, then the field paths are limited to access the elements at the root level of the struct or map. If set to `V2`, the syntax will support accessing nested elements. To access nested elements, dotted notation is used. If dots are already included in the field name, then backtick pairs can be used to wrap field names containing dots. E.g. to access the subfield `baz` from a field named \"foo.bar\" in a struct/map the following format can be used to access its elements: \"`foo.bar`.baz\".",
    )
    .validator(Validator::OneOf {
        values: &["V1", "V2"],
        case_insensitive: true,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldSyntaxVersion {
    V1,
    V2,
}

impl FieldSyntaxVersion {
    /// `FieldSyntaxVersion.fromConfig`.
    pub(crate) fn parse(text: &str) -> Result<Self, TransformError> {
        match text.to_ascii_uppercase().as_str() {
            "V1" => Ok(FieldSyntaxVersion::V1),
            "V2" => Ok(FieldSyntaxVersion::V2),
            _ => Err(TransformError::Config(format!(
                "Invalid value {text} for configuration {FIELD_SYNTAX_VERSION_CONFIG}: Unrecognized field syntax version"
            ))),
        }
    }
}

/// A path of one or more field names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SingleFieldPath {
    steps: Vec<String>,
}

impl SingleFieldPath {
    pub(crate) fn new(path: &str, version: FieldSyntaxVersion) -> Result<Self, TransformError> {
        let steps = match version {
            FieldSyntaxVersion::V1 => vec![path.to_string()],
            FieldSyntaxVersion::V2 => parse_v2(path)?,
        };
        Ok(SingleFieldPath { steps })
    }

    #[cfg(test)]
    pub(crate) fn steps(&self) -> &[String] {
        &self.steps
    }

    /// (all steps but the last, the last); an empty V2 path fails as Java's `steps.subList(0, -1)`.
    fn split(&self) -> Result<(&[String], &str), DataError> {
        let (last, init) = self
            .steps
            .split_last()
            .ok_or_else(|| DataError::new("fromIndex(0) > toIndex(-1)"))?;
        Ok((init, last))
    }

    /// `fieldFrom(schema)`: the field the path names, if every step exists. Looking a field
    /// up in a schema that is not a struct fails as in Kafka.
    pub(crate) fn field_from<'a>(&self, schema: &'a Schema) -> Result<Option<&'a Field>, DataError> {
        let lookup = |s: &'a Schema, name: &str| {
            if s.ty != crate::data::Type::Struct {
                return Err(DataError::new("Cannot look up fields on non-struct type"));
            }
            Ok(s.field(name))
        };
        let (init, last) = self.split()?;
        let mut current = schema;
        for step in init {
            match lookup(current, step)? {
                Some(f) => current = &f.schema,
                None => return Ok(None),
            }
        }
        lookup(current, last)
    }

    /// `valueFrom(struct, withDefault)`.
    pub(crate) fn value_from_struct(&self, value: &Struct, with_default: bool) -> Result<Value, DataError> {
        let (init, last) = self.split()?;
        let mut current = value;
        for step in init {
            let Ok(sub) = current.get(step) else {
                return Ok(Value::Null);
            };
            match require_struct_or_null(sub, "nested field access")? {
                Some(s) => current = s,
                None => return Ok(Value::Null),
            }
        }
        if current.schema().field(last).is_none() {
            return Ok(Value::Null);
        }
        Ok(if with_default {
            current.get(last)?.clone()
        } else {
            current.get_without_default(last).cloned().unwrap_or(Value::Null)
        })
    }

    /// `valueFrom(map)`.
    pub(crate) fn value_from_map(&self, entries: &[(Value, Value)]) -> Result<Value, DataError> {
        let (init, last) = self.split()?;
        let mut current = entries;
        for step in init {
            let sub = map_get(current, step).unwrap_or(&Value::Null);
            match require_map_or_null(sub, "nested field access")? {
                Some(m) => current = m,
                None => return Ok(Value::Null),
            }
        }
        Ok(map_get(current, last).cloned().unwrap_or(Value::Null))
    }
}

fn incomplete_backtick(path: &str, at: usize) -> TransformError {
    TransformError::Config(format!(
        "Incomplete backtick pair in path: [{path}], consider adding a backslash before backtick at position {at} to escape it"
    ))
}

/// The V2 grammar: steps separated by dots; a step starting with a backtick runs to the next
/// backtick followed by a dot (or ending the path); `\`` inside it is a literal backtick.
fn parse_v2(path: &str) -> Result<Vec<String>, TransformError> {
    let chars: Vec<char> = path.chars().collect();
    let find = |from: usize, c: char| (from..chars.len()).find(|&i| chars[i] == c);
    let text = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    let mut steps = Vec::new();
    let mut idx = 0usize;
    while idx < chars.len() {
        if chars[idx] != '`' {
            let start = idx;
            match find(idx, '.') {
                Some(dot) => {
                    steps.push(text(start, dot));
                    idx = dot + 1;
                }
                None => {
                    steps.push(text(start, chars.len()));
                    idx = chars.len();
                }
            }
        } else {
            let backtick_at = idx;
            idx += 1;
            let mut field = String::new();
            let mut start = idx;
            loop {
                let Some(found) = find(idx, '`') else {
                    return Err(incomplete_backtick(path, backtick_at));
                };
                idx = found;
                let escaped = chars[idx - 1] == '\\';
                if idx >= chars.len() - 1 {
                    if escaped {
                        return Err(incomplete_backtick(path, backtick_at));
                    }
                    field.push_str(&text(start, idx));
                    steps.push(field);
                    idx += 1;
                    break;
                }
                if chars[idx + 1] != '.' {
                    idx += 1;
                    continue;
                }
                if escaped {
                    field.push_str(&text(start, idx - 1));
                    field.push('`');
                    idx += 1;
                    start = idx;
                    continue;
                }
                field.push_str(&text(start, idx));
                steps.push(field);
                idx += 2;
                break;
            }
        }
    }
    if path.ends_with('.') {
        steps.push(String::new());
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v2(p: &str) -> Vec<String> {
        SingleFieldPath::new(p, FieldSyntaxVersion::V2).unwrap().steps().to_vec()
    }

    #[test]
    fn v2_paths() {
        assert_eq!(v2("a.b.c"), vec!["a", "b", "c"]);
        assert_eq!(v2("`a.b`.c"), vec!["a.b", "c"]);
        assert_eq!(v2("a.`b.c`"), vec!["a", "b.c"]);
        assert_eq!(v2("a."), vec!["a", ""]);
        assert_eq!(v2("`a\\`.b`.c"), vec!["a`.b", "c"]);
        assert_eq!(v2("`a`b`"), vec!["a`b"]);
        assert_eq!(
            SingleFieldPath::new("`a.b", FieldSyntaxVersion::V2).unwrap_err().to_string(),
            "Incomplete backtick pair in path: [`a.b], consider adding a backslash before backtick at position 0 to escape it"
        );
        let empty = SingleFieldPath::new("", FieldSyntaxVersion::V2).unwrap();
        assert_eq!(empty.value_from_map(&[]).unwrap_err().message, "fromIndex(0) > toIndex(-1)");
        assert_eq!(
            SingleFieldPath::new("a.b", FieldSyntaxVersion::V1).unwrap().steps(),
            &["a.b".to_string()]
        );
    }
}
