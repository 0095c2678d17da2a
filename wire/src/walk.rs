//! The bounded walk: reads a request or response by its schema, allocating nothing, and fails
//! as soon as a declared length or count cannot fit in what remains of the frame. An array of
//! `n` elements must have at least `n` bytes left (every element costs at least one byte, the
//! rule Kafka's own generated readers apply: "Tried to allocate a collection of size N, but
//! there are only M bytes remaining"); a string, bytes or a record set of `n` bytes must have
//! `n` bytes left. When the walk succeeds, every count a decoder will reserve memory for was
//! backed by real bytes, so decoding the frame allocates in proportion to its size.
//!
//! The walk reads exactly what `kafka-protocol` reads: a known tagged field is read by its type
//! (its declared size is not checked, as that decoder does), an unknown one is skipped, and a
//! nullable struct is present only when its presence byte is 1.

use thiserror::Error;

use crate::generated::{self, REQUEST_HEADER, RESPONSE_HEADER};
use crate::schema::{Field, Message, Prim, Struct, Type};

/// Why a frame was refused. Names the message and the field being read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WireError {
    #[error("unknown API key {0}")]
    UnknownApi(i16),
    #[error("{message} v{version} is not a version Kafka defines")]
    UnknownVersion { message: &'static str, version: i16 },
    #[error("{message}.{field}: {needed} bytes needed but only {remaining} remain")]
    Truncated {
        message: &'static str,
        field: &'static str,
        needed: u64,
        remaining: usize,
    },
    #[error("{message}.{field}: tried to allocate a collection of size {declared}, but there are only {remaining} bytes remaining")]
    CollectionTooLarge {
        message: &'static str,
        field: &'static str,
        declared: u64,
        remaining: usize,
    },
    #[error("{message}.{field}: invalid length {length}")]
    InvalidLength {
        message: &'static str,
        field: &'static str,
        length: i64,
    },
    #[error("{message}.{field}: null in a version where it cannot be null")]
    UnexpectedNull { message: &'static str, field: &'static str },
}

/// What the walk learnt of a request frame (the bytes after the size prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestFrame {
    pub api_key: i16,
    pub api_version: i16,
    pub correlation_id: i32,
    /// The request header's version (1, or 2 for a flexible request).
    pub header_version: i16,
    /// Bytes the header and body take (a frame may carry more; decoders ignore them).
    pub len: usize,
}

/// The request header version a request uses: 2 when the request is flexible, else 1.
pub fn request_header_version(message: &Message, version: i16) -> i16 {
    if message.flexible.contains(version) {
        2
    } else {
        1
    }
}

/// The response header version a response uses: 1 when flexible, else 0. ApiVersions answers
/// always carry header v0, so a client that asked in a version the broker does not know can
/// still read the answer.
pub fn response_header_version(message: &Message, version: i16) -> i16 {
    if message.api_key == Some(18) || !message.flexible.contains(version) {
        0
    } else {
        1
    }
}

/// `Ok` when Kafka defines `version` of `message`.
fn defined(message: &'static Message, version: i16) -> Result<(), WireError> {
    if message.valid.contains(version) {
        Ok(())
    } else {
        Err(WireError::UnknownVersion {
            message: message.name,
            version,
        })
    }
}

/// Walks a request frame: header (whose API key and version pick the body's schema) and body.
pub fn check_request(frame: &[u8]) -> Result<RequestFrame, WireError> {
    let mut w = Walk::new(frame);
    let api_key = w.i16_at(0)?;
    let api_version = w.i16_at(2)?;
    let correlation_id = w.i32_at(4)?;
    let message = generated::request(api_key).ok_or(WireError::UnknownApi(api_key))?;
    defined(message, api_version)?;
    let header_version = request_header_version(message, api_version);
    w.walk_message(&REQUEST_HEADER, header_version)?;
    w.walk_message(message, api_version)?;
    Ok(RequestFrame {
        api_key,
        api_version,
        correlation_id,
        header_version,
        len: w.pos,
    })
}

/// Walks a response frame (the bytes after the size prefix) to a request of `api_key` in
/// `version`: header, then body. Returns the bytes they take.
pub fn check_response(api_key: i16, version: i16, frame: &[u8]) -> Result<usize, WireError> {
    let message = generated::response(api_key).ok_or(WireError::UnknownApi(api_key))?;
    defined(message, version)?;
    let mut w = Walk::new(frame);
    w.walk_message(&RESPONSE_HEADER, response_header_version(message, version))?;
    w.walk_message(message, version)?;
    Ok(w.pos)
}

/// Walks a message body alone (no header) in `version`. Returns the bytes it takes.
pub fn check_body(message: &'static Message, version: i16, body: &[u8]) -> Result<usize, WireError> {
    defined(message, version)?;
    let mut w = Walk::new(body);
    w.walk_message(message, version)?;
    Ok(w.pos)
}

/// A cursor over a frame, reading one message in one version.
struct Walk<'a> {
    buf: &'a [u8],
    pos: usize,
    message: &'static str,
    version: i16,
    flexible: bool,
    /// The field being read, for errors.
    field: &'static str,
}

impl<'a> Walk<'a> {
    fn new(buf: &'a [u8]) -> Walk<'a> {
        Walk {
            buf,
            pos: 0,
            message: REQUEST_HEADER.name,
            version: 0,
            flexible: false,
            field: "",
        }
    }

    /// Walks one message (a header or a body) in `version`, from where the cursor is.
    fn walk_message(&mut self, message: &'static Message, version: i16) -> Result<(), WireError> {
        self.message = message.name;
        self.version = version;
        self.flexible = message.flexible.contains(version);
        self.walk_struct(message.body)
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn truncated(&self, needed: u64) -> WireError {
        WireError::Truncated {
            message: self.message,
            field: self.field,
            needed,
            remaining: self.remaining(),
        }
    }

    fn skip(&mut self, n: u64) -> Result<(), WireError> {
        match usize::try_from(n) {
            Ok(n) if n <= self.remaining() => {
                self.pos += n;
                Ok(())
            }
            _ => Err(self.truncated(n)),
        }
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], WireError> {
        let bytes = self.buf.get(self.pos..self.pos + N).ok_or_else(|| self.truncated(N as u64))?;
        self.pos += N;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    fn i16_at(&self, at: usize) -> Result<i16, WireError> {
        let b = self.buf.get(at..at + 2).ok_or_else(|| self.truncated((at + 2) as u64))?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    }

    fn i32_at(&self, at: usize) -> Result<i32, WireError> {
        let b = self.buf.get(at..at + 4).ok_or_else(|| self.truncated((at + 4) as u64))?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// An unsigned varint as `kafka-protocol` reads it: at most five bytes.
    fn uvarint(&mut self) -> Result<u32, WireError> {
        let mut value: u32 = 0;
        for i in 0..5 {
            let [b] = self.take::<1>()?;
            value |= ((b & 0x7f) as u32) << (i * 7);
            if b < 0x80 {
                break;
            }
        }
        Ok(value)
    }

    /// A length prefix: `None` for null. Compact lengths are varints holding length + 1.
    fn length(&mut self, compact: bool, wide: bool) -> Result<Option<u64>, WireError> {
        if compact {
            return Ok(match self.uvarint()? {
                0 => None,
                n => Some(u64::from(n) - 1),
            });
        }
        let n = if wide {
            i32::from_be_bytes(self.take::<4>()?)
        } else {
            i32::from(i16::from_be_bytes(self.take::<2>()?))
        };
        match n {
            -1 => Ok(None),
            n if n >= 0 => Ok(Some(n as u64)),
            n => Err(WireError::InvalidLength {
                message: self.message,
                field: self.field,
                length: i64::from(n),
            }),
        }
    }

    fn not_null(&self, len: Option<u64>, nullable: bool) -> Result<Option<u64>, WireError> {
        if len.is_none() && !nullable {
            return Err(WireError::UnexpectedNull {
                message: self.message,
                field: self.field,
            });
        }
        Ok(len)
    }

    /// A collection's element count, refused when the elements (at least `min_size` bytes
    /// each, and never less than one) cannot fit in what remains.
    fn count(&mut self, compact: bool, nullable: bool, min_size: usize) -> Result<u64, WireError> {
        let Some(n) = self.length(compact, true)? else {
            self.not_null(None, nullable)?;
            return Ok(0);
        };
        let remaining = self.remaining();
        if n.saturating_mul(min_size.max(1) as u64) > remaining as u64 {
            return Err(WireError::CollectionTooLarge {
                message: self.message,
                field: self.field,
                declared: n,
                remaining,
            });
        }
        Ok(n)
    }

    fn prim(&mut self, p: Prim, compact: bool, nullable: bool) -> Result<(), WireError> {
        if let Some(size) = p.fixed_size() {
            return self.skip(size as u64);
        }
        let wide = !matches!(p, Prim::String);
        let len = self.length(compact, wide)?;
        if let Some(n) = self.not_null(len, nullable || matches!(p, Prim::Records))? {
            self.skip(n)?;
        }
        Ok(())
    }

    fn walk_struct(&mut self, s: &'static Struct) -> Result<(), WireError> {
        for f in s.fields {
            if f.versions.contains(self.version) && !(self.flexible && f.tagged.contains(self.version)) {
                self.walk_field(f)?;
            }
        }
        if self.flexible {
            self.walk_tagged(s)?;
        }
        Ok(())
    }

    fn walk_field(&mut self, f: &'static Field) -> Result<(), WireError> {
        self.field = f.name;
        let compact = f.compact.contains(self.version);
        let nullable = f.nullable.contains(self.version);
        match f.ty {
            Type::Prim(p) => self.prim(p, compact, nullable),
            Type::Array(p) => {
                let n = self.count(compact, nullable, p.fixed_size().unwrap_or(1))?;
                match p.fixed_size() {
                    Some(size) => self.skip(n * size as u64),
                    None => {
                        for _ in 0..n {
                            self.prim(p, compact, false)?;
                        }
                        Ok(())
                    }
                }
            }
            Type::Struct(s) => {
                if nullable {
                    let [present] = self.take::<1>()?;
                    if present != 1 {
                        return Ok(());
                    }
                }
                self.walk_struct(s)
            }
            Type::StructArray(s) => {
                let n = self.count(compact, nullable, 1)?;
                for _ in 0..n {
                    self.walk_struct(s)?;
                }
                self.field = f.name;
                Ok(())
            }
        }
    }

    /// The tagged-fields section after a struct in a flexible version.
    fn walk_tagged(&mut self, s: &'static Struct) -> Result<(), WireError> {
        self.field = "_tagged_fields";
        let n = self.uvarint()?;
        // Each tagged field takes at least its tag and size bytes.
        if u64::from(n) * 2 > self.remaining() as u64 {
            return Err(WireError::CollectionTooLarge {
                message: self.message,
                field: self.field,
                declared: u64::from(n),
                remaining: self.remaining(),
            });
        }
        for _ in 0..n {
            let tag = self.uvarint()?;
            let size = self.uvarint()?;
            let known = s
                .fields
                .iter()
                .find(|f| f.tag == tag && f.tagged.contains(self.version) && f.versions.contains(self.version));
            match known {
                Some(f) => self.walk_field(f)?,
                None => self.skip(u64::from(size))?,
            }
            self.field = "_tagged_fields";
        }
        Ok(())
    }
}
