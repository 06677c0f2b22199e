//! `GET /metrics`: the scrape endpoint. Off unless `NEWSDESK_METRICS=on`, and then behind
//! `NEWSDESK_METRICS_TOKEN` when one is set.

use actix_web::http::header::{self, CacheDirective};
use actix_web::{HttpRequest, HttpResponse, get, web};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;
use crate::metrics::Format;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(metrics);
}

/// Metrics
///
/// Request counts and latency histograms by route pattern, method and status; database
/// pool use, write-queue depth and circuit state; response-cache figures. OpenMetrics
/// text when `Accept` asks for `application/openmetrics-text` (as Prometheus does), the
/// classic Prometheus text format otherwise.
///
/// Off (404, like any unknown path) unless the server runs with `NEWSDESK_METRICS=on`;
/// with `NEWSDESK_METRICS_TOKEN` set it requires `Authorization: Bearer <that token>`.
#[utoipa::path(
    tag = "service",
    security((), ("metrics_token" = [])),
    responses(
        (status = 200, description = "The metrics, read now", content(
            (String = "text/plain; version=0.0.4; charset=utf-8", example = json!(PROMETHEUS_EXCERPT)),
            (String = "application/openmetrics-text; version=1.0.0; charset=utf-8", example = json!(OPENMETRICS_EXCERPT)),
        )),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/metrics")]
pub(crate) async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if !state.config.metrics {
        return Err(ApiError::NotFound(format!("no route for {}", req.path())));
    }
    if let Some(expected) = &state.config.metrics_token {
        authorize(&req, expected)?;
    }
    let format = Format::from_accept(
        req.headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok()),
    );
    let body = state
        .metrics
        .render(&state.gauges(), format)
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header(header::CacheControl(vec![CacheDirective::NoStore]))
        .body(body))
}

/// Lines of a scrape in the classic Prometheus text format, for the document.
const PROMETHEUS_EXCERPT: &str = "\
# HELP newsdesk_http_requests_total Requests answered, by route pattern, method and status.
# TYPE newsdesk_http_requests_total counter
newsdesk_http_requests_total{route=\"/api/v1/articles\",method=\"GET\",status=\"200\"} 1
# HELP newsdesk_db_circuit_open 1 while the database is known to be unreachable and requests are answered 503 at once.
# TYPE newsdesk_db_circuit_open gauge
newsdesk_db_circuit_open 0
";

/// The same in OpenMetrics text, which names counters without `_total` and ends with `# EOF`.
const OPENMETRICS_EXCERPT: &str = "\
# HELP newsdesk_http_requests Requests answered, by route pattern, method and status.
# TYPE newsdesk_http_requests counter
newsdesk_http_requests_total{route=\"/api/v1/articles\",method=\"GET\",status=\"200\"} 1
# HELP newsdesk_db_circuit_open 1 while the database is known to be unreachable and requests are answered 503 at once.
# TYPE newsdesk_db_circuit_open gauge
newsdesk_db_circuit_open 0
# EOF
";

/// 401 unless the request carries `Authorization: Bearer <expected>`. Both sides are
/// hashed first, so the comparison takes the same time whatever was sent, its length
/// included.
fn authorize(req: &HttpRequest, expected: &str) -> Result<(), ApiError> {
    let sent = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .unwrap_or_default();
    let (sent, expected) = (Sha256::digest(sent), Sha256::digest(expected));
    let matches: bool = sent[..].ct_eq(&expected[..]).into();
    if matches {
        Ok(())
    } else {
        Err(ApiError::Unauthorized(
            "the metrics need `Authorization: Bearer <NEWSDESK_METRICS_TOKEN>`".into(),
        ))
    }
}
