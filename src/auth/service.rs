//! Authentication rules: login with failure limits, refresh-token rotation with reuse
//! detection, logout, and resolving an access token to its account.

use chrono::Duration;

use super::jwt::JwtKeys;
use super::password::PasswordHashing;
use super::repo::{self, NewRefreshTokenRow};
use crate::config::Config;
use crate::db::{AnyConnection, write_transaction};
use crate::domain::role::CurrentUser;
use crate::domain::time;
use crate::domain::token::{random_hex, sha256_hex};
use crate::error::ApiError;
use crate::rate_limit::RateLimiter;
use crate::users::repo::{self as users, UserRow};

const BAD_CREDENTIALS: &str = "the e-mail or password is wrong";
const BAD_REFRESH: &str = "the refresh token is invalid, expired or already used";

/// Token keys, password hashing and the failed-login counters, shared by all workers.
pub struct Authenticator {
    pub jwt: JwtKeys,
    pub passwords: PasswordHashing,
    failed_logins_by_client: RateLimiter,
    failed_logins_by_account: RateLimiter,
    refresh_lifetime: Duration,
}

impl Authenticator {
    pub fn new(config: &Config) -> Result<Self, argon2::Error> {
        Ok(Self {
            jwt: JwtKeys::new(&config.jwt_secret, config.access_token_seconds),
            passwords: PasswordHashing::new(config.password_cost)?,
            failed_logins_by_client: RateLimiter::per_minute(config.login_attempts_per_minute),
            failed_logins_by_account: RateLimiter::per_minute(config.login_attempts_per_minute),
            refresh_lifetime: Duration::days(config.refresh_token_days),
        })
    }
}

/// A signed-in session as handed to the client.
pub struct Session {
    pub access_token: String,
    pub expires_in: i64,
    pub refresh_token: String,
    pub user: UserRow,
}

pub fn login(
    conn: &mut AnyConnection,
    auth: &Authenticator,
    email: &str,
    password: &str,
    client: &str,
) -> Result<Session, ApiError> {
    let email = email.trim().to_lowercase();
    let client_key = format!("client:{client}");
    let account_key = format!("account:{email}");
    auth.failed_logins_by_client.check(&client_key)?;
    auth.failed_logins_by_account.check(&account_key)?;

    let user = users::find_by_email(conn, &email)?;
    let verified = match &user {
        Some(user) => auth.passwords.verify(password, &user.password_hash),
        None => {
            auth.passwords.verify_nothing(password);
            false
        }
    };
    let user = match user {
        Some(user) if verified => user,
        _ => {
            auth.failed_logins_by_client.record(&client_key);
            auth.failed_logins_by_account.record(&account_key);
            return Err(ApiError::Unauthorized(BAD_CREDENTIALS.into()));
        }
    };
    if !user.active {
        return Err(ApiError::Unauthorized("this account is deactivated".into()));
    }
    write_transaction(conn, |conn| {
        repo::delete_expired_for_user(conn, user.id, time::now())?;
        let family = random_hex(16);
        start_session(conn, auth, user.clone(), &family)
    })
}

/// Issues an access token and a new refresh token of `family`.
fn start_session(
    conn: &mut AnyConnection,
    auth: &Authenticator,
    user: UserRow,
    family: &str,
) -> Result<Session, ApiError> {
    let refresh_token = random_hex(32);
    let now = time::now();
    repo::insert(
        conn,
        &NewRefreshTokenRow {
            user_id: user.id,
            family,
            token_hash: &sha256_hex(refresh_token.as_bytes()),
            expires_at: now + auth.refresh_lifetime,
            created_at: now,
        },
    )?;
    let access_token = auth.jwt.issue(user.id).map_err(ApiError::internal)?;
    Ok(Session {
        access_token,
        expires_in: auth.jwt.lifetime_seconds,
        refresh_token,
        user,
    })
}

/// Exchanges a refresh token for a new pair. A token presented a second time means it
/// leaked: the whole family it belongs to is revoked.
pub fn refresh(
    conn: &mut AnyConnection,
    auth: &Authenticator,
    token: &str,
) -> Result<Session, ApiError> {
    enum Outcome {
        Renewed(Box<Session>),
        Reused,
        Invalid,
    }
    let outcome = write_transaction(conn, |conn| {
        let now = time::now();
        let Some(row) = repo::find_by_hash(conn, &sha256_hex(token.as_bytes()))? else {
            return Ok(Outcome::Invalid);
        };
        if row.used_at.is_some() || row.revoked_at.is_some() {
            repo::revoke_family(conn, &row.family, now)?;
            return Ok(Outcome::Reused);
        }
        if row.expires_at <= now {
            return Ok(Outcome::Invalid);
        }
        let Some(user) = users::find(conn, row.user_id)?.filter(|u| u.active) else {
            return Ok(Outcome::Invalid);
        };
        repo::mark_used(conn, row.id, now)?;
        start_session(conn, auth, user, &row.family).map(|s| Outcome::Renewed(Box::new(s)))
    })?;
    match outcome {
        Outcome::Renewed(session) => Ok(*session),
        Outcome::Reused => {
            log::warn!("a used refresh token was presented again; its session family is revoked");
            Err(ApiError::Unauthorized(BAD_REFRESH.into()))
        }
        Outcome::Invalid => Err(ApiError::Unauthorized(BAD_REFRESH.into())),
    }
}

/// Revokes the session `token` belongs to, if it is the caller's. Unknown tokens are
/// ignored, so logging out twice is harmless.
pub fn logout(conn: &mut AnyConnection, user: CurrentUser, token: &str) -> Result<(), ApiError> {
    write_transaction(conn, |conn| {
        if let Some(row) = repo::find_by_hash(conn, &sha256_hex(token.as_bytes()))? {
            if row.user_id == user.id {
                repo::revoke_family(conn, &row.family, time::now())?;
            }
        }
        Ok(())
    })
}

/// The account behind a verified access token; deactivated or deleted accounts are 401.
pub fn current_user(conn: &mut AnyConnection, user_id: i64) -> Result<CurrentUser, ApiError> {
    let user = users::find(conn, user_id)?
        .filter(|u| u.active)
        .ok_or_else(|| {
            ApiError::Unauthorized("the account behind this token is gone or deactivated".into())
        })?;
    Ok(CurrentUser {
        id: user.id,
        role: user.role,
    })
}

/// The signed-in account's full record.
pub fn me(conn: &mut AnyConnection, user: CurrentUser) -> Result<UserRow, ApiError> {
    users::find(conn, user.id)?.ok_or_else(|| ApiError::not_found("user"))
}
