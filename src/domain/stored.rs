//! Closed sets of values kept in text columns (statuses, roles, kinds): one spelling for
//! the database, the API and messages, converted where rows are read and written.
//!
//! A stored value that names no variant is a corrupt row. Reading it is an error that
//! names the column, never a silent default: a damaged status must not turn an article
//! into a draft, nor a damaged role an admin into a reporter.

use std::fmt;

/// A text-stored enum. Derive `strum::IntoStaticStr` and `strum::VariantArray` with
/// `#[strum(serialize_all = "snake_case")]` (the same spelling as serde's), name the
/// column, and add `TryFrom<String>` through [`StoredEnum::from_stored`] so diesel rows
/// can carry the enum itself (`#[diesel(deserialize_as = String, serialize_as = &'static str)]`).
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

    #[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
    #[strum(serialize_all = "snake_case")]
    enum Colour {
        Red,
        DarkBlue,
    }

    impl StoredEnum for Colour {
        const COLUMN: &'static str = "paints.colour";
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
