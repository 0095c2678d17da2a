//! The admin client a tool talks through, set up as Kafka's tools set up theirs: the address
//! from `--bootstrap-server`, client settings from `--command-config FILE`. Of those settings,
//! `request.timeout.ms` (Kafka's default 30 s) bounds connecting and every request, so an
//! unreachable broker is reported within it, naming the address, where Kafka's tools retry
//! until `default.api.timeout.ms`; `client.id` names the client. Only PLAINTEXT is spoken: a
//! `security.protocol` asking for TLS or SASL is refused rather than ignored.

use std::time::Duration;

use kaskade_client::KafkaAdmin;

use super::exit::ToolError;
use super::props::Props;

/// Kafka's admin `request.timeout.ms` default.
const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 30_000;

/// An admin client for `bootstrap` with the client settings in `config`.
pub fn client(bootstrap: &str, config: &Props) -> Result<KafkaAdmin, ToolError> {
    let timeout_ms = match config.get("request.timeout.ms") {
        Some(v) => v.trim().parse::<u64>().ok().filter(|&ms| ms > 0).ok_or_else(|| {
            ToolError::new(format!(
                "Invalid value {v} for configuration request.timeout.ms: Not a number of type INT"
            ))
        })?,
        None => DEFAULT_REQUEST_TIMEOUT_MS,
    };
    client_with_timeout(bootstrap, config, Duration::from_millis(timeout_ms))
}

/// An admin client for `bootstrap` with the client settings in `config` but a timeout of the
/// tool's own (`consumer-groups --timeout`).
pub fn client_with_timeout(bootstrap: &str, config: &Props, timeout: Duration) -> Result<KafkaAdmin, ToolError> {
    if let Some(protocol) = config.get("security.protocol") {
        if !protocol.trim().eq_ignore_ascii_case("PLAINTEXT") {
            return Err(ToolError::new(format!(
                "security.protocol={protocol} is not supported: kaskade's tools speak PLAINTEXT only"
            )));
        }
    }
    let admin = KafkaAdmin::new(bootstrap, timeout);
    Ok(match config.get("client.id") {
        Some(id) if !id.is_empty() => admin.with_client_id(id),
        _ => admin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_from_the_command_config() {
        let mut p = Props::new();
        assert_eq!(client("h:9092", &p).map(|a| a.timeout()).ok(), Some(Duration::from_secs(30)));
        p.insert("request.timeout.ms".into(), "1500".into());
        assert_eq!(client("h:9092", &p).map(|a| a.timeout()).ok(), Some(Duration::from_millis(1500)));
        p.insert("request.timeout.ms".into(), "soon".into());
        assert!(client("h:9092", &p).is_err());
        p.remove("request.timeout.ms");
        p.insert("security.protocol".into(), "SASL_SSL".into());
        let e = client("h:9092", &p).unwrap_err().to_string();
        assert!(e.contains("SASL_SSL") && e.contains("PLAINTEXT"), "{e}");
    }
}
