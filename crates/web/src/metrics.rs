//! Prometheus metrics: requests by route and status, latency histogram, database pool.
//! Kept by hand (a few counters behind a mutex) so that several servers can live in one test
//! process without a global recorder.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const LATENCY_BUCKETS_SECONDS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum_micros: u64,
    buckets: [u64; LATENCY_BUCKETS_SECONDS.len()],
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let mut requests = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
        let series = requests.entry((method.to_string(), route.to_string(), status)).or_default();
        series.count += 1;
        series.sum_micros += elapsed.as_micros() as u64;
        let seconds = elapsed.as_secs_f64();
        for (index, bound) in LATENCY_BUCKETS_SECONDS.iter().enumerate() {
            if seconds <= *bound {
                series.buckets[index] += 1;
            }
        }
    }

    /// The Prometheus text exposition format.
    pub fn render(&self, pool_size: u32, pool_idle: usize) -> String {
        let mut out = String::new();
        // Counters stay meaningful even if a thread panicked while holding the lock (each update is
        // a few additions): keep serving them rather than failing every later request.
        let requests = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
        out.push_str("# HELP recouvre_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE recouvre_http_requests_total counter\n");
        for ((method, route, status), series) in requests.iter() {
            let _ = writeln!(
                out,
                "recouvre_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {}",
                series.count
            );
        }
        out.push_str("# HELP recouvre_http_request_duration_seconds HTTP request latency.\n");
        out.push_str("# TYPE recouvre_http_request_duration_seconds histogram\n");
        let mut by_route: BTreeMap<(&str, &str), Series> = BTreeMap::new();
        for ((method, route, _), series) in requests.iter() {
            let total = by_route.entry((method, route)).or_default();
            total.count += series.count;
            total.sum_micros += series.sum_micros;
            for (index, bucket) in series.buckets.iter().enumerate() {
                total.buckets[index] += bucket;
            }
        }
        for ((method, route), series) in &by_route {
            let labels = format!("method=\"{method}\",route=\"{route}\"");
            for (index, bound) in LATENCY_BUCKETS_SECONDS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "recouvre_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {}",
                    series.buckets[index]
                );
            }
            let _ =
                writeln!(out, "recouvre_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", series.count);
            let _ = writeln!(
                out,
                "recouvre_http_request_duration_seconds_sum{{{labels}}} {}",
                series.sum_micros as f64 / 1_000_000.0
            );
            let _ = writeln!(out, "recouvre_http_request_duration_seconds_count{{{labels}}} {}", series.count);
        }
        out.push_str("# HELP recouvre_db_pool_connections Database pool connections.\n");
        out.push_str("# TYPE recouvre_db_pool_connections gauge\n");
        let _ = writeln!(out, "recouvre_db_pool_connections{{state=\"open\"}} {pool_size}");
        let _ = writeln!(out, "recouvre_db_pool_connections{{state=\"idle\"}} {pool_idle}");
        out
    }
}
