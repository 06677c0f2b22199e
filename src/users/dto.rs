//! Wire shapes of accounts.

use crate::http::input::present;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::repo::UserRow;
use super::service::{NewUser, UserUpdate};
use crate::domain::role::Role;
use crate::domain::time::{self, to_utc};

/// An account. The password hash never leaves the server.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = UserOut::example)]
pub struct UserOut {
    #[schema(read_only)]
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// Deactivated accounts cannot sign in.
    pub active: bool,
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    #[schema(read_only)]
    pub updated_at: DateTime<Utc>,
    /// Increments on every change; the ETag carries it.
    #[schema(read_only)]
    pub version: i64,
}

impl From<UserRow> for UserOut {
    fn from(row: UserRow) -> Self {
        Self {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            // The CHECK constraint admits only the three names; fall back to the least right.
            role: row.role,
            active: row.active,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
            version: row.version,
        }
    }
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "email": "wang-min@example.com",
    "display_name": "王敏",
    "password": "a long passphrase",
    "role": "reporter"
}))]
pub struct CreateUser {
    pub email: String,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub display_name: String,
    /// At least 8 characters.
    #[schema(write_only, min_length = 8, max_length = 1024)]
    pub password: String,
    #[schema(value_type = Role)]
    pub role: String,
}

impl From<CreateUser> for NewUser {
    fn from(dto: CreateUser) -> Self {
        Self {
            email: dto.email,
            display_name: dto.display_name,
            password: dto.password,
            role: dto.role,
        }
    }
}

/// Changes to an account; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "萍乡值班编辑"}))]
pub struct UpdateUser {
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, min_length = 1, max_length = 100, pattern = r"\S")]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, write_only, min_length = 8, max_length = 1024)]
    pub password: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, value_type = Option<Role>)]
    pub role: Option<String>,
    /// `false` deactivates the account and signs it out everywhere.
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
}

impl From<UpdateUser> for UserUpdate {
    fn from(dto: UpdateUser) -> Self {
        Self {
            email: dto.email,
            display_name: dto.display_name,
            password: dto.password,
            role: dto.role,
            active: dto.active,
        }
    }
}

// The document's example: the demo's editor, the account `seed-demo` makes and prints
// the sign-in of (tests/api/examples.rs holds it to the demo).

impl UserOut {
    pub(crate) fn example() -> Self {
        Self {
            id: 1,
            email: "demo-editor@example.com".into(),
            display_name: "演示编辑".into(),
            role: Role::Editor,
            active: true,
            created_at: time::example(0),
            updated_at: time::example(0),
            version: 1,
        }
    }
}
