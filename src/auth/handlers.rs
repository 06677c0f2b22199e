//! HTTP handlers for `/auth`.

use actix_web::{HttpRequest, HttpResponse, get, post, web};

use super::dto::{LoginRequest, RefreshRequest, TokenPair};
use super::service::{self, LoginAttempt, Session};
use crate::error::ApiError;
use crate::http::auth::SignedIn;
use crate::http::client::client_address;
use crate::http::conditional;
use crate::http::input::JsonBody;
use crate::state::AppState;
use crate::users::dto::UserOut;

impl From<Session> for TokenPair {
    fn from(session: Session) -> Self {
        Self {
            access_token: session.access_token,
            token_type: "Bearer",
            expires_in: session.expires_in,
            refresh_token: session.refresh_token,
            user: session.user.into(),
        }
    }
}

/// Sign in
///
/// Exchanges an e-mail and password for an access token and a refresh token. An unknown
/// e-mail and a wrong password get the same answer, after the same work. Failed attempts
/// are limited per client, and per account from each client, so a flood against an
/// account does not lock its owner out elsewhere (`NEWSDESK_LOGIN_ATTEMPTS_PER_MINUTE`).
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 429, response = crate::openapi::TooManyRequests),
        crate::openapi::BodyErrors,
        crate::openapi::SignedInErrors,
    )
)]
#[post("/auth/login")]
pub(super) async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    body.check_bounds()?;
    let attempt = LoginAttempt::start(&state.auth, &body.email, &client_address(&req, &state))?;
    let email = attempt.email().to_owned();
    let account = state
        .db(move |conn| service::find_account(conn, &email))
        .await?;
    // The connection is back in the pool while argon2 runs.
    let user = attempt.check(&state.auth, body.password, account).await?;
    let auth = state.auth.clone();
    let session = state
        .write_unseen(move |conn| service::open_session(conn, &auth, user))
        .await?;
    Ok(tokens(session))
}

/// Token answers must never sit in a cache.
fn tokens(session: Session) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(TokenPair::from(session))
}

/// Renew tokens
///
/// Exchanges a refresh token for a new pair. Each refresh token works once; presenting a
/// used one again revokes every token of that sign-in.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair", body = TokenPair),
        crate::openapi::BodyErrors,
        crate::openapi::SignedInErrors,
    )
)]
#[post("/auth/refresh")]
pub(super) async fn refresh(
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let auth = state.auth.clone();
    let session = state
        .write_unseen(move |conn| service::refresh(conn, &auth, &body.refresh_token))
        .await?;
    Ok(tokens(session))
}

/// Sign out
///
/// Revokes the refresh token given (and every token renewed from it). The access token
/// stays valid until it expires, at most 15 minutes. A `read` API token gets 403, as on
/// every write.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    security(("bearer_auth" = [])),
    responses(
        (status = 204, description = "Signed out"),
        crate::openapi::BodyErrors,
        crate::openapi::RoleErrors,
    )
)]
#[post("/auth/logout")]
pub(super) async fn logout(
    state: web::Data<AppState>,
    SignedIn(user): SignedIn,
    JsonBody(body): JsonBody<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    state
        .write_unseen(move |conn| service::logout(conn, user, &body.refresh_token))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The current user
///
/// The account the access token belongs to, as loaded now (role changes show at once).
/// An API token is not an account: 403.
#[utoipa::path(
    tag = "auth",
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The signed-in account", body = UserOut, headers(("ETag" = String))),
        crate::openapi::Cached,
        crate::openapi::RoleErrors,
    )
)]
#[get("/auth/me")]
pub(super) async fn me(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(user): SignedIn,
) -> Result<HttpResponse, ApiError> {
    let user = UserOut::from(state.db(move |conn| service::me(conn, user)).await?);
    conditional::resource(&req, user.version, &user)
}
