//! Kafka Connect's `Schema` (`org.apache.kafka.connect.data.ConnectSchema` and `SchemaBuilder`):
//! a type, whether it is optional, a default, a name, version, doc and parameters, and the
//! nested schemas of arrays, maps and structs. Schemas are immutable and shared (`SchemaRef`);
//! equality is Java's `ConnectSchema.equals` (every attribute, fields in order).

use std::sync::{Arc, LazyLock};

use super::value::Value;
use super::DataError;

/// A shared, immutable schema.
pub type SchemaRef = Arc<Schema>;

/// `Schema.Type`. [`Type::name`] is Java's enum constant name, [`Type::json_name`] the lower-case
/// name JsonConverter writes (`"int32"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Boolean,
    String,
    Bytes,
    Array,
    Map,
    Struct,
}

impl Type {
    pub const ALL: [Type; 12] = [
        Type::Int8,
        Type::Int16,
        Type::Int32,
        Type::Int64,
        Type::Float32,
        Type::Float64,
        Type::Boolean,
        Type::String,
        Type::Bytes,
        Type::Array,
        Type::Map,
        Type::Struct,
    ];

    /// Java's constant name: `INT32`.
    pub fn name(self) -> &'static str {
        match self {
            Type::Int8 => "INT8",
            Type::Int16 => "INT16",
            Type::Int32 => "INT32",
            Type::Int64 => "INT64",
            Type::Float32 => "FLOAT32",
            Type::Float64 => "FLOAT64",
            Type::Boolean => "BOOLEAN",
            Type::String => "STRING",
            Type::Bytes => "BYTES",
            Type::Array => "ARRAY",
            Type::Map => "MAP",
            Type::Struct => "STRUCT",
        }
    }

    /// `Type.getName()`: the lower-case name JsonConverter and Cast use (`int32`).
    pub fn json_name(self) -> &'static str {
        match self {
            Type::Int8 => "int8",
            Type::Int16 => "int16",
            Type::Int32 => "int32",
            Type::Int64 => "int64",
            Type::Float32 => "float32",
            Type::Float64 => "float64",
            Type::Boolean => "boolean",
            Type::String => "string",
            Type::Bytes => "bytes",
            Type::Array => "array",
            Type::Map => "map",
            Type::Struct => "struct",
        }
    }

    /// The type named `name`, either spelling, case-insensitively.
    pub fn parse(name: &str) -> Option<Type> {
        Type::ALL.into_iter().find(|t| t.name().eq_ignore_ascii_case(name))
    }

    /// `isPrimitive()`: everything but arrays, maps and structs.
    pub fn is_primitive(self) -> bool {
        !matches!(self, Type::Array | Type::Map | Type::Struct)
    }
}

/// One field of a struct schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub index: usize,
    pub schema: SchemaRef,
}

/// A Connect schema. Build one with [`SchemaBuilder`] or take a shared constant
/// ([`Schema::int32`], [`Schema::optional_string`], …).
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub ty: Type,
    pub optional: bool,
    pub default: Option<Value>,
    pub name: Option<String>,
    pub version: Option<i32>,
    pub doc: Option<String>,
    /// Java keeps these in a `LinkedHashMap` (insertion order); `None` when never set.
    pub parameters: Option<Vec<(String, String)>>,
    /// Struct fields, in order; empty for other types.
    pub fields: Vec<Field>,
    /// Map keys.
    pub key_schema: Option<SchemaRef>,
    /// Map values and array elements.
    pub value_schema: Option<SchemaRef>,
}

macro_rules! constants {
    ($($fn:ident, $opt:ident, $ty:expr;)*) => {
        impl Schema {
            $(
                #[doc = concat!("`Schema.", stringify!($fn), "` (required).")]
                pub fn $fn() -> SchemaRef {
                    static S: LazyLock<SchemaRef> = LazyLock::new(|| SchemaBuilder::new($ty).build());
                    S.clone()
                }
                #[doc = concat!("The optional variant of [`Schema::", stringify!($fn), "`].")]
                pub fn $opt() -> SchemaRef {
                    static S: LazyLock<SchemaRef> = LazyLock::new(|| SchemaBuilder::new($ty).optional().build());
                    S.clone()
                }
            )*
        }
    };
}

constants! {
    int8, optional_int8, Type::Int8;
    int16, optional_int16, Type::Int16;
    int32, optional_int32, Type::Int32;
    int64, optional_int64, Type::Int64;
    float32, optional_float32, Type::Float32;
    float64, optional_float64, Type::Float64;
    boolean, optional_boolean, Type::Boolean;
    string, optional_string, Type::String;
    bytes, optional_bytes, Type::Bytes;
}

impl Schema {
    /// A required or optional schema of a primitive type with nothing else set (shared).
    pub fn of(ty: Type, optional: bool) -> SchemaRef {
        match (ty, optional) {
            (Type::Int8, false) => Schema::int8(),
            (Type::Int8, true) => Schema::optional_int8(),
            (Type::Int16, false) => Schema::int16(),
            (Type::Int16, true) => Schema::optional_int16(),
            (Type::Int32, false) => Schema::int32(),
            (Type::Int32, true) => Schema::optional_int32(),
            (Type::Int64, false) => Schema::int64(),
            (Type::Int64, true) => Schema::optional_int64(),
            (Type::Float32, false) => Schema::float32(),
            (Type::Float32, true) => Schema::optional_float32(),
            (Type::Float64, false) => Schema::float64(),
            (Type::Float64, true) => Schema::optional_float64(),
            (Type::Boolean, false) => Schema::boolean(),
            (Type::Boolean, true) => Schema::optional_boolean(),
            (Type::String, false) => Schema::string(),
            (Type::String, true) => Schema::optional_string(),
            (Type::Bytes, false) => Schema::bytes(),
            (Type::Bytes, true) => Schema::optional_bytes(),
            (ty, optional) => {
                let b = SchemaBuilder::new(ty);
                if optional {
                    b.optional().build()
                } else {
                    b.build()
                }
            }
        }
    }

    /// The struct field named `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// A parameter's value.
    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.parameters.as_ref()?.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The logical type this schema carries, if its name is one of Connect's four.
    pub fn logical(&self) -> Option<super::Logical> {
        super::Logical::of(self)
    }

    /// A builder starting from every attribute of this schema (`SchemaUtil.copySchemaBasics`
    /// plus the nested schemas and fields).
    pub fn to_builder(&self) -> SchemaBuilder {
        SchemaBuilder { schema: self.clone() }
    }
}

/// `SchemaBuilder`: set attributes, then [`SchemaBuilder::build`].
#[derive(Debug, Clone)]
pub struct SchemaBuilder {
    schema: Schema,
}

impl SchemaBuilder {
    pub fn new(ty: Type) -> Self {
        SchemaBuilder {
            schema: Schema {
                ty,
                optional: false,
                default: None,
                name: None,
                version: None,
                doc: None,
                parameters: None,
                fields: Vec::new(),
                key_schema: None,
                value_schema: None,
            },
        }
    }

    pub fn struct_() -> Self {
        SchemaBuilder::new(Type::Struct)
    }

    pub fn array(value_schema: SchemaRef) -> Self {
        let mut b = SchemaBuilder::new(Type::Array);
        b.schema.value_schema = Some(value_schema);
        b
    }

    pub fn map(key_schema: SchemaRef, value_schema: SchemaRef) -> Self {
        let mut b = SchemaBuilder::new(Type::Map);
        b.schema.key_schema = Some(key_schema);
        b.schema.value_schema = Some(value_schema);
        b
    }

    pub fn ty(&self) -> Type {
        self.schema.ty
    }

    pub fn optional(mut self) -> Self {
        self.schema.optional = true;
        self
    }

    pub fn required(mut self) -> Self {
        self.schema.optional = false;
        self
    }

    pub fn set_optional(mut self, optional: bool) -> Self {
        self.schema.optional = optional;
        self
    }

    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.schema.name = Some(name.into());
        self
    }

    pub fn set_name(mut self, name: Option<String>) -> Self {
        self.schema.name = name;
        self
    }

    pub fn version(mut self, version: i32) -> Self {
        self.schema.version = Some(version);
        self
    }

    pub fn set_version(mut self, version: Option<i32>) -> Self {
        self.schema.version = version;
        self
    }

    pub fn doc(mut self, doc: impl Into<String>) -> Self {
        self.schema.doc = Some(doc.into());
        self
    }

    pub fn set_doc(mut self, doc: Option<String>) -> Self {
        self.schema.doc = doc;
        self
    }

    /// `parameter(k, v)`: a later value for the same key replaces the earlier one in place.
    pub fn parameter(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let (key, value) = (key.into(), value.into());
        let params = self.schema.parameters.get_or_insert_with(Vec::new);
        match params.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => params.push((key, value)),
        }
        self
    }

    pub fn set_parameters(mut self, parameters: Option<Vec<(String, String)>>) -> Self {
        self.schema.parameters = parameters;
        self
    }

    /// `defaultValue(v)`, checked against the schema built so far (Java's
    /// `SchemaBuilderException: Invalid default value`).
    pub fn default_value(mut self, value: Value) -> Result<Self, DataError> {
        super::validate::validate_value(&self.schema, &value).map_err(|e| DataError::new(format!("Invalid default value: {e}")))?;
        self.schema.default = Some(value);
        Ok(self)
    }

    /// Sets the default without checking it (copying a schema whose default was checked).
    pub fn set_default_unchecked(mut self, value: Option<Value>) -> Self {
        self.schema.default = value;
        self
    }

    /// Adds a struct field; a second field with the same name is refused as in Java
    /// (`Cannot create field because of field name duplication NAME`).
    pub fn field(mut self, name: impl Into<String>, schema: SchemaRef) -> Result<Self, DataError> {
        let name = name.into();
        if self.schema.ty != Type::Struct {
            return Err(DataError::new("Cannot create fields on type ".to_string() + self.schema.ty.name()));
        }
        if self.schema.fields.iter().any(|f| f.name == name) {
            return Err(DataError::new(format!(
                "Cannot create field because of field name duplication {name}"
            )));
        }
        let index = self.schema.fields.len();
        self.schema.fields.push(Field { name, index, schema });
        Ok(self)
    }

    pub fn fields(&self) -> &[Field] {
        &self.schema.fields
    }

    pub fn build(self) -> SchemaRef {
        Arc::new(self.schema)
    }
}
