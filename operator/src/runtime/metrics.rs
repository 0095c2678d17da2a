//! Prometheus metrics per controller: reconciles, errors by kind, reconcile duration, and the
//! writes reconciles made (so "an unchanged cluster costs zero writes" is observable anywhere).

use std::time::Instant;

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ControllerLabel {
    controller: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    controller: String,
    error: String,
}

/// The operator's metrics, registered once and shared by every controller.
pub struct Metrics {
    registry: Registry,
    reconciles: Family<ControllerLabel, Counter>,
    errors: Family<ErrorLabels, Counter>,
    writes: Family<ControllerLabel, Counter>,
    duration: Family<ControllerLabel, Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("kaskade_operator");
        let reconciles = Family::<ControllerLabel, Counter>::default();
        let errors = Family::<ErrorLabels, Counter>::default();
        let writes = Family::<ControllerLabel, Counter>::default();
        let duration = Family::<ControllerLabel, Histogram>::new_with_constructor(|| Histogram::new(exponential_buckets(0.001, 2.0, 15)));
        registry.register("reconciliations", "Reconciles run", reconciles.clone());
        registry.register("reconcile_errors", "Reconciles that failed, by error kind", errors.clone());
        registry.register("api_writes", "Create, patch and delete requests reconciles made", writes.clone());
        registry.register("reconcile_duration_seconds", "How long reconciles took", duration.clone());
        Metrics {
            registry,
            reconciles,
            errors,
            writes,
            duration,
        }
    }
}

impl Metrics {
    /// Counts a reconcile of `controller` and times it until the returned guard drops.
    pub fn reconcile(&self, controller: &str) -> ReconcileTimer<'_> {
        let label = ControllerLabel {
            controller: controller.to_string(),
        };
        self.reconciles.get_or_create(&label).inc();
        ReconcileTimer {
            metrics: self,
            label,
            start: Instant::now(),
        }
    }

    /// Counts a failed reconcile.
    pub fn error(&self, controller: &str, error: &str) {
        self.errors
            .get_or_create(&ErrorLabels {
                controller: controller.into(),
                error: error.into(),
            })
            .inc();
    }

    /// Counts `n` writes made by `controller`.
    pub fn writes(&self, controller: &str, n: u64) {
        if n > 0 {
            self.writes
                .get_or_create(&ControllerLabel {
                    controller: controller.into(),
                })
                .inc_by(n);
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

/// Observes the reconcile duration when dropped.
pub struct ReconcileTimer<'a> {
    metrics: &'a Metrics,
    label: ControllerLabel,
    start: Instant,
}

impl Drop for ReconcileTimer<'_> {
    fn drop(&mut self) {
        self.metrics
            .duration
            .get_or_create(&self.label)
            .observe(self.start.elapsed().as_secs_f64());
    }
}

#[cfg(test)]
mod tests {
    use super::Metrics;

    #[test]
    fn renders_counters_and_histogram_per_controller() {
        let m = Metrics::default();
        drop(m.reconcile("topic"));
        m.error("topic", "kafka");
        m.writes("topic", 2);
        let text = m.render();
        assert!(
            text.contains("kaskade_operator_reconciliations_total{controller=\"topic\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("kaskade_operator_reconcile_errors_total{controller=\"topic\",error=\"kafka\"} 1"),
            "{text}"
        );
        assert!(text.contains("kaskade_operator_api_writes_total{controller=\"topic\"} 2"), "{text}");
        assert!(
            text.contains("kaskade_operator_reconcile_duration_seconds_count{controller=\"topic\"} 1"),
            "{text}"
        );
    }
}
