//! The bytes Kafka Connect workers exchange through the group coordinator, as Apache Kafka
//! Connect writes them (`ConnectProtocol`, `IncrementalCooperativeConnectProtocol`), so a Kaskade
//! worker reads a Java worker's metadata and assignments and the other way round.
//!
//! The format is Kafka's old `Schema`/`Struct` encoding: fixed-width big-endian integers,
//! strings as an int16 length and UTF-8 bytes, byte strings and arrays as an int32 length (-1 for
//! null) and their elements. Every message starts with an int16 version:
//!
//! ```text
//! Metadata (JoinGroup protocol metadata)        Assignment (SyncGroup assignment)
//!   Version      int16   0 | 1 | 2                Version        int16   0 | 1 | 2
//!   Url          string                           Error          int16   0, or 1 = CONFIG_MISMATCH
//!   ConfigOffset int64                            Leader         string  the leader's member id
//!   Allocation   nullable bytes   v1+: the        LeaderUrl      string
//!                worker's current assignment,     ConfigOffset   int64
//!                an Assignment in the same        Assignment     [Connector Assignment]  (v1+: nullable)
//!                version; null for none           Revoked        [Connector Assignment]  v1+, nullable
//!                                                 ScheduledDelay int32   v1+, milliseconds
//! Connector Assignment: Connector string, Tasks [int32], where task -1 stands for the connector itself.
//! ```
//!
//! Readers follow Kafka's: any version ≥ 0 is read with the newest layout, and fields missing at
//! the end of a v1+ struct take their defaults (null arrays, delay 0), so a v0 message reads as a
//! v1 one with nothing revoked. Bytes after the known fields are ignored (a newer writer's).
//!
//! The protocols a worker offers (ConnectProtocolCompatibility): `sessioned` (v2, KIP-507's
//! signed internal requests), `compatible` (v1, KIP-415's incremental cooperative rebalancing),
//! `default` (v0, eager: every rebalance revokes everything).

use std::fmt;

/// The protocol type Connect workers join their group with.
pub const CONNECT_PROTOCOL_TYPE: &str = "connect";

/// The task number that stands for the connector itself in a connector assignment.
pub const CONNECTOR_TASK: i32 = -1;

/// `Assignment.NO_ERROR`.
pub const NO_ERROR: i16 = 0;

/// `Assignment.CONFIG_MISMATCH`: the leader was behind the config topic and could not assign;
/// members read to the end of the config topic and rejoin.
pub const CONFIG_MISMATCH: i16 = 1;

/// Which of Connect's group protocols (`ConnectProtocolCompatibility`, the worker's
/// `connect.protocol` setting names the most recent one it offers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConnectProtocol {
    /// `default`, v0: eager rebalancing.
    Eager,
    /// `compatible`, v1: incremental cooperative rebalancing.
    Compatible,
    /// `sessioned`, v2: v1 with session keys for internal REST requests.
    Sessioned,
}

impl ConnectProtocol {
    /// Every protocol, oldest first.
    pub const ALL: [ConnectProtocol; 3] = [ConnectProtocol::Eager, ConnectProtocol::Compatible, ConnectProtocol::Sessioned];

    /// The protocol name in JoinGroup: `default`, `compatible`, `sessioned`.
    pub fn name(self) -> &'static str {
        match self {
            ConnectProtocol::Eager => "default",
            ConnectProtocol::Compatible => "compatible",
            ConnectProtocol::Sessioned => "sessioned",
        }
    }

    /// The version in the messages' header: 0, 1, 2.
    pub fn version(self) -> i16 {
        match self {
            ConnectProtocol::Eager => 0,
            ConnectProtocol::Compatible => 1,
            ConnectProtocol::Sessioned => 2,
        }
    }

    /// The `connect.protocol` setting's value: `eager`, `compatible`, `sessioned`.
    pub fn mode(self) -> &'static str {
        match self {
            ConnectProtocol::Eager => "eager",
            ConnectProtocol::Compatible => "compatible",
            ConnectProtocol::Sessioned => "sessioned",
        }
    }

    /// By JoinGroup protocol name, ignoring case as Kafka does.
    pub fn from_name(name: &str) -> Option<ConnectProtocol> {
        Self::ALL.into_iter().find(|p| p.name().eq_ignore_ascii_case(name))
    }

    /// By `connect.protocol` value, ignoring case as Kafka does.
    pub fn from_mode(mode: &str) -> Option<ConnectProtocol> {
        Self::ALL.into_iter().find(|p| p.mode().eq_ignore_ascii_case(mode))
    }

    pub fn from_version(version: i16) -> Option<ConnectProtocol> {
        Self::ALL.into_iter().find(|p| p.version() == version)
    }

    /// Whether assignments are incremental (v1+: revocations, delays, current assignments in
    /// the metadata).
    pub fn is_incremental(self) -> bool {
        self != ConnectProtocol::Eager
    }

    /// The protocols a worker whose `connect.protocol` is `self` offers, most preferred first
    /// (Kafka: `sessioned` offers all three, `compatible` two, `eager` only `default`).
    pub fn offered(self) -> Vec<ConnectProtocol> {
        Self::ALL.into_iter().rev().filter(|p| *p <= self).collect()
    }
}

impl fmt::Display for ConnectProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One task of a connector (`ConnectorTaskId`); ordered by connector, then task, as Kafka's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnectorTaskId {
    pub connector: String,
    pub task: i32,
}

impl ConnectorTaskId {
    pub fn new(connector: impl Into<String>, task: i32) -> Self {
        ConnectorTaskId {
            connector: connector.into(),
            task,
        }
    }
}

impl fmt::Display for ConnectorTaskId {
    /// `connector-task`, as Kafka prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.connector, self.task)
    }
}

/// What a worker sends in JoinGroup (`WorkerState`, v1+ `ExtendedWorkerState`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerState {
    /// The worker's REST URL (`rest.advertised.*`), where the leader forwards requests.
    pub url: String,
    /// The newest config topic offset the worker has read.
    pub config_offset: i64,
    /// v1+: what the worker runs now, as the assignments it got added up (revocations taken
    /// out). `None` before its first assignment (written as null; v0 carries none).
    pub assignment: Option<Assignment>,
}

/// What the leader hands each worker in SyncGroup (`Assignment`, v1+ `ExtendedAssignment`). In
/// the incremental protocols `connectors` and `tasks` are what to start now, on top of what
/// the worker runs, and `revoked_*` what to stop; in v0 they are everything it runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Assignment {
    /// The header's version: 0, 1 or 2 (the protocol the group chose).
    pub version: i16,
    /// [`NO_ERROR`] or [`CONFIG_MISMATCH`].
    pub error: i16,
    /// The leader's member id.
    pub leader: String,
    pub leader_url: String,
    /// The config topic offset the assignment was computed at; a worker behind it reads up to
    /// it before it starts anything.
    pub config_offset: i64,
    pub connectors: Vec<String>,
    pub tasks: Vec<ConnectorTaskId>,
    /// v1+.
    pub revoked_connectors: Vec<String>,
    /// v1+.
    pub revoked_tasks: Vec<ConnectorTaskId>,
    /// v1+: milliseconds until the worker should rejoin (a delayed rebalance is scheduled);
    /// 0 for none.
    pub delay: i32,
}

impl Assignment {
    /// Whether the leader could not assign ([`CONFIG_MISMATCH`]).
    pub fn failed(&self) -> bool {
        self.error != NO_ERROR
    }

    /// What a worker runs once it got `self` while it ran `previous`: what it keeps in its
    /// [`WorkerState::assignment`] for the next join (Kafka's `WorkerCoordinator.
    /// onJoinComplete`). In the incremental protocols `self`'s connectors and tasks, then those
    /// of `previous` that `self` does not revoke; in v0 `self` as it is.
    pub fn accumulated(&self, previous: Option<&Assignment>) -> Assignment {
        let mut out = self.clone();
        if let (true, Some(previous)) = (self.version >= 1, previous) {
            for c in &previous.connectors {
                if !self.revoked_connectors.contains(c) && !out.connectors.contains(c) {
                    out.connectors.push(c.clone());
                }
            }
            for t in &previous.tasks {
                if !self.revoked_tasks.contains(t) && !out.tasks.contains(t) {
                    out.tasks.push(t.clone());
                }
            }
        }
        out
    }
}

/// Bytes that are not a Connect protocol message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Connect protocol: {0}")]
pub struct ProtocolError(pub String);

fn err<T>(what: impl Into<String>) -> Result<T, ProtocolError> {
    Err(ProtocolError(what.into()))
}

/// JoinGroup metadata for one protocol. `Eager` writes v0 (URL and offset only); the
/// incremental protocols write their version with the current assignment embedded in the same
/// version.
pub fn encode_metadata(state: &WorkerState, protocol: ConnectProtocol) -> Vec<u8> {
    let mut w = Writer::default();
    w.i16(protocol.version());
    w.string(&state.url);
    w.i64(state.config_offset);
    if protocol.is_incremental() {
        match &state.assignment {
            None => w.i32(-1),
            Some(a) => {
                let embedded = encode_assignment_as(a, protocol.version());
                w.i32(embedded.len() as i32);
                w.bytes(&embedded);
            }
        }
    }
    w.out
}

/// The JoinGroup protocols a worker offers, most preferred first, with their metadata: what
/// the worker sends for its `connect.protocol` setting `mode`.
pub fn metadata_protocols(state: &WorkerState, mode: ConnectProtocol) -> Vec<(String, Vec<u8>)> {
    mode.offered()
        .into_iter()
        .map(|p| (p.name().to_string(), encode_metadata(state, p)))
        .collect()
}

/// Reads JoinGroup metadata of any version (`IncrementalCooperativeConnectProtocol.
/// deserializeMetadata`): v0 has no assignment.
pub fn decode_metadata(bytes: &[u8]) -> Result<WorkerState, ProtocolError> {
    let mut r = Reader::new(bytes, "metadata");
    let version = r.version()?;
    let url = r.string("url")?;
    let config_offset = r.i64("config-offset")?;
    // The allocation field tolerates being missing (v0, or a v1 writer that left it out).
    let assignment = if r.is_empty() {
        None
    } else {
        match r.nullable_bytes("allocation")? {
            None => None,
            Some(embedded) => Some(decode_assignment(embedded).map_err(|e| ProtocolError(format!("{} (v{version} metadata)", e.0)))?),
        }
    };
    Ok(WorkerState {
        url,
        config_offset,
        assignment,
    })
}

/// SyncGroup assignment bytes in `assignment.version`: v0 without the incremental fields
/// (whatever `revoked_*` and `delay` hold is not written).
pub fn encode_assignment(assignment: &Assignment) -> Vec<u8> {
    encode_assignment_as(assignment, assignment.version)
}

fn encode_assignment_as(a: &Assignment, version: i16) -> Vec<u8> {
    let mut w = Writer::default();
    w.i16(version);
    w.i16(a.error);
    w.string(&a.leader);
    w.string(&a.leader_url);
    w.i64(a.config_offset);
    w.connector_assignments(&a.connectors, &a.tasks);
    if version >= 1 {
        w.connector_assignments(&a.revoked_connectors, &a.revoked_tasks);
        w.i32(a.delay);
    }
    w.out
}

/// Reads a SyncGroup assignment of any version (`IncrementalCooperativeConnectProtocol.
/// deserializeAssignment`; v0's layout is v1's without its last fields).
pub fn decode_assignment(bytes: &[u8]) -> Result<Assignment, ProtocolError> {
    let mut r = Reader::new(bytes, "assignment");
    let version = r.version()?;
    let error = r.i16("error")?;
    let leader = r.string("leader")?;
    let leader_url = r.string("leader-url")?;
    let config_offset = r.i64("config-offset")?;
    let (connectors, tasks) = if r.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        r.connector_assignments("assignment")?
    };
    let (revoked_connectors, revoked_tasks) = if r.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        r.connector_assignments("revoked")?
    };
    let delay = if r.is_empty() { 0 } else { r.i32("delay")? };
    Ok(Assignment {
        version,
        error,
        leader,
        leader_url,
        config_offset,
        connectors,
        tasks,
        revoked_connectors,
        revoked_tasks,
        delay,
    })
}

#[derive(Default)]
struct Writer {
    out: Vec<u8>,
}

impl Writer {
    fn i16(&mut self, v: i16) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }

    fn i32(&mut self, v: i32) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }

    fn i64(&mut self, v: i64) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }

    fn bytes(&mut self, b: &[u8]) {
        self.out.extend_from_slice(b);
    }

    /// Kafka's STRING: int16 length, UTF-8. Connector names, member ids and URLs are far below
    /// 32 KiB; a longer one is cut at a character boundary rather than written with a wrong
    /// length (Kafka refuses to write it).
    fn string(&mut self, s: &str) {
        let mut end = s.len().min(i16::MAX as usize);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        self.i16(end as i16);
        self.bytes(&s.as_bytes()[..end]);
    }

    /// `[Connector Assignment]`: each connector once, `-1` first when the connector itself is
    /// assigned, then its tasks in the order given. Connectors come in the order they first
    /// appear (the connectors' list, then the tasks'), as Kafka's `revokedAsMap` orders them.
    fn connector_assignments(&mut self, connectors: &[String], tasks: &[ConnectorTaskId]) {
        fn entry<'a, 'g>(grouped: &'g mut Vec<(&'a str, Vec<i32>)>, name: &'a str) -> &'g mut Vec<i32> {
            let i = match grouped.iter().position(|(c, _)| *c == name) {
                Some(i) => i,
                None => {
                    grouped.push((name, Vec::new()));
                    grouped.len() - 1
                }
            };
            &mut grouped[i].1
        }
        let mut grouped: Vec<(&str, Vec<i32>)> = Vec::new();
        let mut seen_connectors: Vec<&str> = Vec::new();
        for c in connectors {
            if !seen_connectors.contains(&c.as_str()) {
                seen_connectors.push(c);
                entry(&mut grouped, c).push(CONNECTOR_TASK);
            }
        }
        for t in tasks {
            entry(&mut grouped, &t.connector).push(t.task);
        }
        self.i32(grouped.len() as i32);
        for (connector, ids) in grouped {
            self.string(connector);
            self.i32(ids.len() as i32);
            for id in ids {
                self.i32(id);
            }
        }
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8], what: &'static str) -> Self {
        Reader { buf, what }
    }

    fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    fn take(&mut self, n: usize, field: &str) -> Result<&'a [u8], ProtocolError> {
        if self.buf.len() < n {
            return err(format!("{} field {field:?}: {n} bytes needed, {} left", self.what, self.buf.len()));
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }

    fn i16(&mut self, field: &str) -> Result<i16, ProtocolError> {
        Ok(i16::from_be_bytes(self.take(2, field)?.try_into().expect("2 bytes")))
    }

    fn i32(&mut self, field: &str) -> Result<i32, ProtocolError> {
        Ok(i32::from_be_bytes(self.take(4, field)?.try_into().expect("4 bytes")))
    }

    fn i64(&mut self, field: &str) -> Result<i64, ProtocolError> {
        Ok(i64::from_be_bytes(self.take(8, field)?.try_into().expect("8 bytes")))
    }

    fn version(&mut self) -> Result<i16, ProtocolError> {
        let version = self.i16("version")?;
        if version < 0 {
            return err(format!("unsupported {} version {version}", self.what));
        }
        Ok(version)
    }

    fn string(&mut self, field: &str) -> Result<String, ProtocolError> {
        let len = self.i16(field)?;
        let Ok(len) = usize::try_from(len) else {
            return err(format!("{} field {field:?}: string length {len}", self.what));
        };
        let bytes = self.take(len, field)?;
        String::from_utf8(bytes.to_vec()).or_else(|_| err(format!("{} field {field:?}: not UTF-8", self.what)))
    }

    fn nullable_bytes(&mut self, field: &str) -> Result<Option<&'a [u8]>, ProtocolError> {
        let len = self.i32(field)?;
        if len < 0 {
            return Ok(None);
        }
        self.take(len as usize, field).map(Some)
    }

    /// An int32 count (-1: null, read as empty where the field is nullable), checked against the bytes left so a broken
    /// count cannot make us allocate: every element takes at least `min_size` bytes.
    fn count(&mut self, field: &str, min_size: usize, nullable: bool) -> Result<usize, ProtocolError> {
        let n = self.i32(field)?;
        if n < 0 && nullable {
            return Ok(0);
        }
        if n < 0 {
            return err(format!("{} field {field:?}: array size {n}", self.what));
        }
        let n = n as usize;
        if n.saturating_mul(min_size) > self.buf.len() {
            return err(format!("{} field {field:?}: {n} elements in {} bytes", self.what, self.buf.len()));
        }
        Ok(n)
    }

    /// `[Connector Assignment]` into connectors (task -1) and tasks, in the order read.
    fn connector_assignments(&mut self, field: &str) -> Result<(Vec<String>, Vec<ConnectorTaskId>), ProtocolError> {
        let mut connectors = Vec::new();
        let mut tasks = Vec::new();
        // A connector name (2 bytes at least) and a task count (4).
        for _ in 0..self.count(field, 6, true)? {
            let connector = self.string("connector")?;
            for _ in 0..self.count("tasks", 4, false)? {
                match self.i32("tasks")? {
                    CONNECTOR_TASK => connectors.push(connector.clone()),
                    task => tasks.push(ConnectorTaskId::new(connector.clone(), task)),
                }
            }
        }
        Ok((connectors, tasks))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn assignment_v1() -> Assignment {
        Assignment {
            version: 1,
            error: NO_ERROR,
            leader: "w1".into(),
            leader_url: "http://a:8083/".into(),
            config_offset: 7,
            connectors: vec!["jdbc".into()],
            tasks: vec![
                ConnectorTaskId::new("jdbc", 0),
                ConnectorTaskId::new("jdbc", 1),
                ConnectorTaskId::new("s3", 2),
            ],
            revoked_connectors: vec![],
            revoked_tasks: vec![ConnectorTaskId::new("s3", 0)],
            delay: 3000,
        }
    }

    #[test]
    fn names_versions_and_modes_are_kafkas() {
        assert_eq!(
            ConnectProtocol::ALL.map(|p| (p.name(), p.version(), p.mode())),
            [
                ("default", 0, "eager"),
                ("compatible", 1, "compatible"),
                ("sessioned", 2, "sessioned")
            ]
        );
        assert_eq!(ConnectProtocol::from_name("Sessioned"), Some(ConnectProtocol::Sessioned));
        assert_eq!(ConnectProtocol::from_mode("EAGER"), Some(ConnectProtocol::Eager));
        assert_eq!(ConnectProtocol::from_version(1), Some(ConnectProtocol::Compatible));
        assert_eq!(ConnectProtocol::from_name("range"), None);
        assert_eq!(
            ConnectProtocol::Sessioned.offered(),
            [ConnectProtocol::Sessioned, ConnectProtocol::Compatible, ConnectProtocol::Eager]
        );
        assert_eq!(ConnectProtocol::Eager.offered(), [ConnectProtocol::Eager]);
        assert_eq!(ConnectorTaskId::new("jdbc", 3).to_string(), "jdbc-3");
    }

    /// `ConnectProtocol.serializeMetadata(new WorkerState("http://a:8083/", 42))`.
    #[test]
    fn metadata_v0_golden() {
        let state = WorkerState {
            url: "http://a:8083/".into(),
            config_offset: 42,
            assignment: None,
        };
        let golden = hex("0000  000e 687474703a2f2f613a383038332f  000000000000002a");
        assert_eq!(encode_metadata(&state, ConnectProtocol::Eager), golden);
        assert_eq!(decode_metadata(&golden).unwrap(), state);
    }

    /// A worker's first join in `compatible`: `ExtendedAssignment.empty()` is written as null.
    #[test]
    fn metadata_v1_without_an_assignment_golden() {
        let state = WorkerState {
            url: "http://a:8083/".into(),
            config_offset: -1,
            assignment: None,
        };
        let golden = hex("0001  000e 687474703a2f2f613a383038332f  ffffffffffffffff  ffffffff");
        assert_eq!(encode_metadata(&state, ConnectProtocol::Compatible), golden);
        assert_eq!(decode_metadata(&golden).unwrap(), state);
        let mut v2 = golden.clone();
        v2[1] = 2;
        assert_eq!(encode_metadata(&state, ConnectProtocol::Sessioned), v2);
    }

    /// `IncrementalCooperativeConnectProtocol.serializeAssignment(assignment, false)`.
    fn assignment_v1_golden() -> Vec<u8> {
        hex("0001 0000 \
             0002 7731 \
             000e 687474703a2f2f613a383038332f \
             0000000000000007 \
             00000002 \
               0004 6a646263  00000003 ffffffff 00000000 00000001 \
               0002 7333      00000001 00000002 \
             00000001 \
               0002 7333      00000001 00000000 \
             00000bb8")
    }

    #[test]
    fn assignment_v1_golden_bytes() {
        let golden = assignment_v1_golden();
        assert_eq!(encode_assignment(&assignment_v1()), golden);
        assert_eq!(decode_assignment(&golden).unwrap(), assignment_v1());
    }

    /// `ConnectProtocol.serializeAssignment`: v0 stops after the assignment.
    #[test]
    fn assignment_v0_golden_bytes() {
        let a = Assignment {
            version: 0,
            error: CONFIG_MISMATCH,
            leader: "w1".into(),
            leader_url: "u".into(),
            config_offset: 1,
            connectors: vec![],
            tasks: vec![ConnectorTaskId::new("c", 0)],
            ..Assignment::default()
        };
        let golden = hex("0000 0001 0002 7731 0001 75 0000000000000001 00000001 0001 63 00000001 00000000");
        assert_eq!(encode_assignment(&a), golden);
        let back = decode_assignment(&golden).unwrap();
        assert_eq!(back, a);
        assert!(back.failed());
        // Fields only v1 has are not written in v0.
        let with_revoked = Assignment {
            revoked_connectors: vec!["x".into()],
            delay: 5,
            ..a
        };
        assert_eq!(encode_assignment(&with_revoked), golden);
    }

    /// The metadata embeds the worker's assignment with the metadata's version in its header.
    #[test]
    fn metadata_v2_embeds_the_assignment() {
        let state = WorkerState {
            url: "http://a:8083/".into(),
            config_offset: 9,
            assignment: Some(assignment_v1()),
        };
        let bytes = encode_metadata(&state, ConnectProtocol::Sessioned);
        let mut embedded = assignment_v1_golden();
        embedded[1] = 2;
        let mut golden = hex("0002 000e 687474703a2f2f613a383038332f 0000000000000009");
        golden.extend_from_slice(&(embedded.len() as i32).to_be_bytes());
        golden.extend_from_slice(&embedded);
        assert_eq!(bytes, golden);
        let back = decode_metadata(&bytes).unwrap();
        assert_eq!(back.assignment.as_ref().map(|a| a.version), Some(2));
        assert_eq!(back.assignment.map(|a| Assignment { version: 1, ..a }), Some(assignment_v1()));
        // The eager protocol's metadata leaves the assignment out.
        let v0 = encode_metadata(&state, ConnectProtocol::Eager);
        assert_eq!(decode_metadata(&v0).unwrap().assignment, None);
    }

    #[test]
    fn missing_fields_take_defaults_and_extra_bytes_are_ignored() {
        // A v1 assignment cut after the config offset: Kafka's reader tolerates it.
        let a = hex("0001 0000 0001 6c 0001 75 0000000000000003");
        let back = decode_assignment(&a).unwrap();
        assert_eq!((back.connectors.len(), back.revoked_tasks.len(), back.delay), (0, 0, 0));
        // Null arrays read as empty.
        let a = hex("0001 0000 0001 6c 0001 75 0000000000000003 ffffffff ffffffff 00000000");
        assert_eq!(decode_assignment(&a).unwrap(), back);
        // A future version with a field appended.
        let mut future = encode_assignment(&assignment_v1());
        future[1] = 9;
        future.extend_from_slice(&[1, 2, 3]);
        let back = decode_assignment(&future).unwrap();
        assert_eq!(Assignment { version: 1, ..back }, assignment_v1());
    }

    #[test]
    fn broken_bytes_are_errors_not_panics() {
        assert!(decode_metadata(&[]).is_err());
        assert!(decode_metadata(&hex("ffff")).is_err(), "negative version");
        assert!(decode_metadata(&hex("0000 0005 6162")).is_err(), "short string");
        assert!(decode_metadata(&hex("0000 ffff")).is_err(), "negative string length");
        assert!(
            decode_metadata(&hex("0001 0000 0000000000000000 00000010 00")).is_err(),
            "short allocation"
        );
        assert!(
            decode_assignment(&hex("0001 0000 0000 0000 0000000000000000 7fffffff")).is_err(),
            "huge count"
        );
        assert!(decode_assignment(&hex("0001 0000 0000 0000 0000000000000000 00000001 0001 63 0fffffff")).is_err());
        assert!(
            decode_assignment(&hex("0001 0000 0002 fffe 0000 0000000000000000")).is_err(),
            "not UTF-8"
        );
    }

    #[test]
    fn assignments_accumulate_in_the_incremental_protocols() {
        let previous = Assignment {
            version: 1,
            connectors: vec!["a".into(), "b".into()],
            tasks: vec![ConnectorTaskId::new("a", 0), ConnectorTaskId::new("b", 0)],
            ..Assignment::default()
        };
        let next = Assignment {
            version: 1,
            leader: "l".into(),
            connectors: vec!["c".into()],
            tasks: vec![ConnectorTaskId::new("c", 0)],
            revoked_connectors: vec!["b".into()],
            revoked_tasks: vec![ConnectorTaskId::new("a", 0)],
            ..Assignment::default()
        };
        let got = next.accumulated(Some(&previous));
        assert_eq!(got.connectors, ["c", "a"]);
        assert_eq!(got.tasks, [ConnectorTaskId::new("c", 0), ConnectorTaskId::new("b", 0)]);
        assert_eq!(got.leader, "l");
        assert_eq!(next.accumulated(None), next);
        let eager = Assignment {
            version: 0,
            ..next.clone()
        };
        assert_eq!(eager.accumulated(Some(&previous)), eager, "v0 assignments are complete");
    }

    #[test]
    fn round_trips_in_every_version() {
        for version in 0..=2 {
            let mut a = assignment_v1();
            a.version = version;
            if version == 0 {
                a.revoked_tasks.clear();
                a.delay = 0;
            }
            assert_eq!(decode_assignment(&encode_assignment(&a)).unwrap(), a, "v{version}");
        }
    }
}
