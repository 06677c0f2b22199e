//! Prometheus metrics: every request counted and timed by route pattern, method and
//! status (the [`record`] middleware around the whole app), and what the pool, the
//! write queue, the circuit and the response cache hold, read when scraped.
//!
//! The recorder is owned by `AppState`; nothing here is global. `endpoint` serves it.

pub mod endpoint;

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use prometheus_client::encoding::{EncodeLabelSet, EncodeMetric, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::{MetricType, TypedMetric};
use prometheus_client::registry::{Registry, Unit};

use crate::cache::CacheStats;

/// Upper bounds of the latency buckets, in seconds. A cached read answers in well under a
/// millisecond and a database write in a few; past 5 s a client has given up anyway.
pub const LATENCY_BUCKETS: [f64; 13] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// The route label of a request no route took (404, 405, a path refused before routing).
pub const UNMATCHED: &str = "unmatched";

/// A request's labels. `route` is the pattern the path matched, never the path itself,
/// and `method` is one of the standard methods or `other`, so the number of series
/// stays bounded whatever clients send.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: Arc<str>,
    method: &'static str,
    status: u16,
}

/// The request counters and latency histograms of this process.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Latency>,
    routes: RouteMemo,
}

/// Paths kept in the [`RouteMemo`] at most; a full memo is emptied.
const MEMO_PATHS: usize = 4096;
/// Longer paths are not kept in the [`RouteMemo`], so it stays small (about 1 MiB).
const MEMO_PATH_BYTES: usize = 200;

/// The route pattern of each recently seen path. actix finds a path's pattern by running
/// the route table's regexes again, which inside `/api/v1` costs about as much as
/// answering a read from the response cache (1.5 µs); a path's pattern never changes, so
/// it is kept. A scan of random paths empties the memo again and again, which costs the
/// regexes, nothing more.
#[derive(Debug, Default)]
struct RouteMemo(RwLock<HashMap<Box<str>, Arc<str>>>);

impl RouteMemo {
    fn route(&self, req: &ServiceRequest) -> Arc<str> {
        let path = req.path();
        let known = self
            .0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(path)
            .cloned();
        if let Some(route) = known {
            return route;
        }
        let route: Arc<str> = req
            .match_pattern()
            .map_or_else(|| UNMATCHED.into(), Into::into);
        if path.len() <= MEMO_PATH_BYTES {
            // A poisoned map holds whole entries only: inserts and clears do not unwind
            // half-way.
            let mut memo = self.0.write().unwrap_or_else(PoisonError::into_inner);
            if memo.len() >= MEMO_PATHS {
                memo.clear();
            }
            memo.insert(path.into(), route.clone());
        }
        route
    }
}

/// What is read from the rest of the process when scraped.
#[derive(Debug, Clone, Default)]
pub struct Gauges {
    /// Connections the pool holds open, idle or lent out.
    pub pool_connections: u32,
    pub pool_idle: u32,
    pub pool_max: u32,
    /// Writing requests waiting for their turn in `AppState::write`.
    pub writes_waiting: u64,
    /// Whether a write holds the turn now.
    pub write_in_progress: bool,
    /// Whether the database circuit answers 503 at once (or lets one probe through).
    pub circuit_open: bool,
    /// The response cache's figures, when the cache is on.
    pub cache: Option<CacheStats>,
}

/// The two text formats a scraper may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Prometheus' classic text format (0.0.4), for any client that does not ask for
    /// OpenMetrics.
    Prometheus,
    /// OpenMetrics 1.0 text, which Prometheus asks for in `Accept`.
    OpenMetrics,
}

impl Format {
    pub const PROMETHEUS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
    pub const OPENMETRICS_CONTENT_TYPE: &str =
        "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /// OpenMetrics when `accept` names it, else the classic format.
    pub fn from_accept(accept: Option<&str>) -> Self {
        match accept {
            Some(accept) if accept.contains("application/openmetrics-text") => Self::OpenMetrics,
            _ => Self::Prometheus,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Prometheus => Self::PROMETHEUS_CONTENT_TYPE,
            Self::OpenMetrics => Self::OPENMETRICS_CONTENT_TYPE,
        }
    }
}

impl Metrics {
    /// Counts one answered request and its latency.
    fn observe(&self, labels: RequestLabels, elapsed: Duration) {
        self.requests.get_or_create(&labels).inc();
        self.latency.get_or_create(&labels).observe(elapsed);
    }

    /// The exposition of everything recorded so far and of `gauges`, in `format`.
    pub fn render(&self, gauges: &Gauges, format: Format) -> Result<String, fmt::Error> {
        // A registry per scrape: the request families are shared handles (cheap to
        // clone), and the gauges are values read just now, so nothing here needs to
        // reach back into the application state.
        let mut registry = Registry::with_prefix("newsdesk");
        registry.register(
            "http_requests",
            "Requests answered, by route pattern, method and status",
            self.requests.clone(),
        );
        registry.register_with_unit(
            "http_request_duration",
            "Time from a request's arrival to its response head, by route pattern, method and status",
            Unit::Seconds,
            self.latency.clone(),
        );
        register_gauges(&mut registry, gauges);
        let mut out = String::new();
        match format {
            Format::Prometheus => {
                prometheus_client::encoding::prometheus_text::encode(&mut out, &registry)?
            }
            Format::OpenMetrics => prometheus_client::encoding::text::encode(&mut out, &registry)?,
        }
        Ok(out)
    }
}

fn register_gauges(registry: &mut Registry, gauges: &Gauges) {
    let gauge = |value: u64| ConstGauge::new(i64::try_from(value).unwrap_or(i64::MAX));
    registry.register(
        "db_pool_connections",
        "Database connections the pool holds open, idle or in use",
        gauge(gauges.pool_connections.into()),
    );
    registry.register(
        "db_pool_idle_connections",
        "Open database connections not lent to a request",
        gauge(gauges.pool_idle.into()),
    );
    registry.register(
        "db_pool_max_connections",
        "The most connections the pool opens (NEWSDESK_DB_POOL_SIZE)",
        gauge(gauges.pool_max.into()),
    );
    registry.register(
        "write_queue_waiting",
        "Writing requests waiting for their turn, one write at a time per process",
        gauge(gauges.writes_waiting),
    );
    registry.register(
        "write_queue_busy",
        "1 while a write holds the turn",
        gauge(gauges.write_in_progress.into()),
    );
    registry.register(
        "db_circuit_open",
        "1 while the database is known to be unreachable and requests are answered 503 at once",
        gauge(gauges.circuit_open.into()),
    );
    if let Some(cache) = gauges.cache {
        register_cache(registry, &cache);
    }
}

fn register_cache(registry: &mut Registry, cache: &CacheStats) {
    let gauge = |value: u64| ConstGauge::new(i64::try_from(value).unwrap_or(i64::MAX));
    let counters = [
        (
            "cache_hits",
            "Reads answered from the response cache",
            cache.hits,
        ),
        (
            "cache_misses",
            "Cacheable reads the response cache could not answer",
            cache.misses,
        ),
        (
            "cache_evictions",
            "Entries dropped to stay within the cache's capacity",
            cache.evictions,
        ),
        (
            "cache_invalidations",
            "Entries dropped because a write changed what they show",
            cache.invalidations,
        ),
    ];
    for (name, help, value) in counters {
        registry.register(name, help, ConstCounter::new(value));
    }
    registry.register(
        "cache_entries",
        "Responses held in the cache",
        gauge(cache.entries),
    );
    registry.register_with_unit(
        "cache",
        "Size of the responses held in the cache",
        Unit::Bytes,
        gauge(cache.bytes),
    );
    registry.register_with_unit(
        "cache_capacity",
        "The most the cache holds",
        Unit::Bytes,
        gauge(cache.capacity_bytes),
    );
}

/// Counts and times every request; `app::build` wraps the whole app in it when metrics
/// are on. A request is timed until its response head is ready, not while its body
/// streams to the client.
pub async fn record<B: MessageBody>(
    metrics: Arc<Metrics>,
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let started = Instant::now();
    // Taken before the call: an error from an inner middleware consumes the request.
    let route = metrics.routes.route(&req);
    let method = method_label(req.method().as_str());
    let outcome = next.call(req).await;
    let status = match &outcome {
        Ok(res) => res.status(),
        Err(err) => err.as_response_error().status_code(),
    };
    let labels = RequestLabels {
        route,
        method,
        status: status.as_u16(),
    };
    metrics.observe(labels, started.elapsed());
    outcome
}

fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        "CONNECT" => "CONNECT",
        "TRACE" => "TRACE",
        _ => "other",
    }
}

/// A latency histogram of plain atomics: the crate's own `Histogram` takes a mutex on
/// every observation, and this one is on every request's path.
#[derive(Debug)]
struct Latency {
    /// Observations per bucket (not cumulative); the last one is `+Inf`.
    buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    sum_nanos: AtomicU64,
}

impl Default for Latency {
    fn default() -> Self {
        Self {
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
            sum_nanos: AtomicU64::new(0),
        }
    }
}

impl Latency {
    fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let bucket = LATENCY_BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(LATENCY_BUCKETS.len());
        // Relaxed: a scrape may see a count without its sum for an instant, which the
        // next scrape corrects; nothing else reads these.
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }
}

impl TypedMetric for Latency {
    const TYPE: MetricType = MetricType::Histogram;
}

impl EncodeMetric for Latency {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), fmt::Error> {
        let bounds = LATENCY_BUCKETS.iter().copied().chain([f64::INFINITY]);
        let buckets: Vec<(f64, u64)> = bounds
            .zip(&self.buckets)
            .map(|(bound, count)| (bound, count.load(Ordering::Relaxed)))
            .collect();
        // The count is the buckets' total, so the two always agree within a scrape.
        let count = buckets.iter().map(|(_, n)| n).sum();
        let sum = Duration::from_nanos(self.sum_nanos.load(Ordering::Relaxed)).as_secs_f64();
        encoder.encode_histogram::<NoLabelSet>(sum, count, &buckets, None)
    }

    fn metric_type(&self) -> MetricType {
        Self::TYPE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_figures_render_under_their_own_names() {
        let gauges = Gauges {
            cache: Some(CacheStats {
                hits: 7,
                misses: 3,
                entries: 2,
                bytes: 2048,
                capacity_bytes: 1 << 20,
                evictions: 1,
                invalidations: 4,
            }),
            ..Gauges::default()
        };
        let text = Metrics::default()
            .render(&gauges, Format::Prometheus)
            .unwrap();
        for line in [
            "newsdesk_cache_hits_total 7",
            "newsdesk_cache_misses_total 3",
            "newsdesk_cache_entries 2",
            "newsdesk_cache_bytes 2048",
            "newsdesk_cache_capacity_bytes 1048576",
            "newsdesk_cache_evictions_total 1",
            "newsdesk_cache_invalidations_total 4",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "{line} missing in:\n{text}"
            );
        }
        let without = Metrics::default()
            .render(&Gauges::default(), Format::Prometheus)
            .unwrap();
        assert!(!without.contains("newsdesk_cache"), "{without}");
    }

    #[test]
    fn the_route_memo_stays_bounded() {
        let memo = RouteMemo::default();
        for n in 0..MEMO_PATHS + 10 {
            let req = actix_web::test::TestRequest::get()
                .uri(&format!("/scan/{n}"))
                .to_srv_request();
            assert_eq!(&*memo.route(&req), UNMATCHED);
        }
        let long = actix_web::test::TestRequest::get()
            .uri(&format!("/{}", "x".repeat(MEMO_PATH_BYTES)))
            .to_srv_request();
        memo.route(&long);
        let kept = memo.0.read().unwrap();
        assert!(
            kept.len() <= MEMO_PATHS && kept.len() >= 10,
            "{}",
            kept.len()
        );
        assert!(kept.keys().all(|path| path.len() <= MEMO_PATH_BYTES));
    }

    #[test]
    fn latencies_fall_in_the_first_bucket_that_holds_them() {
        let latency = Latency::default();
        latency.observe(Duration::from_micros(300));
        latency.observe(Duration::from_millis(1));
        latency.observe(Duration::from_secs(9));
        let counts: Vec<u64> = latency
            .buckets
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect();
        assert_eq!(counts[0], 1, "0.3 ms <= 0.5 ms");
        assert_eq!(counts[1], 1, "1 ms <= 1 ms");
        assert_eq!(counts[LATENCY_BUCKETS.len()], 1, "9 s is past every bound");
        assert_eq!(counts.iter().sum::<u64>(), 3);
    }
}
