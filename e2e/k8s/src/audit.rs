//! The API server's audit log, read back by tests. It answers "what did this user write?":
//! the operator's steady-state reconcile must make zero write requests, and the audit log
//! counts every request the server completed, whatever the client.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{IoContext, Result};

/// The audit policy the harness gives the API server: every request at level Metadata (who,
/// verb, object; no bodies), once, when its response is complete.
pub const POLICY: &str = "\
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived, ResponseStarted]
rules:
- level: Metadata
";

/// The verbs that change state.
pub const WRITE_VERBS: &[&str] = &["create", "update", "patch", "delete", "deletecollection"];

/// One audit event (the fields tests use; see `audit.k8s.io/v1` Event).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    #[serde(rename = "auditID", default)]
    pub audit_id: String,
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub verb: String,
    #[serde(rename = "requestURI", default)]
    pub request_uri: String,
    #[serde(default)]
    pub user: AuditUser,
    #[serde(default)]
    pub user_agent: Option<String>,
    #[serde(default)]
    pub object_ref: Option<ObjectRef>,
    #[serde(default)]
    pub response_status: Option<ResponseStatus>,
}

/// Who made the request.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AuditUser {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub groups: Vec<String>,
}

/// The object a request was about.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    #[serde(default)]
    pub resource: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub api_group: Option<String>,
    #[serde(default)]
    pub subresource: Option<String>,
}

/// The response's HTTP status.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ResponseStatus {
    #[serde(default)]
    pub code: Option<u16>,
}

impl AuditEvent {
    /// Whether the verb changes state.
    pub fn is_write(&self) -> bool {
        WRITE_VERBS.contains(&self.verb.as_str())
    }

    /// `VERB resource[/subresource] namespace/name (code)`, for assertion messages.
    pub fn summary(&self) -> String {
        let (resource, target) = match &self.object_ref {
            Some(o) => {
                let resource = match &o.subresource {
                    Some(sub) => format!("{}/{sub}", o.resource),
                    None => o.resource.clone(),
                };
                let target = format!("{}/{}", o.namespace.as_deref().unwrap_or(""), o.name.as_deref().unwrap_or(""));
                (resource, target)
            }
            None => (self.request_uri.clone(), String::new()),
        };
        let code = self
            .response_status
            .as_ref()
            .and_then(|s| s.code)
            .map(|c| c.to_string())
            .unwrap_or_default();
        format!("{} {resource} {target} ({code})", self.verb)
    }
}

/// A position in the audit log: events after it are "since".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct AuditMark(u64);

/// The API server's audit log file (JSON lines).
#[derive(Clone, Debug)]
pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    /// The log at `path` (which may not exist yet).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The current end of the log.
    pub fn mark(&self) -> Result<AuditMark> {
        Ok(AuditMark(self.read()?.len() as u64))
    }

    /// Every completed request so far.
    pub fn events(&self) -> Result<Vec<AuditEvent>> {
        self.events_since(AuditMark(0))
    }

    /// Completed requests logged after `mark`.
    pub fn events_since(&self, mark: AuditMark) -> Result<Vec<AuditEvent>> {
        let bytes = self.read()?;
        let start = usize::try_from(mark.0).unwrap_or(usize::MAX).min(bytes.len());
        Ok(parse(&bytes[start..]))
    }

    /// Write requests (create, update, patch, delete) by `username`.
    pub fn writes_by(&self, username: &str) -> Result<Vec<AuditEvent>> {
        self.writes_by_since(username, AuditMark(0))
    }

    /// Requests by `username` the API server refused (403), as `VERB URI`.
    pub fn refused(&self, username: &str) -> Result<Vec<String>> {
        Ok(self
            .events()?
            .iter()
            .filter(|e| e.user.username == username && e.response_status.as_ref().and_then(|r| r.code) == Some(403))
            .map(|e| format!("{} {}", e.verb, e.request_uri))
            .collect())
    }

    /// Write requests by `username` logged after `mark`.
    pub fn writes_by_since(&self, username: &str, mark: AuditMark) -> Result<Vec<AuditEvent>> {
        Ok(self
            .events_since(mark)?
            .into_iter()
            .filter(|e| e.is_write() && e.user.username == username)
            .collect())
    }

    fn read(&self) -> Result<Vec<u8>> {
        match std::fs::read(&self.path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            other => other.context(|| format!("reading {}", self.path.display())),
        }
    }
}

/// Complete events from JSON lines; a line being written (no newline yet) or of another shape
/// is not an event.
fn parse(bytes: &[u8]) -> Vec<AuditEvent> {
    let complete = match bytes.iter().rposition(|&b| b == b'\n') {
        Some(end) => &bytes[..=end],
        None => return Vec::new(),
    };
    complete
        .split(|&b| b == b'\n')
        .filter_map(|line| serde_json::from_slice::<AuditEvent>(line).ok())
        .filter(|e| e.stage == "ResponseComplete" || e.stage == "Panic")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_complete_lines_and_filters_writes() {
        let log = concat!(
            r#"{"kind":"Event","stage":"ResponseComplete","verb":"patch","user":{"username":"op"},"objectRef":{"resource":"services","namespace":"ns","name":"a"},"responseStatus":{"code":200}}"#,
            "\n",
            r#"{"kind":"Event","stage":"ResponseComplete","verb":"get","user":{"username":"op"}}"#,
            "\n",
            r#"{"kind":"Event","stage":"ResponseComplete","verb":"create","user":{"username":"other"}}"#,
            "\n",
            r#"{"kind":"Event","stage":"ResponseComplete","verb":"delete","user":{"usern"#,
        );
        let events = parse(log.as_bytes());
        assert_eq!(events.len(), 3);
        let writes: Vec<_> = events.iter().filter(|e| e.is_write() && e.user.username == "op").collect();
        assert_eq!(writes.len(), 1);
        assert_eq!(writes[0].summary(), "patch services ns/a (200)");
    }
}
