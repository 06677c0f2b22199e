//! Account roles, ordered by what they may do, and `CurrentUser`, the caller a request
//! is resolved to: an account or an API token.

use super::enums::TokenScope;
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

    #[test]
    fn an_api_token_is_an_editor_of_no_account_and_a_read_token_may_not_write() {
        for scope in [TokenScope::Read, TokenScope::Write] {
            let token = CurrentUser::api_token(scope);
            assert!(token.is(Role::Editor) && !token.is(Role::Admin));
            assert_eq!(token.account_id(), None);
            assert_eq!(token.limited_to_own(), None);
        }
        assert!(!CurrentUser::api_token(TokenScope::Read).may_write());
        assert!(CurrentUser::api_token(TokenScope::Write).may_write());
        let reporter = CurrentUser::account(7, Role::Reporter);
        assert_eq!(reporter.limited_to_own(), Some(7));
        assert!(reporter.may_write());
        assert_eq!(CurrentUser::account(8, Role::Editor).limited_to_own(), None);
    }
}

/// Who is making a request, as resolved for it: a signed-in account, or an API token.
///
/// An API token is its own principal, never the admin who made it: it has an editor's
/// role whatever its maker's, owns nothing, and is recorded as nobody where an
/// account's id would be (an article's `created_by`/`updated_by`, a revision's
/// `edited_by`), so no ownership rule can ever match it to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrentUser(Principal);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Principal {
    Account { id: i64, role: Role },
    ApiToken { scope: TokenScope },
}

impl CurrentUser {
    /// The account `id`, with its current `role`.
    pub fn account(id: i64, role: Role) -> Self {
        Self(Principal::Account { id, role })
    }

    /// An API token of `scope`.
    pub fn api_token(scope: TokenScope) -> Self {
        Self(Principal::ApiToken { scope })
    }

    /// The role whose rights apply: an API token's is always `editor`.
    pub fn role(&self) -> Role {
        match self.0 {
            Principal::Account { role, .. } => role,
            Principal::ApiToken { .. } => Role::Editor,
        }
    }

    pub fn is(&self, needed: Role) -> bool {
        self.role().at_least(needed)
    }

    /// The account acting, as recorded where a change names who made it; `None` for an
    /// API token.
    pub fn account_id(&self) -> Option<i64> {
        match self.0 {
            Principal::Account { id, .. } => Some(id),
            Principal::ApiToken { .. } => None,
        }
    }

    /// The account whose own things alone this caller may reach (a reporter's drafts,
    /// tips assigned to them); `None` for editors and up, API tokens included, who
    /// reach everything.
    pub fn limited_to_own(&self) -> Option<i64> {
        match self.0 {
            Principal::Account { id, role } if !role.at_least(Role::Editor) => Some(id),
            _ => None,
        }
    }

    /// Whether this caller may write at all: everyone but a `read` API token. Applied
    /// once, where every request's caller is resolved (`http::auth`), so no handler
    /// can forget it.
    pub fn may_write(&self) -> bool {
        !matches!(
            self.0,
            Principal::ApiToken {
                scope: TokenScope::Read
            }
        )
    }
}
