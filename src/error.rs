//! The one error type of the API, rendered as RFC 9457 `application/problem+json`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use utoipa::ToSchema;

/// One invalid input field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field's name as sent (dotted for nested fields, e.g. `pages.1`).
    pub field: String,
    /// What is wrong, in words a client can show.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document, the body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type; `about:blank` means the status says it all.
    #[schema(example = "about:blank")]
    pub r#type: String,
    /// Short summary of the problem type.
    #[schema(example = "Unprocessable Entity")]
    pub title: String,
    /// The HTTP status code.
    #[schema(example = 422)]
    pub status: u16,
    /// What went wrong in this occurrence.
    #[schema(example = "the request has invalid fields")]
    pub detail: String,
    /// The invalid fields, on validation failures (and on malformed query strings when the
    /// failing parameter is known).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String, Vec<FieldError>),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    MethodNotAllowed(String, String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    RequestTimeout(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    #[error("too many requests; retry in {retry_after} s")]
    TooManyRequests { retry_after: u64 },
    #[error("the database is busy; try again shortly")]
    Unavailable,
    /// The database cannot be reached: a connection was lost or refused, or the circuit
    /// in `db::circuit` remembers a recent outage. Kept apart from [`Unavailable`]
    /// (a busy pool) because it is what opens that circuit.
    ///
    /// [`Unavailable`]: ApiError::Unavailable
    #[error("the database cannot be reached; try again shortly")]
    DatabaseUnreachable { retry_after: u64 },
    /// A concurrent write made this one's outcome impossible to order; running it again
    /// settles it (`db::write_transaction` does, a bounded number of times).
    #[error("the change met concurrent changes; try again shortly")]
    WriteConflict,
    #[error("the server has no room to store this; try again later")]
    InsufficientStorage,
    /// A `Range` outside a file of `size` bytes.
    #[error("the range asked for lies outside the file's {size} bytes")]
    RangeNotSatisfiable { size: u64 },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::BadRequest(detail.into(), Vec::new())
    }

    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} not found"))
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }

    /// Maps a unique violation to a 409 with `message`, other errors as usual.
    pub fn unique_as(message: &'static str) -> impl FnOnce(DieselError) -> Self {
        move |err| match Self::from(err) {
            Self::Conflict(_) => Self::Conflict(message.into()),
            other => other,
        }
    }

    /// `Ok(())` when `errors` is empty, else one `Validation` error carrying them all.
    pub fn check(errors: Vec<FieldError>) -> Result<(), Self> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Self::Validation(errors))
        }
    }

    pub(crate) fn problem(&self) -> Problem {
        let status = self.status_code();
        let errors = match self {
            Self::Validation(errors) | Self::BadRequest(_, errors) => errors.clone(),
            _ => Vec::new(),
        };
        Problem {
            r#type: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: self.to_string(),
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(..) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(..) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable | Self::DatabaseUnreachable { .. } | Self::WriteConflict => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::InsufficientStorage => StatusCode::INSUFFICIENT_STORAGE,
            Self::RangeNotSatisfiable { .. } => StatusCode::RANGE_NOT_SATISFIABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(err) = self {
            log::error!("internal error: {err:#}");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        // A problem holds for this request only: a shared cache that kept a 404 would
        // hide an article published a moment later.
        response.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        match self {
            Self::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            Self::TooManyRequests { retry_after } | Self::DatabaseUnreachable { retry_after } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            Self::Unavailable | Self::WriteConflict => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            Self::MethodNotAllowed(_, allow) => {
                response.insert_header((header::ALLOW, allow.as_str()));
            }
            Self::RangeNotSatisfiable { size } => {
                response.insert_header((header::CONTENT_RANGE, format!("bytes */{size}")));
            }
            // The rest of a stalled body may still come; the connection cannot be reused.
            Self::RequestTimeout(_) => {
                response.force_close();
            }
            _ => {}
        }
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        response.body(body)
    }
}

impl From<DieselError> for ApiError {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::NotFound => Self::NotFound("not found".into()),
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                log::debug!("unique violation: {}", info.message());
                Self::Conflict("a resource with these unique values already exists".into())
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                log::debug!("foreign key violation: {}", info.message());
                Self::Conflict("the change conflicts with resources that refer to this one".into())
            }
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => connection_lost(info.message()),
            DieselError::DatabaseError(_, info) if is_connection_lost(info.message()) => {
                connection_lost(info.message())
            }
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                Self::WriteConflict
            }
            DieselError::DatabaseError(kind, info) => match refusal(info.message()) {
                Some(refused) => refused,
                None => Self::Internal(DieselError::DatabaseError(kind, info).into()),
            },
            other => Self::Internal(other.into()),
        }
    }
}

fn connection_lost(message: &str) -> ApiError {
    log::warn!("lost the database connection: {}", message.trim());
    ApiError::DatabaseUnreachable { retry_after: 1 }
}

/// libpq's words for a connection that is gone, when the error carries no kind saying so
/// (an administrator's shutdown of the server, a connection reset mid-query).
fn is_connection_lost(message: &str) -> bool {
    [
        "server closed the connection unexpectedly",
        "terminating connection due to administrator command",
        "no connection to the server",
        "could not receive data from server",
        "could not send data to server",
        "SSL connection has been closed unexpectedly",
    ]
    .iter()
    .any(|words| message.contains(words))
}

/// The database refusing work for a reason the client cannot fix and that may pass: a
/// 503 (or 507 for a full disk) with the cause logged once, never a bare 500.
fn refusal(message: &str) -> Option<ApiError> {
    if message.contains("deadlock detected") {
        // PostgreSQL chose this side of a deadlock to fail; running it again settles it.
        return Some(ApiError::WriteConflict);
    }
    if message.contains("database is locked") || message.contains("database table is locked") {
        log::warn!("the SQLite file stayed locked by another writer past busy_timeout");
        return Some(ApiError::Unavailable);
    }
    if message.contains("disk is full") || message.contains("No space left on device") {
        log::error!(
            "the disk holding the database is full; writes fail until space is freed: {message}"
        );
        return Some(ApiError::InsufficientStorage);
    }
    if message.contains("readonly database") || message.contains("read-only transaction") {
        log::error!("the database refuses writes (read-only): {message}");
        return Some(ApiError::Unavailable);
    }
    None
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        log::warn!("no database connection available: {err}");
        Self::Unavailable
    }
}
