//! Password hashing with argon2id.

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

use crate::config::PasswordCost;

pub const MIN_LENGTH: usize = 8;
/// Hashing cost grows with length; refuse absurd inputs before hashing them.
pub const MAX_LENGTH: usize = 1024;

#[derive(Clone)]
pub struct PasswordHashing {
    params: Params,
}

impl PasswordHashing {
    pub fn new(cost: PasswordCost) -> Result<Self, argon2::Error> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)?;
        Ok(Self { params })
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    pub fn hash(&self, password: &str) -> Result<String, anyhow::Error> {
        let hash = self
            .argon2()
            .hash_password(password.as_bytes())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?;
        Ok(hash.to_string())
    }

    /// True when `password` matches `stored`; a malformed stored hash never matches.
    pub fn verify(&self, password: &str, stored: &str) -> bool {
        self.argon2()
            .verify_password(password.as_bytes(), stored)
            .is_ok()
    }

    /// Spends the time of one verification, so an unknown account answers as slowly as
    /// a wrong password does.
    pub fn verify_nothing(&self, password: &str) {
        let _ = self.hash(password);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_the_right_password() {
        let hashing = PasswordHashing::new(PasswordCost {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap();
        let stored = hashing.hash("correct horse").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(hashing.verify("correct horse", &stored));
        assert!(!hashing.verify("wrong horse", &stored));
        assert!(!hashing.verify("correct horse", "not-a-hash"));
    }
}
