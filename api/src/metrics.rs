//! Request counts and latencies in the Prometheus text format, by HTTP route
//! and by GraphQL operation. Label values are bounded: routes are the
//! matched patterns, operation names are sanitized and capped.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Distinct GraphQL operation names kept; later ones count as `other`.
const MAX_OPERATIONS: usize = 200;

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

impl Series {
    fn observe(&mut self, seconds: f64) {
        self.count += 1;
        self.sum += seconds;
        for (slot, bound) in self.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *slot += 1;
            }
        }
    }
}

/// The registry.
#[derive(Default)]
pub struct Metrics {
    http: Mutex<BTreeMap<(String, String, u16), Series>>,
    graphql: Mutex<BTreeMap<(String, &'static str), Series>>,
    /// GraphQL operations waiting for their turn (`limits.concurrent_operations`).
    waiting: AtomicU64,
}

/// Counts one operation as waiting for as long as it lives.
pub struct Waiting<'a>(&'a AtomicU64);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Keeps `[A-Za-z0-9_]`, at most 64 characters; empty becomes `anonymous`.
fn sanitize(name: Option<&str>) -> String {
    let clean: String = name
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(64)
        .collect();
    if clean.is_empty() {
        "anonymous".to_owned()
    } else {
        clean
    }
}

impl Metrics {
    /// Records one HTTP request.
    pub fn record_http(&self, method: &str, route: &str, status: u16, took: Duration) {
        if let Ok(mut map) = self.http.lock() {
            map.entry((method.to_owned(), route.to_owned(), status))
                .or_default()
                .observe(took.as_secs_f64());
        }
    }

    /// Records one GraphQL operation.
    pub fn record_operation(&self, name: Option<&str>, ok: bool, took: Duration) {
        let mut name = sanitize(name);
        if let Ok(mut map) = self.graphql.lock() {
            let outcome = if ok { "ok" } else { "error" };
            if !map.contains_key(&(name.clone(), outcome)) && map.len() >= MAX_OPERATIONS {
                name = "other".to_owned();
            }
            map.entry((name, outcome))
                .or_default()
                .observe(took.as_secs_f64());
        }
    }

    /// Counts an operation as waiting for its turn until the guard drops
    /// (it got its turn, or the request was cut while waiting).
    pub fn waiting(&self) -> Waiting<'_> {
        self.waiting.fetch_add(1, Ordering::Relaxed);
        Waiting(&self.waiting)
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut write = |metric: &str, help: &str, rows: Vec<(String, &Series)>| {
            let _ = writeln!(out, "# HELP {metric} {help}\n# TYPE {metric} histogram");
            for (labels, s) in rows {
                for (bound, n) in BUCKETS.iter().zip(s.buckets) {
                    let _ = writeln!(out, "{metric}_bucket{{{labels},le=\"{bound}\"}} {n}");
                }
                let _ = writeln!(out, "{metric}_bucket{{{labels},le=\"+Inf\"}} {}", s.count);
                let _ = writeln!(out, "{metric}_sum{{{labels}}} {}", s.sum);
                let _ = writeln!(out, "{metric}_count{{{labels}}} {}", s.count);
            }
        };
        if let Ok(map) = self.http.lock() {
            let rows = map
                .iter()
                .map(|((m, r, s), v)| {
                    (
                        format!(
                            "method=\"{m}\",route=\"{}\",status=\"{s}\"",
                            r.replace('"', "")
                        ),
                        v,
                    )
                })
                .collect();
            write(
                "archportal_http_request_duration_seconds",
                "HTTP requests by route and status.",
                rows,
            );
        }
        if let Ok(map) = self.graphql.lock() {
            let rows = map
                .iter()
                .map(|((op, outcome), v)| (format!("operation=\"{op}\",outcome=\"{outcome}\""), v))
                .collect();
            write(
                "archportal_graphql_operation_duration_seconds",
                "GraphQL operations by name and outcome.",
                rows,
            );
        }
        let _ = writeln!(
            out,
            "# HELP archportal_graphql_operations_waiting GraphQL operations waiting for their turn (limits.concurrent_operations).\n\
             # TYPE archportal_graphql_operations_waiting gauge\n\
             archportal_graphql_operations_waiting {}",
            self.waiting.load(Ordering::Relaxed)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_histograms_with_bounded_labels() {
        let m = Metrics::default();
        m.record_operation(Some("Objects\"}{x"), true, Duration::from_millis(20));
        m.record_http("POST", "/graphql", 200, Duration::from_millis(3));
        let text = m.render();
        assert!(text.contains("archportal_graphql_operation_duration_seconds_count{operation=\"Objectsx\",outcome=\"ok\"} 1"));
        assert!(text.contains("le=\"0.025\"} 1"));
        assert!(text.contains("archportal_http_request_duration_seconds_count{method=\"POST\",route=\"/graphql\",status=\"200\"} 1"));
        assert!(text.contains("\narchportal_graphql_operations_waiting 0\n"));
    }

    #[test]
    fn waiting_operations_are_counted_while_their_guards_live() {
        let m = Metrics::default();
        let a = m.waiting();
        let b = m.waiting();
        assert!(
            m.render()
                .contains("\narchportal_graphql_operations_waiting 2\n")
        );
        drop(a);
        assert!(
            m.render()
                .contains("\narchportal_graphql_operations_waiting 1\n")
        );
        drop(b);
        assert!(
            m.render()
                .contains("\narchportal_graphql_operations_waiting 0\n")
        );
    }
}
