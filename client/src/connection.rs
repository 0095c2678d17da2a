//! One TCP connection to a broker: resolve and connect (trying every address), ask ApiVersions
//! once, then send one request at a time and read its answer. Framing is Kafka's: a 4-byte
//! big-endian size, the request header, the body; the answer carries the same correlation id.
//! Timeouts and reconnects are the caller's ([`super::client`]); any error here means the
//! connection must be dropped.

use std::net::SocketAddr;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{ApiVersionsRequest, RequestHeader, ResponseHeader};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, StrBytes};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::error::{check, AdminError};
use super::versions::{AdminRequest, Versions, API_VERSIONS_VERSION};

/// Admin answers are small; anything larger than this is a broken stream, not an answer.
const MAX_RESPONSE_BYTES: usize = 64 << 20;

/// Why a connection failed: the socket (worth one retry on a fresh connection when it was an
/// idle one), or the bytes.
#[derive(Debug)]
pub(crate) enum ConnError {
    Io { address: String, reason: String },
    Admin(AdminError),
}

impl From<ConnError> for AdminError {
    fn from(e: ConnError) -> AdminError {
        match e {
            ConnError::Io { address, reason } => AdminError::Unreachable { address, reason },
            ConnError::Admin(e) => e,
        }
    }
}

pub(crate) struct Connection {
    stream: TcpStream,
    peer: SocketAddr,
    next_correlation: i32,
    versions: Versions,
    /// The client id in every request header (Kafka's request logs and quotas show it).
    client_id: StrBytes,
}

impl Connection {
    /// Connects to the first address of `bootstrap` (`host:port`, or several comma-separated)
    /// that accepts and answers ApiVersions.
    pub(crate) async fn open(bootstrap: &str, client_id: &StrBytes) -> Result<Connection, AdminError> {
        let mut failures = Vec::new();
        for target in bootstrap.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let addrs = match tokio::net::lookup_host(target).await {
                Ok(addrs) => addrs,
                Err(e) => {
                    failures.push((target.to_string(), e.to_string()));
                    continue;
                }
            };
            for addr in addrs {
                match Connection::handshake(addr, client_id.clone()).await {
                    Ok(conn) => return Ok(conn),
                    Err(ConnError::Io { reason, .. }) => failures.push((addr.to_string(), reason)),
                    Err(ConnError::Admin(e)) => return Err(e),
                }
            }
        }
        let reason = match failures.as_slice() {
            [] => "no address to connect to".to_string(),
            // One address that is the bootstrap itself: no need to name it twice.
            [(addr, reason)] if addr == bootstrap.trim() => reason.clone(),
            _ => failures
                .iter()
                .map(|(addr, reason)| format!("{addr}: {reason}"))
                .collect::<Vec<_>>()
                .join("; "),
        };
        Err(AdminError::Unreachable {
            address: bootstrap.to_string(),
            reason,
        })
    }

    async fn handshake(addr: SocketAddr, client_id: StrBytes) -> Result<Connection, ConnError> {
        let stream = TcpStream::connect(addr).await.map_err(|e| io_error(addr, e))?;
        stream.set_nodelay(true).map_err(|e| io_error(addr, e))?;
        let mut conn = Connection {
            stream,
            peer: addr,
            next_correlation: 0,
            versions: Versions::default(),
            client_id,
        };
        let req = ApiVersionsRequest::default()
            .with_client_software_name(StrBytes::from_static_str("kaskade"))
            .with_client_software_version(StrBytes::from_static_str(env!("CARGO_PKG_VERSION")));
        let resp = conn.call_version(&req, API_VERSIONS_VERSION).await?;
        check(ApiVersionsRequest::NAME, resp.error_code, None).map_err(ConnError::Admin)?;
        conn.versions = Versions::from_response(&resp);
        Ok(conn)
    }

    /// Whether the broker serves a version of `R` this client speaks.
    pub(crate) fn serves<R: AdminRequest>(&self) -> bool {
        self.versions.pick::<R>().is_ok()
    }

    /// Sends the request `build` makes for the highest version both sides serve, and reads
    /// its answer.
    pub(crate) async fn call<R: AdminRequest>(&mut self, build: &impl Fn(i16) -> R) -> Result<R::Response, ConnError> {
        let version = self.versions.pick::<R>().map_err(ConnError::Admin)?;
        self.call_version(&build(version), version).await
    }

    async fn call_version<R: AdminRequest>(&mut self, req: &R, version: i16) -> Result<R::Response, ConnError> {
        let correlation = self.next_correlation;
        self.next_correlation = self.next_correlation.wrapping_add(1);
        let frame = encode(req, version, correlation, &self.client_id).map_err(ConnError::Admin)?;
        self.stream.write_all(&frame).await.map_err(|e| io_error(self.peer, e))?;
        let mut body = self.read_frame().await?;
        decode::<R>(&mut body, version, correlation).map_err(ConnError::Admin)
    }

    async fn read_frame(&mut self) -> Result<Bytes, ConnError> {
        let size = self.stream.read_i32().await.map_err(|e| io_error(self.peer, e))?;
        let size = usize::try_from(size)
            .ok()
            .filter(|&s| s <= MAX_RESPONSE_BYTES)
            .ok_or_else(|| ConnError::Admin(AdminError::Protocol(format!("response frame of {size} bytes from {}", self.peer))))?;
        // Grown as the bytes arrive: a size prefix alone reserves nothing.
        let mut body = Vec::with_capacity(size.min(64 << 10));
        let read = (&mut self.stream)
            .take(size as u64)
            .read_to_end(&mut body)
            .await
            .map_err(|e| io_error(self.peer, e))?;
        if read < size {
            return Err(io_error(self.peer, std::io::ErrorKind::UnexpectedEof.into()));
        }
        Ok(Bytes::from(body))
    }
}

fn io_error(addr: SocketAddr, e: std::io::Error) -> ConnError {
    let reason = match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "the broker closed the connection".to_string(),
        _ => e.to_string(),
    };
    ConnError::Io {
        address: addr.to_string(),
        reason,
    }
}

/// A request frame: size, header, body.
fn encode<R: AdminRequest>(req: &R, version: i16, correlation: i32, client_id: &StrBytes) -> Result<BytesMut, AdminError> {
    let header = RequestHeader::default()
        .with_request_api_key(R::KEY as i16)
        .with_request_api_version(version)
        .with_correlation_id(correlation)
        .with_client_id(Some(client_id.clone()));
    let mut buf = BytesMut::with_capacity(128);
    buf.put_i32(0);
    header
        .encode(&mut buf, R::header_version(version))
        .and_then(|_| req.encode(&mut buf, version))
        .map_err(|e| AdminError::Protocol(format!("encoding {} v{version}: {e}", R::NAME)))?;
    let size = i32::try_from(buf.len() - 4).map_err(|_| AdminError::Protocol(format!("{} request too large", R::NAME)))?;
    buf[..4].copy_from_slice(&size.to_be_bytes());
    Ok(buf)
}

/// A response body (after the size): header with the expected correlation id, then the answer.
/// The bytes are walked by Kafka's schema first, so a broken or hostile broker's declared
/// lengths cannot make the decoder allocate beyond the frame.
fn decode<R: AdminRequest>(body: &mut Bytes, version: i16, correlation: i32) -> Result<R::Response, AdminError> {
    let bad = |what: String| AdminError::Protocol(format!("decoding {} v{version} response: {what}", R::NAME));
    let frame = body.clone();
    let header = ResponseHeader::decode(body, <R::Response as HeaderVersion>::header_version(version)).map_err(|e| bad(e.to_string()))?;
    if header.correlation_id != correlation {
        return Err(bad(format!(
            "correlation id {} where {correlation} was expected",
            header.correlation_id
        )));
    }
    kaskade_wire::check_response(R::KEY as i16, version, &frame).map_err(|e| bad(e.to_string()))?;
    let resp = R::Response::decode(body, version).map_err(|e| bad(e.to_string()))?;
    if body.has_remaining() {
        return Err(bad(format!("{} trailing bytes", body.remaining())));
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::MetadataRequest;

    #[test]
    fn frames_carry_size_key_version_and_correlation() {
        let frame = encode(
            &MetadataRequest::default().with_topics(Some(vec![])),
            12,
            7,
            &StrBytes::from_static_str("test"),
        )
        .unwrap();
        let size = i32::from_be_bytes([frame[0], frame[1], frame[2], frame[3]]) as usize;
        assert_eq!(size, frame.len() - 4);
        assert_eq!(&frame[4..6], &3i16.to_be_bytes(), "Metadata api key");
        assert_eq!(&frame[6..8], &12i16.to_be_bytes(), "version");
        assert_eq!(&frame[8..12], &7i32.to_be_bytes(), "correlation id");
    }

    #[test]
    fn a_mismatched_correlation_id_is_a_protocol_error() {
        let mut body = BytesMut::new();
        body.put_i32(5); // correlation id
        body.put_u8(0); // no tagged fields (response header v1, Metadata v9+)
        let mut body = body.freeze();
        let err = decode::<MetadataRequest>(&mut body, 10, 6).unwrap_err();
        assert!(matches!(err, AdminError::Protocol(m) if m.contains("correlation id 5")));
    }

    #[test]
    fn a_response_claiming_four_billion_brokers_is_refused_before_decoding() {
        let mut body = BytesMut::new();
        body.put_i32(6); // correlation id
        body.put_u8(0); // no tagged fields in the header
        body.put_i32(0); // throttle time
        body.put_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]); // brokers: a compact array of 2^32 - 2 entries
        let mut body = body.freeze();
        let err = decode::<MetadataRequest>(&mut body, 12, 6).unwrap_err();
        assert!(
            matches!(&err, AdminError::Protocol(m) if m.contains("Brokers") && m.contains("4294967294")),
            "{err}"
        );
    }
}
