//! Liveness and readiness probes.

use actix_web::{HttpResponse, get, web};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::db::schema::readiness;
use crate::db::write_transaction;
use crate::domain::time;
use crate::error::ApiError;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(healthz).service(readyz);
}

/// A probe's answer.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok", "database": "sqlite"}))]
pub struct Health {
    /// Always `ok` when the probe succeeds.
    pub status: &'static str,
    /// The database backend in use (readiness only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
}

/// Liveness
///
/// The process is up and serving; touches nothing else.
#[utoipa::path(
    tag = "service",
    responses(
        (status = 200, description = "The process is up", body = Health,
            example = json!({"status": "ok"})),
        (status = 400, response = crate::openapi::BadRequest),
    )
)]
#[get("/healthz")]
pub(crate) async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok",
        database: None,
    })
}

/// Readiness
///
/// A write through the connection pool committed, so reads and writes can be served: a
/// database that answers queries but refuses writes (read-only, disk full, locked) is
/// not ready.
#[utoipa::path(
    tag = "service",
    responses(
        (status = 200, description = "The database takes writes", body = Health),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 500, response = crate::openapi::InternalError),
        (status = 503, response = crate::openapi::Unavailable),
        (status = 507, response = crate::openapi::InsufficientStorage),
    )
)]
#[get("/readyz")]
pub(crate) async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let database = state.config.database.kind();
    state
        .write_unseen(|conn| {
            write_transaction(conn, |conn| {
                diesel::update(readiness::table.find(1))
                    .set(readiness::checked_at.eq(time::now()))
                    .execute(conn)?;
                Ok(())
            })
            .map_err(|e| {
                log::warn!("readiness write failed: {e}");
                match e {
                    ApiError::InsufficientStorage | ApiError::DatabaseUnreachable { .. } => e,
                    _ => ApiError::Unavailable,
                }
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok",
        database: Some(database),
    }))
}
