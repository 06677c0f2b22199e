//! URL slugs and the `{id_or_slug}` path parameter.

use std::fmt;

const MAX_LEN: usize = 100;

/// Lower-case ASCII letters, digits and single hyphens, 1–100 characters, not only
/// digits (so an all-digit path segment is always an id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub const RULE: &'static str = "must be 1-100 lower-case letters, digits and hyphens, not only digits, without leading, trailing or double hyphens";

    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let valid_chars = raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let valid = !raw.is_empty()
            && raw.len() <= MAX_LEN
            && valid_chars
            && !raw.starts_with('-')
            && !raw.ends_with('-')
            && !raw.contains("--")
            && !raw.bytes().all(|b| b.is_ascii_digit());
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Self::RULE)
        }
    }

    /// Parses the `slug` field of a request, recording a field error when it is invalid.
    pub fn field(raw: &str, errors: &mut Vec<crate::error::FieldError>) -> String {
        Self::parse(raw.trim()).map_or_else(
            |rule| {
                errors.push(crate::error::FieldError::new("slug", rule));
                String::new()
            },
            Self::into_inner,
        )
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A path segment naming a resource by numeric id or by slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdOrSlug {
    Id(i64),
    Slug(String),
}

impl IdOrSlug {
    pub fn parse(raw: &str) -> Self {
        match raw.parse::<i64>() {
            Ok(id) => Self::Id(id),
            Err(_) => Self::Slug(raw.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_accept_kebab_case_and_refuse_the_rest() {
        assert!(Slug::parse("pingxiang").is_ok());
        assert!(Slug::parse("city-2").is_ok());
        for bad in [
            "",
            "Pingxiang",
            "萍乡",
            "a--b",
            "-a",
            "a-",
            "123",
            "a b",
            &"a".repeat(101),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn all_digit_segments_are_ids() {
        assert_eq!(IdOrSlug::parse("42"), IdOrSlug::Id(42));
        assert_eq!(IdOrSlug::parse("news-42"), IdOrSlug::Slug("news-42".into()));
    }
}
