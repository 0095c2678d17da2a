//! The shape of Kafka's messages, as plain static data: which fields a message has in each
//! version, of which type, nullable or tagged when. The tables in `generated/` are written by
//! `kaskade-wire-codegen` from Apache Kafka's own JSON message specs; the walk (`walk.rs`)
//! reads a frame by them.

/// An inclusive range of versions; [`Versions::NONE`] holds none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Versions {
    pub min: i16,
    pub max: i16,
}

impl Versions {
    /// No version at all (`"none"` in the specs).
    pub const NONE: Versions = Versions { min: 0, max: -1 };

    /// `min..=max`; `i16::MAX` stands for an open end (`"3+"`).
    pub const fn new(min: i16, max: i16) -> Versions {
        Versions { min, max }
    }

    pub const fn contains(self, version: i16) -> bool {
        version >= self.min && version <= self.max
    }

    pub const fn is_none(self) -> bool {
        self.max < self.min
    }
}

/// A value that is not a struct: what an array of primitives holds, or a field's own type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prim {
    Bool,
    Int8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    Float64,
    Uuid,
    String,
    Bytes,
    /// A record set: bytes (nullable in every version), kept as they are.
    Records,
}

impl Prim {
    /// The wire size of a fixed-size value; `None` for strings, bytes and records.
    pub const fn fixed_size(self) -> Option<usize> {
        match self {
            Prim::Bool | Prim::Int8 => Some(1),
            Prim::Int16 | Prim::UInt16 => Some(2),
            Prim::Int32 | Prim::UInt32 => Some(4),
            Prim::Int64 | Prim::Float64 => Some(8),
            Prim::Uuid => Some(16),
            Prim::String | Prim::Bytes | Prim::Records => None,
        }
    }
}

/// A field's type.
#[derive(Debug, Clone, Copy)]
pub enum Type {
    Prim(Prim),
    /// `[]int32` and the like.
    Array(Prim),
    /// A nested struct (written inline; nullable ones carry a presence byte first).
    Struct(&'static Struct),
    /// `[]SomeStruct`.
    StructArray(&'static Struct),
}

/// One field of a struct.
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    /// The versions that carry the field at all.
    pub versions: Versions,
    /// The versions in which it may be null.
    pub nullable: Versions,
    /// The versions in which it is a tagged field (then it is not in the field sequence).
    pub tagged: Versions,
    /// Its tag, meaningful when `tagged` is not empty.
    pub tag: u32,
    /// The versions in which its length prefixes are compact (varints). Those of its message,
    /// except for the request header's client id, which never is.
    pub compact: Versions,
    pub ty: Type,
}

impl Field {
    /// A field that is never null nor tagged; `compact` is its message's flexible versions.
    pub const fn new(name: &'static str, versions: Versions, compact: Versions, ty: Type) -> Field {
        Field {
            name,
            versions,
            nullable: Versions::NONE,
            tagged: Versions::NONE,
            tag: 0,
            compact,
            ty,
        }
    }

    pub const fn nullable(mut self, versions: Versions) -> Field {
        self.nullable = versions;
        self
    }

    pub const fn tagged(mut self, tag: u32, versions: Versions) -> Field {
        self.tag = tag;
        self.tagged = versions;
        self
    }
}

/// A struct: a message body, a header, or an element of an array.
#[derive(Debug)]
pub struct Struct {
    pub name: &'static str,
    pub fields: &'static [Field],
}

/// A request, response or header as Kafka defines it.
#[derive(Debug)]
pub struct Message {
    pub name: &'static str,
    /// `None` for the headers.
    pub api_key: Option<i16>,
    /// The versions Kafka defines.
    pub valid: Versions,
    /// The flexible versions: compact lengths and a tagged-fields section after every struct.
    pub flexible: Versions,
    pub body: &'static Struct,
}
