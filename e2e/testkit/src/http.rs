//! A tiny HTTP/1.1 client over `std::net`, enough for tests to talk JSON to a REST API (Apache
//! Kafka Connect's and Kaskade's Connect workers) without an HTTP crate in the kit: one request
//! per connection (`Connection: close`), `Content-Type: application/json`, responses framed by
//! `Content-Length`, chunked transfer coding, or the end of the connection. No TLS, no redirects.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// How long a request may wait to connect, and then for each read. Connect's REST calls can
/// block for up to 90 s while a worker rebalances; this is longer.
pub const TIMEOUT: Duration = Duration::from_secs(120);

/// Sends `method url` with an optional JSON body; returns the status code and the body. Panics
/// with the URL when the exchange fails at the transport level (use [`try_request`] to poll a
/// server that may not listen yet).
pub fn request(method: &str, url: &str, body: Option<&str>) -> (u16, String) {
    try_request(method, url, body).unwrap_or_else(|e| panic!("HTTP {method} {url}: {e}"))
}

/// [`request`], with transport failures (refused connection, timeout, malformed answer) as errors.
pub fn try_request(method: &str, url: &str, body: Option<&str>) -> io::Result<(u16, String)> {
    try_exchange(method, url, body).map(|r| (r.status, r.body))
}

/// A whole answer: the status, the headers as sent, the decoded body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// [`request`] with the answer's headers (panics on transport failures, as it does).
pub fn exchange(method: &str, url: &str, body: Option<&str>) -> Response {
    try_exchange(method, url, body).unwrap_or_else(|e| panic!("HTTP {method} {url}: {e}"))
}

/// [`exchange`], with transport failures as errors.
pub fn try_exchange(method: &str, url: &str, body: Option<&str>) -> io::Result<Response> {
    let (host, path) = split_url(url)?;
    let addr = host
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| invalid(format!("{host} resolves to nothing")))?;
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\nConnection: close\r\n");
    match body {
        Some(b) => head.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", b.len())),
        None if matches!(method, "POST" | "PUT" | "PATCH") => head.push_str("Content-Length: 0\r\n"),
        None => {}
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if let Some(b) = body {
        stream.write_all(b.as_bytes())?;
    }
    stream.flush()?;
    read_response(BufReader::new(stream))
}

/// `http://host:port/path?query` → (`host:port`, `/path?query`).
fn split_url(url: &str) -> io::Result<(String, String)> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| invalid(format!("not an http:// URL: {url}")))?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let host = if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:80")
    };
    Ok((host, path.to_string()))
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

fn read_line(r: &mut impl BufRead) -> io::Result<String> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed mid-response"));
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Reads one response (skipping interim 1xx ones): the status, headers and decoded body.
fn read_response(mut r: impl BufRead) -> io::Result<Response> {
    loop {
        let status_line = read_line(&mut r)?;
        let status: u16 = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .filter(|_| status_line.starts_with("HTTP/"))
            .ok_or_else(|| invalid(format!("not an HTTP status line: {status_line:?}")))?;
        let (mut length, mut chunked) = (None, false);
        let mut headers = Vec::new();
        loop {
            let line = read_line(&mut r)?;
            if line.is_empty() {
                break;
            }
            let Some((name, value)) = line.split_once(':') else { continue };
            let value = value.trim();
            headers.push((name.to_string(), value.to_string()));
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(
                    value
                        .parse::<usize>()
                        .map_err(|_| invalid(format!("bad Content-Length: {value}")))?,
                );
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.to_ascii_lowercase().split(',').any(|c| c.trim() == "chunked");
            }
        }
        if (100..200).contains(&status) {
            continue;
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                let size_line = read_line(&mut r)?;
                let hex = size_line.split(';').next().unwrap_or_default().trim();
                let size = usize::from_str_radix(hex, 16).map_err(|_| invalid(format!("bad chunk size: {size_line:?}")))?;
                if size == 0 {
                    // Trailers, up to the empty line (a server that closes at once is fine too).
                    while !matches!(read_line(&mut r).as_deref(), Ok("") | Err(_)) {}
                    break;
                }
                let start = body.len();
                body.resize(start + size, 0);
                r.read_exact(&mut body[start..])?;
                read_line(&mut r)?; // the CRLF after the chunk
            }
        } else if let Some(n) = length {
            body.resize(n, 0);
            r.read_exact(&mut body)?;
        } else if !(status == 204 || status == 304) {
            r.read_to_end(&mut body)?;
        }
        return Ok(Response {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::net::TcpListener;

    use super::*;

    /// Serves one connection with `answer` (after reading the request head and its body, if
    /// any); returns the base URL and a handle yielding the request it read.
    fn serve(answer: &'static [u8]) -> (String, std::thread::JoinHandle<String>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        let h = std::thread::spawn(move || {
            let (s, _) = l.accept().unwrap();
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut req = String::new();
            let mut length = 0;
            loop {
                let line = read_line(&mut r).unwrap();
                if let Some(v) = line.strip_prefix("Content-Length: ") {
                    length = v.parse().unwrap();
                }
                req.push_str(&line);
                req.push('\n');
                if line.is_empty() {
                    break;
                }
            }
            let mut body = vec![0; length];
            r.read_exact(&mut body).unwrap();
            req.push_str(&String::from_utf8(body).unwrap());
            (&s).write_all(answer).unwrap();
            req
        });
        (url, h)
    }

    #[test]
    fn content_length_body_and_request_head() {
        let (url, h) = serve(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
        let answer = exchange("POST", &format!("{url}/connectors"), Some("{\"x\":2}"));
        assert_eq!((answer.status, answer.body.as_str()), (201, "{\"a\":1}"));
        assert_eq!(answer.header("content-TYPE"), Some("application/json"));
        assert_eq!(answer.header("Location"), None);
        let req = h.join().unwrap();
        assert!(req.starts_with("POST /connectors HTTP/1.1\nHost: 127.0.0.1:"), "{req}");
        assert!(
            req.contains("Connection: close\n") && req.contains("Content-Type: application/json\n"),
            "{req}"
        );
        assert!(req.ends_with("Content-Length: 7\n\n{\"x\":2}"), "{req}");
    }

    #[test]
    fn chunked_body_with_extension_and_trailer() {
        let (url, h) = serve(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\n[\"ab\r\n3\r\n\",\"\r\n3\r\ncd\"\r\n1\r\n]\r\n0\r\nX-Trailer: 1\r\n\r\n",
        );
        assert_eq!(request("GET", &url, None), (200, "[\"ab\",\"cd\"]".to_string()));
        assert!(h.join().unwrap().starts_with("GET / HTTP/1.1\n"));
    }

    #[test]
    fn body_to_end_of_connection_and_no_content() {
        let (url, h) = serve(b"HTTP/1.0 404 Not Found\r\n\r\n{\"error_code\":404}");
        assert_eq!(
            request("GET", &format!("{url}/x?y=1"), None),
            (404, "{\"error_code\":404}".to_string())
        );
        assert!(h.join().unwrap().starts_with("GET /x?y=1 HTTP/1.1\n"));
        let (url, h) = serve(b"HTTP/1.1 204 No Content\r\n\r\n");
        assert_eq!(request("DELETE", &format!("{url}/connectors/a"), None), (204, String::new()));
        h.join().unwrap();
    }

    #[test]
    fn refused_connection_is_an_error() {
        let port = crate::free_port();
        assert!(try_request("GET", &format!("http://127.0.0.1:{port}/"), None).is_err());
        assert!(try_request("GET", "https://example.com/", None).is_err());
    }
}
