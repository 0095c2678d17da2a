//! Java `.properties` files, the format of `server.properties`, `connect-distributed.properties`
//! and the tools' `--command-config` files, read the way `java.util.Properties.load` reads them:
//! `#` or `!` comment lines; `key=value`, `key:value` or `key value` (whitespace around the
//! separator ignored); a backslash at the end of a line continues it; `\t \n \r \f \uXXXX \\`
//! and `\=`-style escapes. Also Kafka's `key=value` command-line pairs (`--property k=v`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Properties by key; a key given twice keeps its last value (a `BTreeMap` for stable output).
pub type Props = BTreeMap<String, String>;

/// A `.properties` file that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {}: {source}", path.display())]
pub struct ReadError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// Reads and parses a `.properties` file.
pub fn load_file(path: &Path) -> Result<Props, ReadError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReadError {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(parse(&text))
}

/// Kafka's `CommandLineUtils.parseKeyValueArgs` for `--property k=v` style flags: split at the
/// first `=`, nothing trimmed (a separator may be a space), a missing `=` giving an empty value.
pub fn key_value_args(args: &[String]) -> Props {
    args.iter()
        .map(|a| match a.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (a.clone(), String::new()),
        })
        .collect()
}

/// Parses `.properties` text (`java.util.Properties.load`).
pub fn parse(text: &str) -> Props {
    let mut out = Props::new();
    let mut logical = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if logical.is_empty() && (trimmed.starts_with('#') || trimmed.starts_with('!') || trimmed.is_empty()) {
            continue;
        }
        let ends_with_escape = trimmed.chars().rev().take_while(|c| *c == '\\').count() % 2 == 1;
        if ends_with_escape {
            logical.push_str(&trimmed[..trimmed.len() - 1]);
            continue;
        }
        logical.push_str(trimmed);
        let entry = std::mem::take(&mut logical);
        let (k, v) = split_key_value(&entry);
        out.insert(unescape(k.trim_end()), unescape(v.trim_start()));
    }
    // A continuation on the last line still ends the entry, as in Java.
    if !logical.is_empty() {
        let (k, v) = split_key_value(&logical);
        out.insert(unescape(k.trim_end()), unescape(v.trim_start()));
    }
    out
}

fn split_key_value(line: &str) -> (&str, &str) {
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '=' | ':' => return (&line[..i], &line[i + 1..]),
            c if c.is_whitespace() => {
                let rest = line[i..].trim_start();
                let rest = rest.strip_prefix(['=', ':']).unwrap_or(rest);
                return (&line[..i], rest);
            }
            _ => {}
        }
    }
    (line, "")
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\x0c'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => out.push_str(&hex),
                }
            }
            Some(o) => out.push(o),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_properties_forms() {
        let text = "# comment\n! also\n\nbootstrap.servers=h:9092\nclient.id : me\nacks all\n  spaced = v w \nlong=a\\\n   b\nesc=tab\\there\\u00e9\\\\\nempty=\nbare\nkey\\=eq=x\n";
        let p = parse(text);
        assert_eq!(p["bootstrap.servers"], "h:9092");
        assert_eq!(p["client.id"], "me");
        assert_eq!(p["acks"], "all");
        assert_eq!(p["spaced"], "v w ");
        assert_eq!(p["long"], "ab");
        assert_eq!(p["esc"], "tab\there\u{e9}\\");
        assert_eq!(p["empty"], "");
        assert_eq!(p["bare"], "");
        assert_eq!(p["key=eq"], "x");
    }

    #[test]
    fn a_continuation_on_the_last_line_ends_the_entry() {
        let p = parse("# c\n! c\na=1\nb : 2\nc 3\nlong=x,\\\n   y\nesc=a\\=b\nlast=z\\");
        assert_eq!(p["a"], "1");
        assert_eq!(p["b"], "2");
        assert_eq!(p["c"], "3");
        assert_eq!(p["long"], "x,y");
        assert_eq!(p["esc"], "a=b");
        assert_eq!(p["last"], "z");
    }

    #[test]
    fn key_value_args_split_at_the_first_equals() {
        let p = key_value_args(&["a=b=c".into(), "novalue".into(), "sep= ".into()]);
        assert_eq!(p["a"], "b=c");
        assert_eq!(p["novalue"], "");
        assert_eq!(p["sep"], " ");
    }

    #[test]
    fn a_missing_file_names_itself() {
        let e = load_file(Path::new("/no/such/file.properties")).unwrap_err();
        assert!(e.to_string().starts_with("cannot read /no/such/file.properties: "), "{e}");
    }
}
