//! API-token rules: a name, a scope and an optional future expiry; the secret made here,
//! handed out once and kept only as its digest; revocation that keeps the row. Using a
//! token is resolved in `auth::service`, where every credential is.

use chrono::{DateTime, FixedOffset, SubsecRound};

use crate::db::{AnyConnection, write_transaction};
use crate::domain::enums::TokenScope;
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::role::CurrentUser;
use crate::domain::stored::StoredEnum;
use crate::domain::token::{api_token_hint, new_api_token, sha256_hex};
use crate::domain::{text, time};
use crate::error::{ApiError, FieldError};

use super::repo::{self, ApiTokenRow, NewApiTokenRow};

pub struct NewToken {
    pub name: String,
    pub scope: TokenScope,
    pub expires_at: Option<DateTime<FixedOffset>>,
}

/// A token just made, with its secret: the only time the secret exists outside the
/// client that receives it.
pub struct Issued {
    pub row: ApiTokenRow,
    pub secret: String,
}

pub fn list(conn: &mut AnyConnection, page: PageRequest) -> Result<Paged<ApiTokenRow>, ApiError> {
    Ok(Paged::of(repo::list(conn, page)?, page))
}

pub fn get(conn: &mut AnyConnection, id: i64) -> Result<ApiTokenRow, ApiError> {
    repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("API token"))
}

/// Makes a token for `admin`, recorded as its maker.
pub fn create(
    conn: &mut AnyConnection,
    admin: CurrentUser,
    new: NewToken,
) -> Result<Issued, ApiError> {
    let mut errors = Vec::new();
    let name = text::required("name", &new.name, 100, &mut errors);
    let now = time::now();
    let expires_at = new.expires_at.map(|t| t.naive_utc().trunc_subsecs(6));
    if expires_at.is_some_and(|t| t <= now) {
        errors.push(FieldError::new("expires_at", "must be in the future"));
    }
    ApiError::check(errors)?;

    let secret = new_api_token();
    let row = NewApiTokenRow {
        name,
        scope: new.scope.as_str(),
        token_hash: sha256_hex(secret.as_bytes()),
        hint: api_token_hint(&secret),
        created_by: admin.account_id(),
        expires_at,
    };
    let row = write_transaction(conn, |conn| Ok(repo::insert(conn, &row, now)?))?;
    Ok(Issued { row, secret })
}

/// Revokes a token at once: the next request that sends it is refused (401, "revoked").
/// It is gone from the API (404, no longer listed) like any deleted resource; its row
/// stays in the database, an audit record of who made it and when it was last used.
/// Revoking it again is a 404.
pub fn revoke(conn: &mut AnyConnection, id: i64) -> Result<(), ApiError> {
    write_transaction(conn, |conn| {
        get(conn, id)?;
        repo::revoke(conn, id, time::now())?;
        Ok(())
    })
}
