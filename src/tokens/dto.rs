//! Wire shapes of API tokens.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::repo::ApiTokenRow;
use super::service::{Issued, NewToken};
use crate::domain::enums::TokenScope;
use crate::domain::time::{self, to_utc};

/// An API token as listed and read: never its secret.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = TokenOut::example)]
pub struct TokenOut {
    #[schema(read_only)]
    pub id: i64,
    /// What the token is for, such as the integration that holds it.
    pub name: String,
    pub scope: TokenScope,
    /// The token's first characters, to recognise it by; not enough to use it.
    pub hint: String,
    /// The admin who made it (`null` once their account is deleted); the token does not
    /// act as them.
    #[schema(required)]
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    /// When it stops working; `null`: never.
    #[schema(required)]
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was last used, to the minute; `null`: never.
    #[schema(required)]
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<ApiTokenRow> for TokenOut {
    fn from(row: ApiTokenRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            scope: row.scope,
            hint: row.hint,
            created_by: row.created_by,
            created_at: to_utc(row.created_at),
            expires_at: row.expires_at.map(to_utc),
            last_used_at: row.last_used_at.map(to_utc),
        }
    }
}

/// A token just made, with its secret. This is the only answer that ever holds the
/// secret: the server keeps only a digest of it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = TokenCreated::example)]
pub struct TokenCreated {
    #[serde(flatten)]
    pub token: TokenOut,
    /// The secret, shown this once: send it as `Authorization: Bearer nd_…`.
    pub secret: String,
}

impl From<Issued> for TokenCreated {
    fn from(issued: Issued) -> Self {
        Self {
            token: issued.row.into(),
            secret: issued.secret,
        }
    }
}

/// A new API token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "前端构建服务器", "scope": "read"}))]
pub struct CreateToken {
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// `read`: what an editor may read, drafts included (for previews and builds), and
    /// no writes; `write`: an editor's rights.
    pub scope: TokenScope,
    /// When it stops working, in the future; absent or `null`: never.
    pub expires_at: Option<DateTime<FixedOffset>>,
}

impl From<CreateToken> for NewToken {
    fn from(dto: CreateToken) -> Self {
        Self {
            name: dto.name,
            scope: dto.scope,
            expires_at: dto.expires_at,
        }
    }
}

// The document's examples. The demo newsroom has no API token (tokens are made by an
// admin, and `seed-demo` makes none), so these show one an admin made for a front end's
// build server. The secret is shortened: a whole one would look like a leak to secret
// scanners reading the document.

impl TokenOut {
    fn example() -> Self {
        Self {
            id: 1,
            name: "前端构建服务器".into(),
            scope: TokenScope::Read,
            hint: "nd_3f9a1c".into(),
            created_by: Some(1),
            created_at: time::example(0),
            expires_at: None,
            last_used_at: Some(time::example(2)),
        }
    }
}

impl TokenCreated {
    fn example() -> Self {
        Self {
            token: TokenOut {
                last_used_at: None,
                ..TokenOut::example()
            },
            secret: "nd_3f9a1c…".into(),
        }
    }
}
