//! A follower's connection to a leader's client listener: Kafka framing, one Fetch request at
//! a time. The answer is walked by Kafka's schema before it is decoded, so a broken peer cannot
//! make the decoder allocate beyond the frame.

use std::time::Duration;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{ApiKey, FetchRequest, FetchResponse, RequestHeader, ResponseHeader};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, StrBytes};
use thiserror::Error;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The Fetch version followers send: topic names, the replica id in the body, the last fetched
/// epoch and diverging-epoch answers.
pub const FETCH_VERSION: i16 = 12;

/// Larger answers than this are a broken stream (`replica.fetch.response.max.bytes` is 10 MiB).
const MAX_RESPONSE_BYTES: usize = 64 << 20;

#[derive(Debug, Error)]
pub enum FetchConnError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("bad answer: {0}")]
    Protocol(String),
}

pub struct FetchConn {
    stream: TcpStream,
    next_correlation: i32,
    client_id: StrBytes,
}

impl FetchConn {
    pub async fn connect(addr: &str, node_id: i32) -> Result<FetchConn, FetchConnError> {
        let stream = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr))
            .await
            .map_err(|_| FetchConnError::Timeout(Duration::from_secs(5)))??;
        stream.set_nodelay(true)?;
        Ok(FetchConn {
            stream,
            next_correlation: 0,
            client_id: StrBytes::from_string(format!("replica-fetcher-{node_id}")),
        })
    }

    /// Sends one Fetch and reads its answer, within `timeout`.
    pub async fn fetch(&mut self, req: &FetchRequest, timeout: Duration) -> Result<FetchResponse, FetchConnError> {
        tokio::time::timeout(timeout, self.call(req))
            .await
            .map_err(|_| FetchConnError::Timeout(timeout))?
    }

    async fn call(&mut self, req: &FetchRequest) -> Result<FetchResponse, FetchConnError> {
        let correlation = self.next_correlation;
        self.next_correlation = self.next_correlation.wrapping_add(1);
        let protocol = |e: String| FetchConnError::Protocol(e);
        let header = RequestHeader::default()
            .with_request_api_key(ApiKey::Fetch as i16)
            .with_request_api_version(FETCH_VERSION)
            .with_correlation_id(correlation)
            .with_client_id(Some(self.client_id.clone()));
        let mut buf = BytesMut::with_capacity(256);
        buf.put_i32(0);
        header
            .encode(&mut buf, FetchRequest::header_version(FETCH_VERSION))
            .and_then(|_| req.encode(&mut buf, FETCH_VERSION))
            .map_err(|e| protocol(e.to_string()))?;
        let size = i32::try_from(buf.len() - 4).map_err(|_| protocol("request too large".into()))?;
        buf[..4].copy_from_slice(&size.to_be_bytes());
        self.stream.write_all(&buf).await?;
        let size = self.stream.read_i32().await?;
        let size = usize::try_from(size)
            .ok()
            .filter(|s| *s <= MAX_RESPONSE_BYTES)
            .ok_or_else(|| protocol(format!("a frame of {size} bytes")))?;
        let mut body = Vec::with_capacity(size.min(1 << 20));
        let read = (&mut self.stream).take(size as u64).read_to_end(&mut body).await?;
        if read < size {
            return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof).into());
        }
        let frame = Bytes::from(body);
        let mut body = frame.clone();
        let header =
            ResponseHeader::decode(&mut body, FetchResponse::header_version(FETCH_VERSION)).map_err(|e| protocol(e.to_string()))?;
        if header.correlation_id != correlation {
            return Err(protocol(format!("correlation id {} for {correlation}", header.correlation_id)));
        }
        kaskade_wire::check_response(ApiKey::Fetch as i16, FETCH_VERSION, &frame).map_err(|e| protocol(e.to_string()))?;
        let resp = FetchResponse::decode(&mut body, FETCH_VERSION).map_err(|e| protocol(e.to_string()))?;
        if body.has_remaining() {
            return Err(protocol(format!("{} trailing bytes", body.remaining())));
        }
        Ok(resp)
    }
}
