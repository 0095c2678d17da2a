//! `kaskade probe`: the broker pods' readiness and liveness check. It asks a broker for
//! ApiVersions, then Metadata (no topics), over one plain TCP connection, and succeeds when the
//! broker answers and lists at least one broker. No JVM, no shell script, no librdkafka: two
//! hand-encoded requests, so it starts in milliseconds, never connects to the advertised
//! addresses (a pod's DNS name may not resolve before it is ready), and never outlives
//! `--timeout-ms`.

use std::time::Duration;

use anyhow::{bail, ensure, Context};
use clap::Args;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const API_VERSIONS: i16 = 18;
const METADATA: i16 = 3;
/// Metadata v2 is the first version with the cluster id, and its empty topic list means "none".
const METADATA_VERSION: i16 = 2;
const CLIENT_ID: &str = "kaskade-probe";
/// Both answers are a few hundred bytes; anything near this is not a Kafka broker talking.
const MAX_RESPONSE: usize = 1 << 20;

#[derive(Args, Debug)]
pub struct ProbeArgs {
    /// The broker to ask, `HOST:PORT`.
    #[arg(long, default_value = "localhost:9092", value_name = "HOST:PORT")]
    bootstrap_server: String,
    /// Give up (exit 1) after this many milliseconds.
    #[arg(long, default_value_t = 5000, value_name = "MS")]
    timeout_ms: u64,
}

/// What the broker said about its cluster.
struct Answer {
    cluster_id: Option<String>,
    brokers: Vec<(i32, String, i32)>,
}

/// Runs the probe on a runtime of its own, shut down without waiting, so a DNS lookup stuck in
/// a blocking thread cannot keep the process alive past the timeout.
pub fn run(args: ProbeArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let timeout = Duration::from_millis(args.timeout_ms);
    let server = args.bootstrap_server.clone();
    let result = runtime.block_on(async { tokio::time::timeout(timeout, ask(&server)).await });
    runtime.shutdown_background();
    let answer = match result {
        Ok(answer) => answer.with_context(|| format!("broker {server} did not answer"))?,
        Err(_) => bail!("broker {server} did not answer within {} ms", args.timeout_ms),
    };
    ensure!(
        !answer.brokers.is_empty(),
        "broker {server} answered Metadata but listed no brokers"
    );
    let listed: Vec<String> = answer
        .brokers
        .iter()
        .map(|(id, host, port)| format!("{id}@{host}:{port}"))
        .collect();
    println!(
        "ok: broker {server} answered; cluster id {}; {} broker(s): {}",
        answer.cluster_id.as_deref().unwrap_or("(none)"),
        answer.brokers.len(),
        listed.join(", ")
    );
    Ok(())
}

async fn ask(server: &str) -> anyhow::Result<Answer> {
    let mut conn = TcpStream::connect(server).await.context("connecting")?;
    let body = call(&mut conn, API_VERSIONS, 0, 1, &[]).await.context("ApiVersions")?;
    check_api_versions(&body)?;
    // Metadata v2 request body: an empty topic array (asks for no topics).
    let body = call(&mut conn, METADATA, METADATA_VERSION, 2, &0i32.to_be_bytes())
        .await
        .context("Metadata")?;
    parse_metadata(&body)
}

/// Sends one request (header v1) and returns the response body after its correlation id.
async fn call(conn: &mut TcpStream, api_key: i16, version: i16, correlation_id: i32, body: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut frame = Vec::with_capacity(64);
    frame.extend_from_slice(&api_key.to_be_bytes());
    frame.extend_from_slice(&version.to_be_bytes());
    frame.extend_from_slice(&correlation_id.to_be_bytes());
    frame.extend_from_slice(&(CLIENT_ID.len() as i16).to_be_bytes());
    frame.extend_from_slice(CLIENT_ID.as_bytes());
    frame.extend_from_slice(body);
    conn.write_all(&(frame.len() as i32).to_be_bytes()).await?;
    conn.write_all(&frame).await?;
    let size = conn.read_i32().await.context("reading the response size")?;
    let size = usize::try_from(size).ok().filter(|s| (4..=MAX_RESPONSE).contains(s));
    let size = size.context("the response size is not that of a Kafka response")?;
    let mut response = vec![0; size];
    conn.read_exact(&mut response).await.context("reading the response")?;
    let mut r = Reader(&response);
    let got = r.i32()?;
    ensure!(
        got == correlation_id,
        "correlation id {got} in the response, {correlation_id} expected"
    );
    Ok(r.0.to_vec())
}

/// ApiVersions v0: error code, then (api key, min, max) triples; Metadata v2 must be served.
fn check_api_versions(body: &[u8]) -> anyhow::Result<()> {
    let mut r = Reader(body);
    let error = r.i16()?;
    ensure!(error == 0, "ApiVersions answered error code {error}");
    for _ in 0..r.count()? {
        let (key, min, max) = (r.i16()?, r.i16()?, r.i16()?);
        if key == METADATA {
            ensure!(
                (min..=max).contains(&METADATA_VERSION),
                "the broker serves Metadata v{min}..v{max}, not v2"
            );
            return Ok(());
        }
    }
    bail!("the broker does not serve Metadata")
}

/// Metadata v2: brokers (node id, host, port, rack), cluster id, controller id, topics.
fn parse_metadata(body: &[u8]) -> anyhow::Result<Answer> {
    let mut r = Reader(body);
    let mut brokers = Vec::new();
    for _ in 0..r.count()? {
        let id = r.i32()?;
        let host = r.string()?.unwrap_or_default();
        let port = r.i32()?;
        let _rack = r.string()?;
        brokers.push((id, host, port));
    }
    let cluster_id = r.string()?;
    Ok(Answer { cluster_id, brokers })
}

/// A cursor over a response body; every read checks the length left.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> anyhow::Result<&[u8]> {
        ensure!(self.0.len() >= n, "the response is truncated");
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn i16(&mut self) -> anyhow::Result<i16> {
        let b = self.take(2)?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    }

    fn i32(&mut self) -> anyhow::Result<i32> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// An array length; null (-1) counts as empty.
    fn count(&mut self) -> anyhow::Result<usize> {
        let n = self.i32()?;
        let n = usize::try_from(n).unwrap_or(0);
        ensure!(n <= self.0.len(), "the response is truncated");
        Ok(n)
    }

    /// A nullable string.
    fn string(&mut self) -> anyhow::Result<Option<String>> {
        let len = self.i16()?;
        let Ok(len) = usize::try_from(len) else {
            return Ok(None);
        };
        Ok(Some(String::from_utf8_lossy(self.take(len)?).into_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_metadata_v2_answer() {
        let mut b = Vec::new();
        b.extend_from_slice(&1i32.to_be_bytes());
        b.extend_from_slice(&7i32.to_be_bytes());
        b.extend_from_slice(&4i16.to_be_bytes());
        b.extend_from_slice(b"host");
        b.extend_from_slice(&9092i32.to_be_bytes());
        b.extend_from_slice(&(-1i16).to_be_bytes());
        b.extend_from_slice(&2i16.to_be_bytes());
        b.extend_from_slice(b"c1");
        b.extend_from_slice(&7i32.to_be_bytes());
        b.extend_from_slice(&0i32.to_be_bytes());
        let a = parse_metadata(&b).expect("parses");
        assert_eq!(a.cluster_id.as_deref(), Some("c1"));
        assert_eq!(a.brokers, vec![(7, "host".to_string(), 9092)]);
    }

    #[test]
    fn a_truncated_or_absurd_answer_is_an_error() {
        assert!(parse_metadata(&[0, 0, 0, 1, 0, 0]).is_err());
        assert!(parse_metadata(&[0x7f, 0xff, 0xff, 0xff]).is_err());
        assert!(check_api_versions(&[0, 0, 0, 0, 0, 0]).is_err());
    }
}
