//! Wire shapes of signing in.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::password;
use crate::domain::text::EMAIL_MAX_CHARS;
use crate::error::{ApiError, FieldError};
use crate::users::dto::UserOut;

/// E-mail and password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "demo-editor@example.com", "password": "5e0c1f3a9b7d2e48"}))]
pub struct LoginRequest {
    pub email: String,
    #[schema(write_only)]
    pub password: String,
}

impl LoginRequest {
    /// Refuses credentials no account can have (an e-mail longer than any address, a
    /// password longer than any account may set) before the failed-login limiter keeps
    /// them as keys or the hasher spends time on them: 422 naming the field, as a form
    /// shows it beside the field. It says nothing about any account, since these bounds
    /// are the same for all.
    pub fn check_bounds(&self) -> Result<(), ApiError> {
        let mut errors = Vec::new();
        if self.email.chars().count() > EMAIL_MAX_CHARS {
            errors.push(FieldError::new(
                "email",
                format!("must be at most {EMAIL_MAX_CHARS} characters"),
            ));
        }
        // Counting characters as account creation does, after a byte bound that makes
        // the count cheap: a character is at most four bytes.
        if self.password.len() > password::MAX_LENGTH * 4
            || self.password.chars().count() > password::MAX_LENGTH
        {
            errors.push(FieldError::new(
                "password",
                format!("must be at most {} characters", password::MAX_LENGTH),
            ));
        }
        ApiError::check(errors)
    }
}

/// A refresh token, to exchange or to revoke.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": EXAMPLE_REFRESH_TOKEN}))]
pub struct RefreshRequest {
    #[schema(write_only)]
    pub refresh_token: String,
}

/// A fresh access token and the refresh token that replaces it when it expires.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = TokenPair::example)]
pub struct TokenPair {
    /// JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Works once, at `/auth/refresh`; keep it secret.
    pub refresh_token: String,
    pub user: UserOut,
}

// The document's examples: the demo editor signing in (with a password of the shape
// `seed-demo` prints, which differs on every run), and the refresh token of that answer
// sent back.

/// The refresh token the `TokenPair` example hands out and `RefreshRequest` sends back.
const EXAMPLE_REFRESH_TOKEN: &str =
    "5cb742ef10e7d9f6ca50deed2ad9c83d2fa59d2223e4c28e67109d180a75f919";

impl TokenPair {
    fn example() -> Self {
        Self {
            access_token: concat!(
                "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.",
                "eyJzdWIiOiIxIiwiaXNzIjoibmV3c2Rlc2siLCJpYXQiOjE3NzI0MTUwMDAsIm5iZiI6MTc3MjQxNTAwMCwiZXhwIjoxNzcyNDE1OTAwfQ.",
                "cfKb1FpJRLTr9vQyaXbEnqaPrEGiPS1W_1EzjrLynZs"
            )
            .into(),
            token_type: "Bearer",
            expires_in: 900,
            refresh_token: EXAMPLE_REFRESH_TOKEN.into(),
            user: UserOut::example(),
        }
    }
}
