//! Who is calling: `Viewer` (anyone, possibly signed in), `SignedIn` and
//! `Require<Role>`. A token that is sent but invalid is always a 401, never ignored.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};

use crate::auth::service as auth_service;
use crate::domain::role::{CurrentUser, Role};
use crate::domain::stored::StoredEnum;
use crate::error::ApiError;

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
                "the Authorization header must be `Bearer <access token>`".into(),
            )
        })?;
    Ok(Some(token.to_owned()))
}

/// Resolves the caller: `None` without a token, the account for a valid one, 401 else.
fn resolve(req: &HttpRequest) -> Pending<Option<CurrentUser>> {
    let token = bearer_token(req);
    let state = super::app_state(req);
    Box::pin(async move {
        let Some(token) = token? else {
            return Ok(None);
        };
        let state = state?;
        let user_id = state.auth.jwt.verify(&token).ok_or_else(|| {
            ApiError::Unauthorized("the access token is invalid or expired".into())
        })?;
        let user = state
            .db(move |conn| auth_service::current_user(conn, user_id))
            .await?;
        Ok(Some(user))
    })
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
