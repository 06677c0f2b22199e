//! The precondition of a write: which versions of a resource the writer last saw.

use crate::error::ApiError;

/// The `If-Match` precondition of a write, read from the request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum IfMatch {
    /// No `If-Match` header: the write is unconditional.
    #[default]
    Absent,
    /// `If-Match: *`: the resource must exist, any version.
    Any,
    /// The versions named by the ETags sent; one must be current.
    Versions(Vec<i64>),
}

impl IfMatch {
    /// Reads `*` or a list of ETags. Anything that names no version of ours (another
    /// server's tag, or not a tag at all) can never match, so the write gets 412.
    pub fn parse(header_value: &str) -> Self {
        if header_value.trim() == "*" {
            return Self::Any;
        }
        let versions = header_value
            .split(',')
            .filter_map(|tag| {
                let tag = tag.trim().trim_start_matches("W/");
                let tag = tag.strip_prefix('"')?.strip_suffix('"')?;
                tag.strip_prefix('v')?.split('-').next()?.parse().ok()
            })
            .collect();
        Self::Versions(versions)
    }

    /// Fails with 412 unless `current` satisfies the precondition.
    pub fn check(&self, current: i64) -> Result<(), ApiError> {
        match self {
            Self::Absent | Self::Any => Ok(()),
            Self::Versions(versions) if versions.contains(&current) => Ok(()),
            Self::Versions(_) => Err(ApiError::PreconditionFailed(format!(
                "the resource has changed (now at version {current}); fetch it again and retry"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_reads_versions_from_our_etags() {
        let parse = IfMatch::parse;
        assert_eq!(
            parse("\"v3-abc\", \"v4-def\""),
            IfMatch::Versions(vec![3, 4])
        );
        assert_eq!(parse("*"), IfMatch::Any);
        assert!(parse("\"v3-abc\"").check(3).is_ok());
        assert!(parse("\"v3-abc\"").check(4).is_err());
        assert!(parse("\"garbage\"").check(1).is_err());
        assert!(parse("").check(1).is_err());
        assert!(parse("0").check(1).is_err());
    }
}
