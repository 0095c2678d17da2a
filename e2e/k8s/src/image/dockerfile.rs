//! What a Dockerfile's final stage says about the image at run time — `USER`, `EXPOSE`,
//! `ENTRYPOINT`, `CMD` and the binaries it copies in — so the images the node tier packs are made
//! from the same facts as the ones users build with Docker, and cannot drift from them.

use crate::error::{Error, Result};

/// The runtime facts of a Dockerfile's last stage.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuntimeFacts {
    pub user: String,
    pub exposed_ports: Vec<u16>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    /// `COPY --from=… SOURCE DEST` lines: (source, destination).
    pub copies: Vec<(String, String)>,
}

/// Parses the last stage (after the last `FROM`) of a Dockerfile. `ENTRYPOINT`/`CMD` must use
/// the JSON (exec) form, as ours do; anything else is refused rather than guessed.
pub fn parse(text: &str) -> Result<RuntimeFacts> {
    let mut facts = RuntimeFacts::default();
    for line in logical_lines(text) {
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line.as_str(), ""));
        let rest = rest.trim();
        match word.to_ascii_uppercase().as_str() {
            "FROM" => facts = RuntimeFacts::default(),
            "USER" => facts.user = rest.to_string(),
            "EXPOSE" => {
                for port in rest.split_whitespace() {
                    let number = port.trim_end_matches("/tcp");
                    facts.exposed_ports.push(
                        number
                            .parse()
                            .map_err(|_| Error::Invalid(format!("Dockerfile EXPOSE {port}: not a TCP port")))?,
                    );
                }
            }
            "ENTRYPOINT" => facts.entrypoint = exec_form(word, rest)?,
            "CMD" => facts.cmd = exec_form(word, rest)?,
            "COPY" => {
                let args: Vec<&str> = rest.split_whitespace().filter(|a| !a.starts_with("--")).collect();
                if let [source, dest] = args.as_slice() {
                    facts.copies.push((source.to_string(), dest.to_string()));
                }
            }
            _ => {}
        }
    }
    Ok(facts)
}

/// Lines without comments, with `\` continuations joined.
fn logical_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for raw in text.lines() {
        let trimmed = raw.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_empty()) {
            continue;
        }
        if let Some(head) = trimmed.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
        } else {
            current.push_str(trimmed);
            lines.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

fn exec_form(word: &str, rest: &str) -> Result<Vec<String>> {
    serde_json::from_str(rest).map_err(|_| Error::Invalid(format!("Dockerfile {word} {rest}: only the JSON exec form is understood")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_stage_only_with_continuations() {
        let facts = parse(
            "FROM a AS builder\nUSER 1\nRUN x \\\n  && y\nFROM b\n# EXPOSE 1\nCOPY --from=builder /out/k /usr/local/bin/k\nUSER 65532:65532\nEXPOSE 9092 9093/tcp\nENTRYPOINT [\"/usr/local/bin/k\"]\nCMD [\"broker\"]\n",
        )
        .unwrap();
        assert_eq!(
            facts,
            RuntimeFacts {
                user: "65532:65532".into(),
                exposed_ports: vec![9092, 9093],
                entrypoint: vec!["/usr/local/bin/k".into()],
                cmd: vec!["broker".into()],
                copies: vec![("/out/k".into(), "/usr/local/bin/k".into())],
            }
        );
    }

    #[test]
    fn shell_form_is_refused() {
        assert!(parse("FROM b\nCMD broker\n").is_err());
    }
}
