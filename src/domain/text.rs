//! Plain-text field rules shared by every resource.

use crate::error::FieldError;

/// Checks `raw` holds at most `max` characters (as sent, as JSON Schema's `maxLength`
/// counts them) and is not blank, and returns it trimmed; records a field error
/// otherwise. The schema says so with `min_length = 1, max_length = max, pattern = r"\S"`, which the
/// document states as [`NOT_BLANK_PATTERN`].
pub fn required(field: &str, raw: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let value = raw.trim();
    if value.is_empty() {
        errors.push(FieldError::new(field, "must not be empty"));
    } else if raw.chars().count() > max {
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
    let raw = raw?;
    if raw.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Some(raw.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The longest e-mail address there can be (RFC 5321's path limit, less its brackets),
/// counted in characters as JSON Schema's `maxLength` counts them.
pub const EMAIL_MAX_CHARS: usize = 254;

/// The characters `str::trim` removes (Unicode `White_Space`), as the inside of a regex
/// character class. Spelled out because `\s` means a different set in each engine that
/// reads our patterns: ECMAScript's adds U+FEFF and lacks U+0085, Python's adds
/// U+001C–U+001F, Rust's is exactly this one.
macro_rules! space {
    () => {
        r"\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
    };
}

/// Not blank: at least one character that `str::trim` keeps (see [`required`]).
pub const NOT_BLANK_PATTERN: &str = concat!("[^", space!(), "]");

/// The characters [`hidden_or_blank`] names, as the inside of a regex character class.
macro_rules! unseen {
    () => {
        concat!(
            space!(),
            r"\x00-\x1F\x7F-\x9F\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF"
        )
    };
}

/// A syntactically plausible e-mail address: one `@` with something before it and a
/// dotted domain after it that neither starts nor ends with a dot, and no whitespace,
/// control or invisible characters (see [`hidden_or_blank`]); blanks around it are
/// forgiven. Written to mean the same in Rust's `regex`, ECMAScript and Python, since
/// clients check it from the OpenAPI document.
pub const EMAIL_PATTERN: &str = concat!(
    "^[",
    space!(),
    "]*[^@",
    unseen!(),
    r"]+@[^@.",
    unseen!(),
    r"][^@",
    unseen!(),
    r"]*\.[^@",
    unseen!(),
    r"]*[^@.",
    unseen!(),
    "][",
    space!(),
    "]*$",
);

/// A syntactically plausible e-mail address ([`EMAIL_PATTERN`]), trimmed and lower-cased.
pub fn email(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> String {
    // The OpenAPI document states this very pattern, so what a client checks against the
    // schema is exactly what is accepted here.
    let plausible = regex::Regex::new(EMAIL_PATTERN).is_ok_and(|p| p.is_match(raw));
    if raw.chars().count() > EMAIL_MAX_CHARS {
        errors.push(FieldError::new(
            field,
            format!("must be at most {EMAIL_MAX_CHARS} characters"),
        ));
    } else if !plausible {
        errors.push(FieldError::new(
            field,
            "must be an e-mail address such as name@example.com",
        ));
    }
    raw.trim().to_lowercase()
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

/// What the OpenAPI document states of a URL field ([`optional_url`]): blank (no URL), or
/// an `http`/`https` URL whose host is an ASCII domain name (IDN hosts in their `xn--`
/// form) or an IPv4 address, with an optional port and then any visible characters.
/// The server reads IDN hosts written in Unicode too; clients that check against the
/// schema write them as punycode. Means the same in ECMAScript, Python and Rust.
pub const URL_PATTERN: &str = concat!(
    "^[",
    space!(),
    "]*$|^[",
    space!(),
    r"]*[Hh][Tt][Tt][Pp][Ss]?://",
    r"(([A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*",
    r"|((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))",
    r"(:([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?",
    r"([/?#][^",
    unseen!(),
    "]*)?[",
    space!(),
    "]*$",
);

/// The longest URL a field holds, in characters as JSON Schema's `maxLength` counts them.
pub const URL_MAX_CHARS: usize = 2000;

/// An optional absolute `http`/`https` URL of at most 2,000 characters, with a host and
/// no user name or password, and nothing hidden or blank in it. Stored as given (trimmed).
pub fn optional_url(
    field: &str,
    raw: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let raw = raw?;
    let value = raw.trim();
    if raw.chars().count() > URL_MAX_CHARS {
        errors.push(FieldError::new(
            field,
            format!("must be at most {URL_MAX_CHARS} characters"),
        ));
        return Some(value.to_owned());
    }
    if value.is_empty() {
        return None;
    }
    if !is_web_url(value) {
        errors.push(FieldError::new(field, "must be an http:// or https:// URL"));
    }
    Some(value.to_owned())
}

fn is_web_url(value: &str) -> bool {
    if value.chars().any(hidden_or_blank) {
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

    /// The document's URL pattern never admits what the server refuses, and refuses
    /// only what the server refuses or reads as Unicode (IDN hosts).
    #[test]
    fn the_url_pattern_states_the_url_rule() {
        let pattern = regex::Regex::new(URL_PATTERN).unwrap();
        for (raw, in_pattern) in [
            ("https://epaper.example.com/2022-07-20/01", true),
            ("HTTP://Example.com:8080/a.jpg?w=640#top", true),
            ("http://127.0.0.1:65535/a", true),
            ("  https://xn--fsqu00a.xn--0zwm56d/a  ", true),
            ("", true),
            ("   ", true),
            ("https://例子.测试/图片.jpg", false),
            ("http://127.0.0.1:65536/a", false),
            ("http://999.1.1.1/", false),
            ("https://user@host/", false),
            ("https:/host", false),
            ("https://example.com/\u{200B}", false),
            ("javascript:alert(1)", false),
        ] {
            assert_eq!(pattern.is_match(raw), in_pattern, "{raw:?}");
            if in_pattern {
                assert!(
                    url_ok(raw),
                    "the pattern admits {raw:?}, the server refuses it"
                );
            }
        }
    }

    #[test]
    fn the_email_pattern_compiles_and_decides() {
        let check = |raw: &str| {
            let mut errors = Vec::new();
            let stored = email("email", raw, &mut errors);
            errors.is_empty().then_some(stored)
        };
        assert!(regex::Regex::new(EMAIL_PATTERN).is_ok());
        assert_eq!(
            check(" Editor@Example.com ").as_deref(),
            Some("editor@example.com")
        );
        assert!(check("王@例子.中国").is_some());
        for bad in [
            "",
            "a@b",
            "a@.b.c",
            "a@b.c.",
            "a@@b.c",
            "@b.c",
            "a b@c.d",
            "a@b\u{200B}.c",
        ] {
            assert!(check(bad).is_none(), "{bad:?}");
        }
        assert!(
            check(&format!("{}@b.c", "a".repeat(251))).is_none(),
            "over 254 characters"
        );
    }
}
