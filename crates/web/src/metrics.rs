//! Prometheus metrics: requests by route and status, latency histogram, database pool.
//! Kept by hand (a few counters behind a mutex) so that several servers can live in one test
//! process without a global recorder.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_app::batch::OperationsFigures;

/// The upload routes of the imports, followed by the kind of file (`accounts`, `statement`…).
const IMPORT_ROUTES: &str = "/api/v1/imports/";

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
        // Imports refused (a bad file, a duplicate, a limit): the upload routes' 4xx and 5xx since
        // the process started. A refused import writes nothing in the database, by design (all or
        // nothing), so the server counts them; imports from the command line report on their own.
        out.push_str("# HELP recouvre_import_failures_total File uploads refused since the server started.\n");
        out.push_str("# TYPE recouvre_import_failures_total counter\n");
        let mut failures: BTreeMap<&str, u64> = BTreeMap::new();
        for ((_, route, status), series) in requests.iter() {
            if let Some(kind) = route.strip_prefix(IMPORT_ROUTES) {
                let count = failures.entry(kind).or_default();
                if *status >= 400 {
                    *count += series.count;
                }
            }
        }
        for (kind, count) in &failures {
            let _ = writeln!(out, "recouvre_import_failures_total{{kind=\"{kind}\"}} {count}");
        }
        out.push_str("# HELP recouvre_db_pool_connections Database pool connections.\n");
        out.push_str("# TYPE recouvre_db_pool_connections gauge\n");
        let _ = writeln!(out, "recouvre_db_pool_connections{{state=\"open\"}} {pool_size}");
        let _ = writeln!(out, "recouvre_db_pool_connections{{state=\"idle\"}} {pool_idle}");
        out
    }
}

fn seconds(instant: DateTime<Utc>) -> f64 {
    instant.timestamp_millis() as f64 / 1000.0
}

fn midnight_utc(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0).map_or(0, |midnight| midnight.and_utc().timestamp())
}

/// The nightly runs' and the imports' figures (docs/operations.md lists them and their alerts).
pub fn render_operations(figures: &OperationsFigures, out: &mut String) {
    let mut gauge = |name: &str, help: &str, value: String| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
    };
    gauge("recouvre_metrics_operations_up", "1 when the figures below were read from the database.", "1".into());
    gauge(
        "recouvre_nightly_runs_unfinished",
        "Nightly runs started and not finished: interrupted or failed and not resumed, or running now.",
        figures.runs_unfinished.to_string(),
    );
    if let Some(run) = &figures.last_run {
        gauge(
            "recouvre_nightly_last_run_business_date_seconds",
            "Business date of the latest nightly run (midnight UTC, Unix seconds).",
            midnight_utc(run.as_of).to_string(),
        );
        gauge(
            "recouvre_nightly_last_run_started_seconds",
            "When the latest nightly run started (Unix seconds).",
            seconds(run.started_at).to_string(),
        );
        gauge(
            "recouvre_nightly_last_run_finished",
            "1 when the latest nightly run finished, 0 while it runs or after it was interrupted.",
            u8::from(run.finished_at.is_some()).to_string(),
        );
        if let Some(finished_at) = run.finished_at {
            gauge(
                "recouvre_nightly_last_run_duration_seconds",
                "From the start of the latest nightly run to its end, over all its processes and resumptions.",
                ((finished_at - run.started_at).num_milliseconds() as f64 / 1000.0).to_string(),
            );
        }
        gauge(
            "recouvre_nightly_last_run_chunks_pending",
            "Chunks of the latest nightly run not yet done.",
            (run.chunks - run.chunks_done).to_string(),
        );
        gauge(
            "recouvre_nightly_last_run_cases_processed",
            "Cases the latest nightly run moved forward.",
            run.cases_seen.to_string(),
        );
        gauge(
            "recouvre_nightly_last_run_cases_held",
            "Cases whose interest the latest nightly run could not accrue for lack of a statutory rate.",
            run.cases_held.to_string(),
        );
    }
    let _ =
        writeln!(out, "# HELP recouvre_imports_total Files imported, by kind.\n# TYPE recouvre_imports_total counter");
    for import in &figures.imports {
        let _ = writeln!(out, "recouvre_imports_total{{kind=\"{}\"}} {}", import.kind, import.files);
    }
    let _ = writeln!(
        out,
        "# HELP recouvre_import_rows_total Lines of the files imported, by kind.\n# TYPE recouvre_import_rows_total counter"
    );
    for import in &figures.imports {
        let _ = writeln!(out, "recouvre_import_rows_total{{kind=\"{}\"}} {}", import.kind, import.lines);
    }
    let _ = writeln!(
        out,
        "# HELP recouvre_import_last_seconds When the latest file of each kind was imported (Unix seconds).\n\
         # TYPE recouvre_import_last_seconds gauge"
    );
    for import in &figures.imports {
        if let Some(at) = import.last_imported_at {
            let _ = writeln!(out, "recouvre_import_last_seconds{{kind=\"{}\"}} {}", import.kind, seconds(at));
        }
    }
}

/// The database could not be read: say so, so that an alert fires rather than a silent gap.
pub fn render_operations_unavailable(out: &mut String) {
    let _ = writeln!(
        out,
        "# HELP recouvre_metrics_operations_up 1 when the figures below were read from the database.\n\
         # TYPE recouvre_metrics_operations_up gauge\nrecouvre_metrics_operations_up 0"
    );
}
