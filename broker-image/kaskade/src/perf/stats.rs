//! Throughput and latency bookkeeping for `kaskade perf`, printed the way Kafka's perf tools
//! print it (their "MB" is MiB).

use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

const MIB: f64 = 1024.0 * 1024.0;

pub struct Window {
    start: Instant,
    records: u64,
    bytes: u64,
    latency_sum_us: u64,
    latency_max_us: u64,
}

impl Window {
    pub fn new() -> Self {
        Window {
            start: Instant::now(),
            records: 0,
            bytes: 0,
            latency_sum_us: 0,
            latency_max_us: 0,
        }
    }
}

pub struct Stats {
    start: Instant,
    records: u64,
    bytes: u64,
    latency_sum_us: u64,
    latency_max_us: u64,
    histogram: Histogram<u64>,
    window: Window,
    report_every: Duration,
}

impl Stats {
    pub fn new(report_every: Duration) -> Self {
        Stats {
            start: Instant::now(),
            records: 0,
            bytes: 0,
            latency_sum_us: 0,
            latency_max_us: 0,
            histogram: Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid histogram bounds"),
            window: Window::new(),
            report_every,
        }
    }

    pub fn record(&mut self, bytes: usize, latency: Duration) {
        let us = latency.as_micros().max(1) as u64;
        self.records += 1;
        self.bytes += bytes as u64;
        self.latency_sum_us += us;
        self.latency_max_us = self.latency_max_us.max(us);
        let _ = self.histogram.record(us.min(3_600_000_000));
        let w = &mut self.window;
        w.records += 1;
        w.bytes += bytes as u64;
        w.latency_sum_us += us;
        w.latency_max_us = w.latency_max_us.max(us);
    }

    pub fn records(&self) -> u64 {
        self.records
    }

    /// Prints Kafka's progress line when a window has passed.
    pub fn maybe_report(&mut self) {
        if self.window.start.elapsed() < self.report_every {
            return;
        }
        let w = &self.window;
        let secs = w.start.elapsed().as_secs_f64();
        let avg = if w.records > 0 {
            w.latency_sum_us as f64 / w.records as f64 / 1000.0
        } else {
            0.0
        };
        println!(
            "{} records sent, {:.1} records/sec ({:.2} MB/sec), {:.1} ms avg latency, {:.1} ms max latency.",
            w.records,
            w.records as f64 / secs,
            w.bytes as f64 / MIB / secs,
            avg,
            w.latency_max_us as f64 / 1000.0
        );
        self.window = Window::new();
    }

    /// Kafka's final summary line (milliseconds, like the Java tool, with fractions).
    pub fn summary(&self) -> String {
        let secs = self.start.elapsed().as_secs_f64();
        let avg = if self.records > 0 {
            self.latency_sum_us as f64 / self.records as f64 / 1000.0
        } else {
            0.0
        };
        let q = |p: f64| self.histogram.value_at_quantile(p) as f64 / 1000.0;
        format!(
            "{} records sent, {:.1} records/sec ({:.2} MB/sec), {:.2} ms avg latency, {:.2} ms max latency, {:.2} ms 50th, {:.2} ms 95th, {:.2} ms 99th, {:.2} ms 99.9th.",
            self.records,
            self.records as f64 / secs,
            self.bytes as f64 / MIB / secs,
            avg,
            self.latency_max_us as f64 / 1000.0,
            q(0.50),
            q(0.95),
            q(0.99),
            q(0.999)
        )
    }
}
