//! Account roles, ordered by what they may do.

use super::stored::stored_enum;

stored_enum! {
    /// `admin` (everything, accounts included) > `editor` (all content, publishing,
    /// moderation) > `reporter` (writes and edits own drafts).
    #[derive(PartialOrd, Ord)]
    pub enum Role in "users.role" {
        Reporter,
        Editor,
        Admin,
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
    use crate::domain::stored::StoredEnum;

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
