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

/// The longest e-mail address there can be (RFC 5321's path limit, less its brackets).
pub const EMAIL_MAX_BYTES: usize = 254;

/// A syntactically plausible e-mail address, lower-cased: one `@`, a dotted domain, no spaces.
pub fn email(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> String {
    let value = raw.trim().to_lowercase();
    let plausible = value.len() <= EMAIL_MAX_BYTES
        && !value.chars().any(hidden_or_blank)
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

/// Characters a link or an address never shows: whitespace, control characters, and the
/// invisible Unicode format characters that reorder or hide text (bidi embeddings,
/// overrides, isolates and marks, zero-width characters), with which `gpj.exe` displays
/// as `exe.jpg`.
pub fn hidden_or_blank(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
        )
}

/// An optional absolute `http`/`https` URL of at most 2,000 characters, with a host and
/// no user name or password, and nothing hidden or blank in it. Stored as given (trimmed).
pub fn optional_url(
    field: &str,
    raw: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let value = raw.map(str::trim).filter(|v| !v.is_empty())?;
    if !is_web_url(value) {
        errors.push(FieldError::new(field, "must be an http:// or https:// URL"));
    }
    Some(value.to_owned())
}

fn is_web_url(value: &str) -> bool {
    if value.len() > 2000 || value.chars().any(hidden_or_blank) {
        return false;
    }
    // The URL parser forgives `https:/host` and `https:///host`; a stored link must not
    // need forgiving.
    let lower = value.to_ascii_lowercase();
    let spelled_out = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
    spelled_out
        && url::Url::parse(value).is_ok_and(|url| {
            matches!(url.scheme(), "http" | "https")
                && url.host_str().is_some_and(|host| !host.is_empty())
                && url.username().is_empty()
                && url.password().is_none()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_ok(raw: &str) -> bool {
        let mut errors = Vec::new();
        optional_url("url", Some(raw), &mut errors);
        errors.is_empty()
    }

    #[test]
    fn web_urls_are_plain_absolute_http_urls() {
        for good in [
            "https://epaper.example.com/2022-07-20/01",
            "HTTP://Example.com/a.jpg?w=640#top",
            "https://例子.测试/图片.jpg",
            "http://127.0.0.1:8080/a",
        ] {
            assert!(url_ok(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "https://example.com/\u{202E}gpj.exe",
            "https://example.com/\u{200B}",
            "https://example.com/\u{FEFF}",
            "https://example.com/a\nb",
            "https:///host",
            "https:/host",
            "https://user@host/",
            "https://:pw@host/",
            "http://[::1/",
        ] {
            assert!(!url_ok(bad), "{bad:?}");
        }
    }
}
