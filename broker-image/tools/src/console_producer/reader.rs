//! Kafka's `LineMessageReader`: one record per line of standard input, optionally
//! `headers<TAB>key<TAB>value` with `parse.headers` / `parse.key` and the separators configurable.
//!
//! Lines end as Java's `BufferedReader.readLine` ends them: at `\n`, `\r` or `\r\n`, the
//! terminator dropped, a last line without one still a record. Unlike Kafka, which decodes stdin
//! as UTF-8 and replaces invalid bytes with U+FFFD, bytes pass through unchanged; separators are
//! matched as bytes, which for UTF-8 text finds exactly what Java's `String.indexOf` finds.
//! `headers.separator` is a literal string here (Kafka compiles it as a regular expression).

use std::borrow::Cow;
use std::io::{self, BufRead};

use crate::exit::ToolError;
use crate::props::Props;

/// The reader's configuration (Kafka's `LineMessageReader.configure`).
#[derive(Debug, Clone)]
pub struct LineFormat {
    parse_key: bool,
    key_separator: Vec<u8>,
    parse_headers: bool,
    headers_delimiter: Vec<u8>,
    headers_separator: Vec<u8>,
    headers_key_separator: Vec<u8>,
    ignore_error: bool,
    null_marker: Option<Vec<u8>>,
}

/// One record as read from a line, borrowing the line's bytes (nothing is copied per line
/// but header keys that are not UTF-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRecord<'a> {
    pub key: Option<&'a [u8]>,
    pub value: Option<&'a [u8]>,
    pub headers: Vec<LineHeader<'a>>,
}

/// A header: its key and (null or) value.
pub type LineHeader<'a> = (Cow<'a, str>, Option<&'a [u8]>);

impl LineFormat {
    pub fn from_props(p: &Props) -> Result<LineFormat, ToolError> {
        let flag = |k: &str| p.get(k).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        let text = |k: &str, default: &str| p.get(k).map_or(default, String::as_str).as_bytes().to_vec();
        let f = LineFormat {
            parse_key: flag("parse.key"),
            key_separator: text("key.separator", "\t"),
            parse_headers: flag("parse.headers"),
            headers_delimiter: text("headers.delimiter", "\t"),
            headers_separator: text("headers.separator", ","),
            headers_key_separator: text("headers.key.separator", ":"),
            ignore_error: flag("ignore.error"),
            null_marker: p.get("null.marker").map(|m| m.as_bytes().to_vec()),
        };
        let clash = |a: &[u8], b: &[u8], what: &str| {
            if a == b {
                Err(ToolError::new(format!("{what} may not be equal")))
            } else {
                Ok(())
            }
        };
        clash(
            &f.headers_delimiter,
            &f.headers_separator,
            "headers.delimiter and headers.separator",
        )?;
        clash(
            &f.headers_delimiter,
            &f.headers_key_separator,
            "headers.delimiter and headers.key.separator",
        )?;
        clash(
            &f.headers_separator,
            &f.headers_key_separator,
            "headers.separator and headers.key.separator",
        )?;
        if let Some(marker) = &f.null_marker {
            clash(marker, &f.key_separator, "null.marker and key.separator")?;
            clash(marker, &f.headers_separator, "null.marker and headers.separator")?;
            clash(marker, &f.headers_delimiter, "null.marker and headers.delimiter")?;
            clash(marker, &f.headers_key_separator, "null.marker and headers.key.separator")?;
        }
        Ok(f)
    }

    fn is_null(&self, field: &[u8]) -> bool {
        self.null_marker.as_deref() == Some(field)
    }

    /// Parses line number `line_number` (1-based) into a record, with Kafka's error messages.
    pub fn parse<'a>(&self, line: &'a [u8], line_number: u64) -> Result<LineRecord<'a>, ToolError> {
        let headers = self.field(
            self.parse_headers,
            line,
            0,
            &self.headers_delimiter,
            "headers delimiter",
            line_number,
        )?;
        let header_offset = headers.map_or(0, |h| h.len() + self.headers_delimiter.len());
        let key = self.field(
            self.parse_key,
            line,
            header_offset,
            &self.key_separator,
            "key separator",
            line_number,
        )?;
        let key_offset = key.map_or(0, |k| k.len() + self.key_separator.len());
        let value = &line[header_offset + key_offset..];
        let mut record = LineRecord {
            key: key.filter(|k| !self.is_null(k)),
            value: (!self.is_null(value)).then_some(value),
            headers: Vec::new(),
        };
        if let Some(h) = headers.filter(|h| !self.is_null(h)) {
            record.headers = self.split_headers(h, line_number)?;
        }
        Ok(record)
    }

    /// Kafka's `parse`: the text from `start` up to the next `separator`, when enabled.
    fn field<'a>(
        &self,
        enabled: bool,
        line: &'a [u8],
        start: usize,
        separator: &[u8],
        name: &str,
        line_number: u64,
    ) -> Result<Option<&'a [u8]>, ToolError> {
        if !enabled {
            return Ok(None);
        }
        match find(&line[start..], separator) {
            Some(i) => Ok(Some(&line[start..start + i])),
            None if self.ignore_error => Ok(None),
            None => Err(ToolError::new(format!(
                "No {name} found on line number {line_number}: '{}'",
                String::from_utf8_lossy(line)
            ))),
        }
    }

    /// Kafka's `splitHeaders`: `Pattern.split` (trailing empty pairs dropped), then `k:v` pairs.
    fn split_headers<'a>(&self, headers: &'a [u8], line_number: u64) -> Result<Vec<LineHeader<'a>>, ToolError> {
        let mut pairs = split(headers, &self.headers_separator);
        while pairs.len() > 1 && pairs.last().is_some_and(|p| p.is_empty()) {
            pairs.pop();
        }
        if pairs.len() == 1 && pairs[0].is_empty() && !headers.is_empty() {
            pairs.clear();
        }
        let mut out = Vec::with_capacity(pairs.len());
        for pair in pairs {
            let Some(i) = find(pair, &self.headers_key_separator) else {
                if self.ignore_error {
                    out.push((String::from_utf8_lossy(pair), None));
                    continue;
                }
                return Err(ToolError::new(format!(
                    "No header key separator found in pair '{}' on line number {line_number}",
                    String::from_utf8_lossy(pair)
                )));
            };
            let key = &pair[..i];
            if self.is_null(key) {
                let marker = String::from_utf8_lossy(self.null_marker.as_deref().unwrap_or_default()).into_owned();
                return Err(ToolError::new(format!(
                    "Header keys should not be equal to the null marker '{marker}' as they can't be null"
                )));
            }
            let value = &pair[i + self.headers_key_separator.len()..];
            out.push((String::from_utf8_lossy(key), (!self.is_null(value)).then_some(value)));
        }
        Ok(out)
    }
}

/// The first occurrence of `needle` (an empty needle is found at 0, as `String.indexOf("")`).
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split<'a>(mut s: &'a [u8], sep: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    if sep.is_empty() {
        return vec![s];
    }
    while let Some(i) = find(s, sep) {
        parts.push(&s[..i]);
        s = &s[i + sep.len()..];
    }
    parts.push(s);
    parts
}

/// Reads lines the way `BufferedReader.readLine` does, as bytes.
pub struct LineReader<R> {
    inner: R,
    /// The previous line ended with `\r`: a `\n` right after it belongs to that terminator.
    skip_lf: bool,
}

impl<R: BufRead> LineReader<R> {
    pub fn new(inner: R) -> Self {
        LineReader { inner, skip_lf: false }
    }

    /// Reads the next line into `line` (cleared first), without its terminator; false at the end.
    pub fn next_line(&mut self, line: &mut Vec<u8>) -> io::Result<bool> {
        line.clear();
        let mut any = false;
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok(any);
            }
            if self.skip_lf {
                self.skip_lf = false;
                if buf[0] == b'\n' {
                    self.inner.consume(1);
                    continue;
                }
            }
            any = true;
            match buf.iter().position(|&b| b == b'\n' || b == b'\r') {
                Some(i) => {
                    line.extend_from_slice(&buf[..i]);
                    self.skip_lf = buf[i] == b'\r';
                    self.inner.consume(i + 1);
                    return Ok(true);
                }
                None => {
                    let n = buf.len();
                    line.extend_from_slice(buf);
                    self.inner.consume(n);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(pairs: &[(&str, &str)]) -> LineFormat {
        LineFormat::from_props(&pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()).unwrap()
    }

    fn lines(input: &[u8]) -> Vec<Vec<u8>> {
        let mut r = LineReader::new(io::BufReader::with_capacity(3, input));
        let mut out = Vec::new();
        let mut line = Vec::new();
        while r.next_line(&mut line).unwrap() {
            out.push(line.clone());
        }
        out
    }

    #[test]
    fn lines_end_as_java_readline_ends_them() {
        let got = lines(b"a\nb\r\nc\rd\n\ne\xff\xfe\r\r\nlast");
        let want: Vec<&[u8]> = vec![b"a", b"b", b"c", b"d", b"", b"e\xff\xfe", b"", b"last"];
        assert_eq!(got, want);
        assert_eq!(lines(b"x\n"), vec![b"x".to_vec()]);
        assert!(lines(b"").is_empty());
        assert_eq!(lines(b"\r\n"), vec![Vec::<u8>::new()]);
    }

    #[test]
    fn keys_headers_and_null_marker() {
        let f = format(&[("parse.key", "true"), ("parse.headers", "true"), ("null.marker", "NULL")]);
        let r = f.parse(b"h1:v1,h2:NULL\tk\tv\tw", 1).unwrap();
        assert_eq!(r.key, Some(&b"k"[..]));
        assert_eq!(r.value, Some(&b"v\tw"[..]));
        assert_eq!(r.headers, vec![("h1".into(), Some(&b"v1"[..])), ("h2".into(), None)]);
        let r = f.parse(b"NULL\tNULL\tNULL", 1).unwrap();
        assert_eq!(
            r,
            LineRecord {
                key: None,
                value: None,
                headers: vec![]
            }
        );
        let e = f.parse(b"NULL:x\tk\tv", 3).unwrap_err().to_string();
        assert_eq!(e, "Header keys should not be equal to the null marker 'NULL' as they can't be null");
    }

    #[test]
    fn missing_separators_fail_or_are_ignored() {
        let f = format(&[("parse.key", "true")]);
        let e = f.parse(b"no separator", 2).unwrap_err().to_string();
        assert_eq!(e, "No key separator found on line number 2: 'no separator'");
        let f = format(&[("parse.key", "true"), ("ignore.error", "true"), ("key.separator", "::")]);
        assert_eq!(f.parse(b"plain", 1).unwrap().key, None);
        assert_eq!(f.parse(b"k::v", 1).unwrap().value, Some(&b"v"[..]));
        let f = format(&[("parse.headers", "true")]);
        let e = f.parse(b"a:1,b\tv", 4).unwrap_err().to_string();
        assert_eq!(e, "No header key separator found in pair 'b' on line number 4");
        assert_eq!(f.parse(b"a:1,,\tv", 1).unwrap().headers.len(), 1);
    }

    #[test]
    fn equal_separators_are_refused() {
        let props: Props = [("headers.separator".to_string(), ":".to_string())].into_iter().collect();
        let e = LineFormat::from_props(&props).unwrap_err().to_string();
        assert_eq!(e, "headers.separator and headers.key.separator may not be equal");
    }
}
