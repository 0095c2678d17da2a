//! Writing a message spec as `kaskade_wire::schema` statics: one static per struct (the body,
//! every nested struct, every common struct it uses), each field with its versions, nullable
//! and tagged versions, tag, compactness and type.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::spec::{FieldSpec, MessageSpec, StructSpec, TypeSpec, VersionSpec, Versions};
use crate::Error;

/// `CamelCase` → `snake_case`.
pub fn snake(name: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev_lower = i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_uppercase();
            if i > 0 && (prev_lower || (prev_upper && next_lower)) {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(*c);
        }
    }
    out
}

fn versions(v: Versions) -> String {
    match v {
        None => "V::NONE".into(),
        Some(VersionSpec { min, max: None }) => format!("V::new({min}, OPEN)"),
        Some(VersionSpec { min, max: Some(max) }) => format!("V::new({min}, {max})"),
    }
}

fn prim(name: &str) -> Result<&'static str, Error> {
    Ok(match name {
        "bool" => "Prim::Bool",
        "int8" => "Prim::Int8",
        "int16" => "Prim::Int16",
        "uint16" => "Prim::UInt16",
        "int32" => "Prim::Int32",
        "uint32" => "Prim::UInt32",
        "int64" => "Prim::Int64",
        "float64" => "Prim::Float64",
        "uuid" => "Prim::Uuid",
        "string" => "Prim::String",
        "bytes" => "Prim::Bytes",
        "records" => "Prim::Records",
        other => return Err(Error::Spec(format!("unknown primitive type {other:?}"))),
    })
}

/// Emits the statics of one message (request, response or header) into `out`; `prefix`
/// (`REQ`, `RESP`, …) keeps its struct names apart from the other message's in the same file.
pub struct MessageWriter<'a> {
    spec: &'a MessageSpec,
    prefix: &'a str,
    emitted: BTreeSet<String>,
    out: String,
}

impl<'a> MessageWriter<'a> {
    pub fn new(spec: &'a MessageSpec, prefix: &'a str) -> MessageWriter<'a> {
        MessageWriter {
            spec,
            prefix,
            emitted: BTreeSet::new(),
            out: String::new(),
        }
    }

    fn static_name(&self, struct_name: &str) -> String {
        format!("{}_{}", self.prefix, snake(struct_name).to_uppercase())
    }

    /// The message static (named `static_name`) and every struct it reaches.
    pub fn write(mut self, static_name: &str) -> Result<String, Error> {
        let spec = self.spec;
        let body = self.static_name(&spec.name);
        let api_key = match spec.api_key {
            Some(k) => format!("Some({k})"),
            None => "None".into(),
        };
        writeln!(self.out, "const {}_FLEX: V = {};\n", self.prefix, versions(spec.flexible)).map_err(fmt_err)?;
        writeln!(
            self.out,
            "pub static {static_name}: Message = Message {{ name: {:?}, api_key: {api_key}, valid: {}, flexible: {}_FLEX, body: &{body} }};\n",
            spec.name,
            versions(spec.valid),
            self.prefix,
        )
        .map_err(fmt_err)?;
        self.write_struct(&spec.name, &spec.fields)?;
        Ok(self.out)
    }

    fn write_struct(&mut self, name: &str, fields: &[FieldSpec]) -> Result<(), Error> {
        let static_name = self.static_name(name);
        if !self.emitted.insert(static_name.clone()) {
            return Ok(());
        }
        let mut nested: Vec<(String, Vec<FieldSpec>)> = Vec::new();
        let mut body = String::new();
        for f in fields {
            let ty = match &f.ty {
                TypeSpec::Prim(p) => format!("Type::Prim({})", prim(p)?),
                TypeSpec::Array(p) => format!("Type::Array({})", prim(p)?),
                TypeSpec::Struct(s) | TypeSpec::StructArray(s) => {
                    let fields = self.struct_fields(s, f)?;
                    nested.push((s.clone(), fields));
                    let kind = if matches!(f.ty, TypeSpec::Struct(_)) {
                        "Struct"
                    } else {
                        "StructArray"
                    };
                    format!("Type::{kind}(&{})", self.static_name(s))
                }
            };
            let compact = match f.flexible {
                Some(v) => versions(v),
                None => format!("{}_FLEX", self.prefix),
            };
            write!(body, "Field::new({:?}, {}, {compact}, {ty})", f.name, versions(f.versions)).map_err(fmt_err)?;
            if f.nullable.is_some() {
                write!(body, ".nullable({})", versions(f.nullable)).map_err(fmt_err)?;
            }
            if let (Some(tag), Some(_)) = (f.tag, f.tagged) {
                write!(body, ".tagged({tag}, {})", versions(f.tagged)).map_err(fmt_err)?;
            }
            writeln!(body, ",").map_err(fmt_err)?;
        }
        writeln!(
            self.out,
            "static {static_name}: Struct = Struct {{ name: {name:?}, fields: &[\n{body}] }};\n"
        )
        .map_err(fmt_err)?;
        for (name, fields) in nested {
            self.write_struct(&name, &fields)?;
        }
        Ok(())
    }

    /// The fields of the struct a field names: its inline definition, or a common struct.
    fn struct_fields(&self, name: &str, field: &FieldSpec) -> Result<Vec<FieldSpec>, Error> {
        if let Some(fields) = &field.fields {
            return Ok(fields.clone());
        }
        self.spec
            .common_structs
            .iter()
            .find(|s: &&StructSpec| s.name == name)
            .map(|s| s.fields.clone())
            .ok_or_else(|| Error::Spec(format!("{}.{}: struct {name} is defined nowhere", self.spec.name, field.name)))
    }
}

fn fmt_err(e: std::fmt::Error) -> Error {
    Error::Spec(format!("formatting: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_names() {
        assert_eq!(snake("MetadataRequest"), "metadata_request");
        assert_eq!(snake("AddPartitionsToTxn"), "add_partitions_to_txn");
        assert_eq!(snake("DescribeAcls"), "describe_acls");
        assert_eq!(snake("KRaftVersion"), "k_raft_version");
        assert_eq!(snake("OffsetForLeaderEpoch"), "offset_for_leader_epoch");
        assert_eq!(snake("SaslHandshake"), "sasl_handshake");
    }
}
