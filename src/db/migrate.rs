//! Embedded migration trees, one per backend, with the same migration names.

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::AnyConnection;

pub const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
pub const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

pub type MigrationError = Box<dyn std::error::Error + Send + Sync>;

fn tree(conn: &AnyConnection) -> EmbeddedMigrations {
    match conn {
        AnyConnection::Postgres(_) => POSTGRES,
        AnyConnection::Sqlite(_) => SQLITE,
    }
}

/// Applies every pending migration of the tree matching the live connection; returns
/// the names applied.
pub fn run_pending(conn: &mut AnyConnection) -> Result<Vec<String>, MigrationError> {
    let migrations = tree(conn);
    let applied = conn.run_pending_migrations(migrations)?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// Reverts every applied migration, newest first.
pub fn revert_all(conn: &mut AnyConnection) -> Result<Vec<String>, MigrationError> {
    let migrations = tree(conn);
    let reverted = conn.revert_all_migrations(migrations)?;
    Ok(reverted.iter().map(ToString::to_string).collect())
}
