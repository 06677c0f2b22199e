//! Who is calling: `Viewer` (anyone, possibly signed in), `SignedIn` and
//! `Require<Role>`, from an access token (JWT) or an API token (`nd_…`). A token that is
//! sent but invalid is always a 401, never ignored.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use crate::auth::service as auth_service;
use crate::domain::role::{CurrentUser, Role};
use crate::domain::stored::StoredEnum;
use crate::domain::token::is_api_token;
use crate::error::ApiError;
use crate::state::AppState;

type Pending<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// The caller, signed in or anonymous.
#[derive(Debug, Clone, Copy)]
pub struct Viewer(pub Option<CurrentUser>);

/// A signed-in caller of any role.
#[derive(Debug, Clone, Copy)]
pub struct SignedIn(pub CurrentUser);

/// A signed-in caller whose role is at least `R`'s; 403 otherwise.
#[derive(Debug, Clone, Copy)]
pub struct Require<R>(pub CurrentUser, pub PhantomData<R>);

/// A role bound for [`Require`].
pub trait MinimumRole {
    const ROLE: Role;
}

#[derive(Debug, Clone, Copy)]
pub struct Reporter;
#[derive(Debug, Clone, Copy)]
pub struct Editor;
#[derive(Debug, Clone, Copy)]
pub struct Admin;

impl MinimumRole for Reporter {
    const ROLE: Role = Role::Reporter;
}
impl MinimumRole for Editor {
    const ROLE: Role = Role::Editor;
}
impl MinimumRole for Admin {
    const ROLE: Role = Role::Admin;
}

fn bearer_token(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "the Authorization header must be `Bearer <access token or API token>`".into(),
            )
        })?;
    Ok(Some(token.to_owned()))
}

/// Resolves the caller: `None` without a token, the account for a valid access token,
/// the token itself for a valid API token (`nd_…`), 401 else. This is the one place a
/// credential becomes a caller, and the one place a caller that may not write (a
/// `read` API token) is refused any request but a read: every extractor below goes
/// through here, so no handler can forget it.
fn resolve(req: &HttpRequest) -> Pending<Option<CurrentUser>> {
    let token = bearer_token(req);
    let state = super::app_state(req);
    let writes = !req.method().is_safe();
    Box::pin(async move {
        let Some(token) = token? else {
            return Ok(None);
        };
        let state = state?;
        let user = if is_api_token(&token) {
            api_token_caller(&state, token).await?
        } else {
            let user_id = state.auth.jwt.verify(&token).ok_or_else(|| {
                ApiError::Unauthorized("the access token is invalid or expired".into())
            })?;
            state
                .db(move |conn| auth_service::current_user(conn, user_id))
                .await?
        };
        if writes && !user.may_write() {
            return Err(ApiError::Forbidden(
                "this API token has the read scope: it may only read".into(),
            ));
        }
        Ok(Some(user))
    })
}

/// The caller behind an API token. Its last use is written down at most once a minute
/// per token, by a task of its own that the request does not wait for, so reads with a
/// token stay reads.
async fn api_token_caller(
    state: &web::Data<AppState>,
    token: String,
) -> Result<CurrentUser, ApiError> {
    let used = state
        .db(move |conn| auth_service::api_token_user(conn, &token))
        .await?;
    if let Some(id) = used.stale_use {
        if state.auth.api_token_uses.hit(&id.to_string()).is_ok() {
            let state = state.clone();
            actix_web::rt::spawn(async move {
                let recorded = state
                    .write_unseen(move |conn| auth_service::record_api_token_use(conn, id))
                    .await;
                if let Err(err) = recorded {
                    log::warn!("could not record the use of API token {id}: {err}");
                }
            });
        }
    }
    Ok(used.user)
}

impl FromRequest for Viewer {
    type Error = ApiError;
    type Future = Pending<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let pending = resolve(req);
        Box::pin(async move { pending.await.map(Viewer) })
    }
}

impl FromRequest for SignedIn {
    type Error = ApiError;
    type Future = Pending<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let pending = resolve(req);
        Box::pin(async move {
            pending
                .await?
                .map(SignedIn)
                .ok_or_else(|| ApiError::Unauthorized("sign in: this needs an access token".into()))
        })
    }
}

impl<R: MinimumRole + 'static> FromRequest for Require<R> {
    type Error = ApiError;
    type Future = Pending<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let signed_in = SignedIn::from_request(req, payload);
        Box::pin(async move {
            let SignedIn(user) = signed_in.await?;
            if user.is(R::ROLE) {
                Ok(Require(user, PhantomData))
            } else {
                Err(ApiError::Forbidden(format!(
                    "this needs the {} role or higher",
                    R::ROLE.as_str()
                )))
            }
        })
    }
}
