//! Account rules: validation, unique e-mails, and never losing the last admin.

use crate::auth::password::{self, PasswordHashing};
use crate::auth::repo as tokens;
use crate::db::{AnyConnection, write_transaction};
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::precondition::IfMatch;
use crate::domain::role::Role;
use crate::domain::stored::StoredEnum;
use crate::domain::{text, time};
use crate::error::{ApiError, FieldError};

use super::repo::{self, NewUserRow, UserChanges, UserRow};

pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub role: String,
}

pub struct UserUpdate {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub password: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
}

const DUPLICATE_EMAIL: &str = "an account with this e-mail already exists";

/// Hashes `password` ahead of the write when it meets the password rules, on the hashing
/// pool and holding no database connection; a password that breaks them is not hashed,
/// and `create` or `update` reports it together with the other fields.
pub async fn hash_if_valid(
    hashing: &PasswordHashing,
    password: Option<&str>,
) -> Result<Option<String>, ApiError> {
    match password.filter(|p| password_errors(p).is_empty()) {
        Some(password) => Ok(Some(
            hashing
                .hash_bounded(password.to_owned())
                .await
                .map_err(ApiError::internal)?,
        )),
        None => Ok(None),
    }
}

/// [`hash_if_valid`] on the calling thread, for the command line and the demo seed.
pub fn hash_now(hashing: &PasswordHashing, password: &str) -> Result<Option<String>, ApiError> {
    if !password_errors(password).is_empty() {
        return Ok(None);
    }
    hashing.hash(password).map(Some).map_err(ApiError::internal)
}

/// The hash handed in for a password that passed the rules.
fn hashed(password_hash: Option<String>) -> Result<String, ApiError> {
    password_hash
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a valid password was not hashed")))
}

fn check_password(password: &str, errors: &mut Vec<FieldError>) {
    errors.extend(password_errors(password));
}

fn password_errors(password: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let length = password.chars().count();
    if length < password::MIN_LENGTH {
        errors.push(FieldError::new(
            "password",
            format!("must be at least {} characters", password::MIN_LENGTH),
        ));
    } else if length > password::MAX_LENGTH {
        errors.push(FieldError::new(
            "password",
            format!("must be at most {} characters", password::MAX_LENGTH),
        ));
    }
    errors
}

fn parse_role(raw: &str, errors: &mut Vec<FieldError>) -> Role {
    Role::parse(raw).unwrap_or_else(|| {
        errors.push(FieldError::new(
            "role",
            format!("must be {}", Role::spellings()),
        ));
        Role::Reporter
    })
}

pub fn list(conn: &mut AnyConnection, page: PageRequest) -> Result<Paged<UserRow>, ApiError> {
    Ok(Paged::of(repo::list(conn, page)?, page))
}

pub fn get(conn: &mut AnyConnection, id: i64) -> Result<UserRow, ApiError> {
    repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("user"))
}

/// Creates an account; `password_hash` comes from [`hash_if_valid`] or [`hash_now`].
pub fn create(
    conn: &mut AnyConnection,
    new: NewUser,
    password_hash: Option<String>,
) -> Result<UserRow, ApiError> {
    let mut errors = Vec::new();
    let email = text::email("email", &new.email, &mut errors);
    let display_name = text::required("display_name", &new.display_name, 100, &mut errors);
    check_password(&new.password, &mut errors);
    let role = parse_role(&new.role, &mut errors);
    ApiError::check(errors)?;

    let now = time::now();
    let row = NewUserRow {
        email,
        display_name,
        password_hash: hashed(password_hash)?,
        role: role.as_str(),
        active: true,
    };
    write_transaction(conn, |conn| {
        repo::insert(conn, &row, now).map_err(ApiError::unique_as(DUPLICATE_EMAIL))
    })
}

/// [`create`], hashing on the calling thread: for the command line, the demo seed and
/// the start-up admin, where no request waits on a connection.
pub fn create_now(
    conn: &mut AnyConnection,
    hashing: &PasswordHashing,
    new: NewUser,
) -> Result<UserRow, ApiError> {
    let password_hash = hash_now(hashing, &new.password)?;
    create(conn, new, password_hash)
}

/// Changes an account; a new password's hash comes from [`hash_if_valid`].
pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    precondition: &IfMatch,
    update: UserUpdate,
    password_hash: Option<String>,
) -> Result<UserRow, ApiError> {
    let mut errors = Vec::new();
    let email = update
        .email
        .as_deref()
        .map(|e| text::email("email", e, &mut errors));
    let display_name = update
        .display_name
        .as_deref()
        .map(|n| text::required("display_name", n, 100, &mut errors));
    if let Some(password) = &update.password {
        check_password(password, &mut errors);
    }
    let role = update.role.as_deref().map(|r| parse_role(r, &mut errors));
    ApiError::check(errors)?;
    let password_hash = match &update.password {
        Some(_) => Some(hashed(password_hash)?),
        None => None,
    };

    write_transaction(conn, |conn| {
        let current = get(conn, id)?;
        precondition.check(current.version)?;
        let stays_admin = role.map_or(current.role == Role::Admin, |r| r == Role::Admin)
            && update.active.unwrap_or(current.active);
        if current.role == Role::Admin && current.active && !stays_admin {
            refuse_losing_last_admin(conn)?;
        }
        let signs_out = password_hash.is_some() || update.active == Some(false);
        let changes = UserChanges {
            email: email.clone(),
            display_name: display_name.clone(),
            password_hash: password_hash.clone(),
            role: role.map(Role::as_str),
            active: update.active,
        };
        let row = repo::update(conn, id, &changes, time::now())
            .map_err(ApiError::unique_as(DUPLICATE_EMAIL))?;
        if signs_out {
            tokens::revoke_all_for_user(conn, id, time::now())?;
        }
        Ok(row)
    })
}

pub fn delete(conn: &mut AnyConnection, id: i64, precondition: &IfMatch) -> Result<(), ApiError> {
    write_transaction(conn, |conn| {
        let current = get(conn, id)?;
        precondition.check(current.version)?;
        if current.role == Role::Admin && current.active {
            refuse_losing_last_admin(conn)?;
        }
        repo::delete(conn, id)?;
        Ok(())
    })
}

fn refuse_losing_last_admin(conn: &mut AnyConnection) -> Result<(), ApiError> {
    if repo::count_active_admins(conn)? <= 1 {
        return Err(ApiError::Conflict(
            "this is the last active admin; make another admin first".into(),
        ));
    }
    Ok(())
}

/// Creates the start-up admin when the database has no account at all. Returns whether
/// it did.
pub fn ensure_first_admin(
    conn: &mut AnyConnection,
    hashing: &PasswordHashing,
    email: &str,
    password: &str,
) -> Result<bool, ApiError> {
    if repo::count(conn)? > 0 {
        return Ok(false);
    }
    let new = NewUser {
        email: email.into(),
        display_name: "Administrator".into(),
        password: password.into(),
        role: Role::Admin.as_str().into(),
    };
    create_now(conn, hashing, new)?;
    Ok(true)
}
