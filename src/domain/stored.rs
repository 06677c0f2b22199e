//! Closed sets of values kept in text columns (statuses, roles, kinds): one spelling for
//! the database, the API and messages, converted where rows are read and written.
//!
//! A stored value that names no variant is a corrupt row. Reading it is an error that
//! names the column, never a silent default: a damaged status must not turn an article
//! into a draft, nor a damaged role an admin into a reporter.

use std::fmt;

/// A text-stored enum; declare one with [`stored_enum!`]. Read rows carry the enum itself
/// through `#[diesel(deserialize_as = String)]`; write rows take [`StoredEnum::as_str`].
pub trait StoredEnum: Copy + Eq + Into<&'static str> + strum::VariantArray + 'static {
    /// Where the value is stored, `table.column`, for the error a corrupt row gives.
    const COLUMN: &'static str;

    fn as_str(self) -> &'static str {
        self.into()
    }

    /// The variant spelled `raw`, if any.
    fn parse(raw: &str) -> Option<Self> {
        Self::VARIANTS.iter().copied().find(|v| v.as_str() == raw)
    }

    /// Reads a stored value; an unknown one is an error naming the column.
    fn from_stored(raw: String) -> Result<Self, UnknownStoredValue> {
        Self::parse(&raw).ok_or(UnknownStoredValue {
            column: Self::COLUMN,
            value: raw,
        })
    }

    /// Every spelling, as `a, b or c`, for validation messages.
    fn spellings() -> String {
        let names: Vec<&str> = Self::VARIANTS.iter().map(|v| v.as_str()).collect();
        match names.split_last() {
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

/// Declares a text-stored enum and the column that keeps it: one spelling (snake case)
/// for serde, OpenAPI and the database, every variant listed by strum so none can be
/// forgotten, and `TryFrom<String>` for diesel's `deserialize_as`. Extra derives (such as
/// an order) go in an attribute before `enum`.
macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident in $column:literal { $($variant:ident),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            serde::Serialize,
            serde::Deserialize,
            utoipa::ToSchema,
            strum::IntoStaticStr,
            strum::VariantArray,
        )]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        $vis enum $name {
            $($variant),+
        }

        impl $crate::domain::stored::StoredEnum for $name {
            const COLUMN: &'static str = $column;
        }

        impl TryFrom<String> for $name {
            type Error = $crate::domain::stored::UnknownStoredValue;

            fn try_from(raw: String) -> Result<Self, Self::Error> {
                <Self as $crate::domain::stored::StoredEnum>::from_stored(raw)
            }
        }
    };
}

pub(crate) use stored_enum;

/// A stored value that names no variant: the row is corrupt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStoredValue {
    pub column: &'static str,
    pub value: String,
}

impl fmt::Display for UnknownStoredValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} holds an unknown value {:?}", self.column, self.value)
    }
}

impl std::error::Error for UnknownStoredValue {}

#[cfg(test)]
mod tests {
    use super::*;

    stored_enum! {
        enum Colour in "paints.colour" { Red, DarkBlue }
    }

    #[test]
    fn spellings_round_trip_and_unknown_values_name_their_column() {
        assert_eq!(Colour::DarkBlue.as_str(), "dark_blue");
        assert_eq!(Colour::parse("dark_blue"), Some(Colour::DarkBlue));
        assert_eq!(Colour::parse("Red"), None);
        assert_eq!(Colour::spellings(), "red or dark_blue");
        let err = Colour::from_stored("purple".into()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "paints.colour holds an unknown value \"purple\""
        );
    }
}
