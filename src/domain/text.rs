//! Plain-text field rules shared by every resource.

use crate::error::FieldError;

/// Trims `raw` and checks it holds 1..=`max` characters; records a field error otherwise.
pub fn required(field: &str, raw: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let value = raw.trim();
    if value.is_empty() {
        errors.push(FieldError::new(field, "must not be empty"));
    } else if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    value.to_owned()
}

/// Like [`required`] for an optional field: blank becomes `None`.
pub fn optional(
    field: &str,
    raw: Option<&str>,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let value = raw.map(str::trim).filter(|v| !v.is_empty())?;
    if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Some(value.to_owned())
}

/// A syntactically plausible e-mail address, lower-cased: one `@`, a dotted domain, no spaces.
pub fn email(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> String {
    let value = raw.trim().to_lowercase();
    let plausible = value.len() <= 254
        && !value.chars().any(char::is_whitespace)
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if !plausible {
        errors.push(FieldError::new(
            field,
            "must be an e-mail address such as name@example.com",
        ));
    }
    value
}

/// An optional absolute http(s) URL of at most 2,000 characters.
pub fn optional_url(
    field: &str,
    raw: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let value = raw.map(str::trim).filter(|v| !v.is_empty())?;
    let lower = value.to_ascii_lowercase();
    let host_start = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .filter(|rest| !rest.is_empty() && !rest.starts_with('/'));
    if host_start.is_none()
        || value.len() > 2000
        || value.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        errors.push(FieldError::new(field, "must be an http:// or https:// URL"));
    }
    Some(value.to_owned())
}
