//! Wire shapes of signing in.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
