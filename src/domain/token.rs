//! Random tokens and their one-way digests.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// `bytes` random bytes from the OS generator, hex-encoded.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex(&buf)
}

/// What every API token starts with, so that it is told apart from an access token (a
/// JWT) and secret scanners can find one that leaked.
pub const API_TOKEN_PREFIX: &str = "nd_";

/// How many characters of an API token its list shows: the prefix and six more, about
/// 24 of its 256 random bits, enough to tell tokens apart and too few to matter.
const API_TOKEN_HINT_CHARS: usize = API_TOKEN_PREFIX.len() + 6;

/// A new API token: the prefix and 32 random bytes (256 bits), hex-encoded.
pub fn new_api_token() -> String {
    format!("{API_TOKEN_PREFIX}{}", random_hex(32))
}

/// Whether a bearer credential is an API token rather than an access token.
pub fn is_api_token(credential: &str) -> bool {
    credential.starts_with(API_TOKEN_PREFIX)
}

/// The start of an API token that its list shows, such as `nd_3f9a1c`.
pub fn api_token_hint(token: &str) -> String {
    token.chars().take(API_TOKEN_HINT_CHARS).collect()
}

/// SHA-256 of `input`, hex-encoded; how refresh tokens and API tokens are stored.
pub fn sha256_hex(input: &[u8]) -> String {
    hex(&Sha256::digest(input))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// SHA-256 of `salt` followed by `value`: how client addresses are kept, so abuse can
/// be traced to one client without storing where it came from.
pub fn salted_hash(salt: &[u8], value: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(b"\0");
    hasher.update(value.as_bytes());
    hex(&hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_tokens_carry_their_prefix_and_256_random_bits() {
        let token = new_api_token();
        assert!(is_api_token(&token));
        assert_eq!(token.len(), 3 + 64);
        assert_ne!(token, new_api_token());
        assert_eq!(api_token_hint(&token), token[..9]);
        assert!(!is_api_token("eyJhbGciOiJIUzI1NiJ9.e30.sig"));
    }
}
