//! Authentication rules: login with failure limits, refresh-token rotation with reuse
//! detection, logout, and resolving a credential to its caller: an access token to its
//! account, an API token to itself.

use chrono::Duration;
use subtle::ConstantTimeEq;

use super::jwt::JwtKeys;
use super::password::PasswordHashing;
use super::repo::{self, NewRefreshTokenRow};
use crate::config::Config;
use crate::db::{AnyConnection, write_transaction};
use crate::domain::role::CurrentUser;
use crate::domain::time;
use crate::domain::token::{random_hex, sha256_hex};
use crate::error::ApiError;
use crate::rate_limit::{RateLimiter, Reservation};
use crate::tokens::repo as api_tokens;
use crate::users::repo::{self as users, UserRow};

const BAD_CREDENTIALS: &str = "the e-mail or password is wrong";
const BAD_REFRESH: &str = "the refresh token is invalid, expired or already used";

/// An API token's `last_used_at` is written at most this often, so that reads with a
/// token do not each write.
pub const LAST_USED_RESOLUTION: Duration = Duration::minutes(1);

/// Token keys, password hashing and the failed-login counters, shared by all workers.
pub struct Authenticator {
    pub jwt: JwtKeys,
    pub passwords: PasswordHashing,
    pub failed_logins_by_client: RateLimiter,
    pub failed_logins_by_account: RateLimiter,
    /// The API tokens whose last use this process wrote down within the last minute, so
    /// a burst of requests with one token writes once (see [`api_token_user`]).
    pub api_token_uses: RateLimiter,
    refresh_lifetime: Duration,
}

impl Authenticator {
    pub fn new(config: &Config) -> Result<Self, anyhow::Error> {
        let failed_logins = || {
            RateLimiter::per_minute(config.login_attempts_per_minute, config.rate_limit_max_keys)
        };
        Ok(Self {
            jwt: JwtKeys::new(&config.jwt_secret, config.access_token_seconds),
            passwords: PasswordHashing::new(
                config.password_cost,
                config.password_hashing_concurrency,
            )?,
            failed_logins_by_client: failed_logins(),
            failed_logins_by_account: failed_logins(),
            api_token_uses: RateLimiter::new(
                1,
                LAST_USED_RESOLUTION.to_std()?,
                config.rate_limit_max_keys,
            ),
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

/// A sign-in under way. Starting one counts it against both failed-login limits at
/// once (per client, and per account from that client), so parallel attempts can never
/// outrun a limit; the count is given back only when the password proves right. An
/// attempt abandoned half-way stays counted.
///
/// Signing in is three steps, so that no database connection is held while argon2
/// runs: [`find_account`], [`LoginAttempt::check`], [`open_session`].
pub struct LoginAttempt {
    email: String,
    by_client: Reservation,
    by_account: Reservation,
}

impl LoginAttempt {
    /// 429 when `client`, or `client` on this account, has used up its failures.
    ///
    /// The account limit is kept per client: a flood against one account from one
    /// address locks out that address, not the owner signing in from elsewhere.
    pub fn start(auth: &Authenticator, email: &str, client: &str) -> Result<Self, ApiError> {
        let email = email.trim().to_lowercase();
        let by_client = auth
            .failed_logins_by_client
            .reserve(&format!("client:{client}"))?;
        // The client's length first, so no pair of client and e-mail spells another.
        let account_key = format!("account:{}:{client}:{email}", client.len());
        match auth.failed_logins_by_account.reserve(&account_key) {
            Ok(by_account) => Ok(Self {
                email,
                by_client,
                by_account,
            }),
            Err(refused) => {
                auth.failed_logins_by_client.release(by_client);
                Err(refused)
            }
        }
    }

    /// The e-mail address as accounts store it.
    pub fn email(&self) -> &str {
        &self.email
    }

    /// Checks `password` against `account`, or against the stand-in hash when no
    /// account matched, so both cost the same; the right password gives the attempt
    /// back to both limits.
    pub async fn check(
        self,
        auth: &Authenticator,
        password: String,
        account: Option<UserRow>,
    ) -> Result<UserRow, ApiError> {
        let stored = account.as_ref().map(|user| user.password_hash.clone());
        let verified = auth
            .passwords
            .check_bounded(password, stored)
            .await
            .map_err(ApiError::internal)?;
        let user = match account {
            Some(user) if verified => user,
            _ => return Err(ApiError::Unauthorized(BAD_CREDENTIALS.into())),
        };
        auth.failed_logins_by_client.release(self.by_client);
        auth.failed_logins_by_account.release(self.by_account);
        if !user.active {
            return Err(ApiError::Unauthorized("this account is deactivated".into()));
        }
        Ok(user)
    }
}

/// The account signing in with `email`, if there is one.
pub fn find_account(conn: &mut AnyConnection, email: &str) -> Result<Option<UserRow>, ApiError> {
    Ok(users::find_by_email(conn, email)?)
}

/// Starts a session for `user`, whose password was just checked.
pub fn open_session(
    conn: &mut AnyConnection,
    auth: &Authenticator,
    user: UserRow,
) -> Result<Session, ApiError> {
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
            if Some(row.user_id) == user.account_id() {
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
    Ok(CurrentUser::account(user.id, user.role))
}

/// The signed-in account's full record.
pub fn me(conn: &mut AnyConnection, user: CurrentUser) -> Result<UserRow, ApiError> {
    let id = user
        .account_id()
        .ok_or_else(|| ApiError::Forbidden("an API token is not an account".into()))?;
    users::find(conn, id)?.ok_or_else(|| ApiError::not_found("user"))
}

/// A request's API token, resolved.
pub struct ApiTokenUse {
    pub user: CurrentUser,
    /// The token's id when its `last_used_at` is older than [`LAST_USED_RESOLUTION`]
    /// (or unset): then [`record_api_token_use`] should run.
    pub stale_use: Option<i64>,
}

/// The caller behind an API token (`nd_…`): the token itself, never the admin who made
/// it. It is looked up by its digest on every request, so a revocation or an expiry
/// applies at once; unknown, expired and revoked tokens are 401.
pub fn api_token_user(conn: &mut AnyConnection, token: &str) -> Result<ApiTokenUse, ApiError> {
    let digest = sha256_hex(token.as_bytes());
    let row = api_tokens::find_by_hash(conn, &digest)?
        .filter(|row| bool::from(row.token_hash.as_bytes().ct_eq(digest.as_bytes())))
        .ok_or_else(|| ApiError::Unauthorized("the API token is not valid".into()))?;
    let now = time::now();
    if row.revoked_at.is_some() {
        return Err(ApiError::Unauthorized("the API token was revoked".into()));
    }
    if row.expires_at.is_some_and(|at| at <= now) {
        return Err(ApiError::Unauthorized("the API token has expired".into()));
    }
    let stale = row
        .last_used_at
        .is_none_or(|at| now - at >= LAST_USED_RESOLUTION);
    Ok(ApiTokenUse {
        user: CurrentUser::api_token(row.scope),
        stale_use: stale.then_some(row.id),
    })
}

/// Writes down that the API token `id` was used now, unless another request (or node)
/// already did within [`LAST_USED_RESOLUTION`].
pub fn record_api_token_use(conn: &mut AnyConnection, id: i64) -> Result<(), ApiError> {
    let now = time::now();
    write_transaction(conn, |conn| {
        api_tokens::touch(conn, id, now, now - LAST_USED_RESOLUTION)?;
        Ok(())
    })
}
