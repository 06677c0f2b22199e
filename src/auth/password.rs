//! Password hashing with argon2id, and checking a password at sign-in: on the blocking
//! thread pool, a bounded number at a time, never while holding a database connection.

use std::sync::Arc;

use actix_web::web;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use tokio::sync::Semaphore;

use crate::config::PasswordCost;

pub const MIN_LENGTH: usize = 8;
/// Hashing cost grows with length; refuse absurd inputs before hashing them.
pub const MAX_LENGTH: usize = 1024;

#[derive(Clone)]
pub struct PasswordHashing {
    params: Params,
    /// The hash of a random password, made with `params` at start-up: what a sign-in
    /// for an unknown account is verified against, so it does exactly the work of a
    /// wrong password for a known one.
    stand_in: Arc<str>,
    /// Verifications allowed to run at once.
    permits: Arc<Semaphore>,
}

impl PasswordHashing {
    /// Hashing at `cost`, with at most `concurrency` sign-in checks running at once.
    pub fn new(cost: PasswordCost, concurrency: u32) -> Result<Self, anyhow::Error> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
        let mut hashing = Self {
            params,
            stand_in: Arc::from(""),
            permits: Arc::new(Semaphore::new(concurrency.max(1) as usize)),
        };
        hashing.stand_in = hashing.hash(&crate::domain::token::random_hex(32))?.into();
        Ok(hashing)
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

    /// True when `password` matches `stored`. With no stored hash (no such account) it
    /// verifies against the stand-in hash and answers false: the same argon2 work, with
    /// the same parameters, as a wrong password for a real account.
    pub fn check(&self, password: &str, stored: Option<&str>) -> bool {
        let matched = self.verify(password, stored.unwrap_or(&self.stand_in));
        matched && stored.is_some()
    }

    /// [`hash`](Self::hash) on the blocking thread pool, waiting its turn like
    /// [`check_bounded`](Self::check_bounded). Callers hold no database connection.
    pub async fn hash_bounded(&self, password: String) -> Result<String, anyhow::Error> {
        let _permit = self.permits.acquire().await?;
        let hashing = self.clone();
        web::block(move || hashing.hash(&password)).await?
    }

    /// [`check`](Self::check) on the blocking thread pool, waiting its turn so that at
    /// most `concurrency` checks run at once. Callers hold no database connection.
    pub async fn check_bounded(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, anyhow::Error> {
        let _permit = self.permits.acquire().await?;
        let hashing = self.clone();
        Ok(web::block(move || hashing.check(&password, stored.as_deref())).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> PasswordHashing {
        PasswordHashing::new(
            PasswordCost {
                memory_kib: 1024,
                iterations: 1,
                parallelism: 1,
            },
            2,
        )
        .unwrap()
    }

    #[test]
    fn hashes_verify_only_the_right_password() {
        let hashing = cheap();
        let stored = hashing.hash("correct horse").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(hashing.verify("correct horse", &stored));
        assert!(!hashing.verify("wrong horse", &stored));
        assert!(!hashing.verify("correct horse", "not-a-hash"));
    }

    #[test]
    fn an_unknown_account_costs_one_verification_with_the_same_parameters() {
        let hashing = cheap();
        let stored = hashing.hash("correct horse").unwrap();
        let real = argon2::PasswordHash::new(&stored).unwrap();
        let stand_in = argon2::PasswordHash::new(&hashing.stand_in).unwrap();
        assert_eq!(stand_in.algorithm, real.algorithm);
        assert_eq!(stand_in.version, real.version);
        assert_eq!(stand_in.params, real.params);
        assert_eq!(stand_in.hash.map(|h| h.len()), real.hash.map(|h| h.len()));
        assert!(hashing.check("correct horse", Some(&stored)));
        assert!(!hashing.check("correct horse", None));
        assert!(!hashing.check("wrong horse", Some(&stored)));
    }
}
