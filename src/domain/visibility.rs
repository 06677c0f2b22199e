//! Who may read which articles: the one place that decides it.

use super::role::CurrentUser;

/// Which content a reader may see. For articles: "Public" means `published` or `scheduled` with
/// `published_at` at or before now, evaluated at read time, so scheduled articles appear
/// by themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Anonymous readers: public articles only.
    Public,
    /// Reporters: public articles and everything they created.
    PublicOrOwn(i64),
    /// Editors and admins: everything (inactive tip lines included).
    Everything,
}

impl Visibility {
    pub fn of(viewer: Option<CurrentUser>) -> Self {
        match viewer {
            None => Self::Public,
            Some(user) => user
                .limited_to_own()
                .map_or(Self::Everything, Self::PublicOrOwn),
        }
    }

    /// Whether unpublished configuration (inactive tip lines) is visible too.
    pub fn sees_everything(self) -> bool {
        self == Self::Everything
    }
}
