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
pub struct LoginRequest {
    #[schema(example = "editor@example.com")]
    pub email: String,
    #[schema(write_only, example = "a long passphrase")]
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
pub struct RefreshRequest {
    #[schema(write_only)]
    pub refresh_token: String,
}

/// A fresh access token and the refresh token that replaces it when it expires.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    /// JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Works once, at `/auth/refresh`; keep it secret.
    pub refresh_token: String,
    pub user: UserOut,
}
