//! Account roles, ordered by what they may do.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::stored::{StoredEnum, UnknownStoredValue};

/// `admin` (everything, accounts included) > `editor` (all content, publishing,
/// moderation) > `reporter` (writes and edits own drafts).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    Reporter,
    Editor,
    Admin,
}

impl StoredEnum for Role {
    const COLUMN: &'static str = "users.role";
}

impl TryFrom<String> for Role {
    type Error = UnknownStoredValue;

    fn try_from(raw: String) -> Result<Self, UnknownStoredValue> {
        Self::from_stored(raw)
    }
}

impl Role {
    /// Whether this role has at least the rights of `needed`.
    pub fn at_least(self, needed: Role) -> bool {
        self >= needed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_by_rights() {
        assert!(Role::Admin.at_least(Role::Editor));
        assert!(Role::Editor.at_least(Role::Reporter));
        assert!(!Role::Reporter.at_least(Role::Editor));
        assert_eq!(Role::parse("editor"), Some(Role::Editor));
        assert_eq!(Role::parse("Editor"), None);
    }
}

/// The signed-in account making a request, as loaded from the database for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrentUser {
    pub id: i64,
    pub role: Role,
}

impl CurrentUser {
    pub fn is(&self, needed: Role) -> bool {
        self.role.at_least(needed)
    }
}
