//! Preview links: a signed, expiring token that shows one unpublished article to whoever
//! holds it, until the article's status changes.
//!
//! A token is `<expiry>.<signature>`: the expiry in Unix seconds, then base64url (no
//! padding) of HMAC-SHA256 over the article's id, its status and when that status was
//! set, and the expiry. Nothing in it is secret, and nothing is stored: the signature is
//! checked against the article the request names, as it stands now, so a token for
//! another article or made before any status change since (publishing, archiving, back
//! to draft, even back to the status it had) no longer verifies, while content edits
//! keep it working.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::enums::ArticleStatus;
use super::stored::StoredEnum;

/// Bytes of a signature; base64url makes them 43 characters.
const SIGNATURE_BYTES: usize = 32;
/// The longest token worth reading: 12 digits of expiry, a dot and the signature.
const MAX_TOKEN_CHARS: usize = 12 + 1 + 43;

/// The key preview tokens are signed with (see `config`: derived from the JWT secret,
/// so every node of a deployment accepts every node's tokens).
#[derive(Clone)]
pub struct PreviewKey(Vec<u8>);

/// What a token is bound to: the article as it stands.
#[derive(Debug, Clone, Copy)]
pub struct Subject {
    pub article_id: i64,
    pub status: ArticleStatus,
    /// When the article's status was last set (on creation or by a change).
    pub status_changed_at: NaiveDateTime,
}

impl PreviewKey {
    pub fn new(key: Vec<u8>) -> Self {
        Self(key)
    }

    fn mac(&self, subject: &Subject, expires: i64) -> Hmac<Sha256> {
        #[expect(clippy::expect_used, reason = "HMAC takes a key of any length")]
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC accepts any key");
        // One field a line, each without a newline of its own: no two subjects spell the
        // same input.
        let input = format!(
            "newsdesk article preview v1\n{}\n{}\n{}\n{expires}",
            subject.article_id,
            subject.status.as_str(),
            subject.status_changed_at.format("%Y-%m-%dT%H:%M:%S%.6f"),
        );
        mac.update(input.as_bytes());
        mac
    }

    /// A token for `subject` that stops working at `expires` (whole seconds).
    pub fn sign(&self, subject: &Subject, expires: DateTime<Utc>) -> String {
        let expires = expires.timestamp();
        let signature = self.mac(subject, expires).finalize().into_bytes();
        format!("{expires}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// Whether `token` was signed for `subject` as it stands and is unexpired at `now`.
    /// The signature is compared in constant time.
    pub fn verify(&self, token: &str, subject: &Subject, now: DateTime<Utc>) -> bool {
        if token.len() > MAX_TOKEN_CHARS {
            return false;
        }
        let Some((expires, signature)) = token.split_once('.') else {
            return false;
        };
        let expires = match expires.parse::<i64>() {
            Ok(at) if expires.bytes().all(|b| b.is_ascii_digit()) => at,
            _ => return false,
        };
        let signature = match URL_SAFE_NO_PAD.decode(signature) {
            Ok(bytes) if bytes.len() == SIGNATURE_BYTES => bytes,
            _ => return false,
        };
        now.timestamp() < expires && self.mac(subject, expires).verify_slice(&signature).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn subject(status: ArticleStatus) -> Subject {
        Subject {
            article_id: 42,
            status_changed_at: DateTime::from_timestamp(1_700_000_000, 123_456_000)
                .unwrap()
                .naive_utc(),
            status,
        }
    }

    /// A key, the time, a draft and a token for it that works for a minute.
    fn signed() -> (PreviewKey, DateTime<Utc>, Subject, String) {
        let key = PreviewKey::new(b"a key".to_vec());
        let now = Utc::now();
        let draft = subject(ArticleStatus::Draft);
        let token = key.sign(&draft, now + Duration::seconds(60));
        (key, now, draft, token)
    }

    #[test]
    fn a_token_verifies_only_for_its_article_status_and_time() {
        let (key, now, draft, token) = signed();
        assert!(token.len() <= MAX_TOKEN_CHARS, "{token}");
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
            "URL-safe: {token}"
        );
        assert!(key.verify(&token, &draft, now));

        assert!(!key.verify(&token, &subject(ArticleStatus::Scheduled), now));
        let other = Subject {
            article_id: 43,
            ..draft
        };
        assert!(!key.verify(&token, &other, now));
        let changed_and_back = Subject {
            status_changed_at: draft.status_changed_at + Duration::microseconds(1),
            ..draft
        };
        assert!(!key.verify(&token, &changed_and_back, now));
        assert!(!key.verify(&token, &draft, now + Duration::seconds(60)));
        assert!(!PreviewKey::new(b"another key".to_vec()).verify(&token, &draft, now));
    }

    #[test]
    fn a_changed_expiry_or_signature_is_refused() {
        let (key, now, draft, token) = signed();
        let (expires, signature) = token.split_once('.').unwrap();
        let later = expires.parse::<i64>().unwrap() + 3600;
        assert!(!key.verify(&format!("{later}.{signature}"), &draft, now));
        let mut flipped = signature.to_owned().into_bytes();
        flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert!(!key.verify(&format!("{expires}.{flipped}"), &draft, now));
        for junk in [
            "",
            ".",
            "abc",
            &format!("+{expires}.{signature}"),
            &format!("{token}x"),
        ] {
            assert!(!key.verify(junk, &draft, now), "{junk:?}");
        }
    }
}
