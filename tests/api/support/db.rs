//! A fresh database per test: a temp-file SQLite, or, when NEWSDESK_TEST_POSTGRES_URL is
//! set, a PostgreSQL schema of its own, dropped when the test ends.

use std::sync::atomic::{AtomicU32, Ordering};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

pub const POSTGRES_URL_VAR: &str = "NEWSDESK_TEST_POSTGRES_URL";

/// The server CI runs the PostgreSQL suite on (as `.ci/run` does).
const CI_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The PostgreSQL server for a test that only means something there (an outage of the
/// database server): NEWSDESK_TEST_POSTGRES_URL, else under `CI=true` the CI server, so
/// that CI fails rather than skips it; `None` (skip) on a developer machine without one.
pub fn postgres_url_for_postgres_only_test() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(url) => Some(url),
        None if std::env::var("CI").is_ok_and(|v| v == "true") => Some(CI_POSTGRES_URL.into()),
        None => {
            eprintln!("skipped: needs PostgreSQL ({POSTGRES_URL_VAR} unset and CI is not true)");
            None
        }
    }
}

pub enum TestDb {
    Sqlite(tempfile::TempDir),
    Postgres { base_url: String, schema: String },
}

static NEXT: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    pub fn new() -> Self {
        match std::env::var(POSTGRES_URL_VAR)
            .ok()
            .filter(|u| !u.is_empty())
        {
            Some(base_url) => Self::postgres(base_url),
            None => Self::Sqlite(tempfile::tempdir().expect("temp dir")),
        }
    }

    /// A schema of its own on the PostgreSQL server at `base_url`.
    pub fn postgres(base_url: String) -> Self {
        let schema = format!(
            "test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            newsdesk::domain::token::random_hex(4)
        );
        let mut conn = PgConnection::establish(&base_url).unwrap_or_else(|e| {
            panic!("{POSTGRES_URL_VAR} is set but PostgreSQL is unreachable: {e}")
        });
        conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
            .expect("create test schema");
        Self::Postgres { base_url, schema }
    }

    pub fn url(&self) -> String {
        match self {
            Self::Sqlite(dir) => format!("sqlite://{}", dir.path().join("newsdesk.db").display()),
            Self::Postgres { base_url, schema } => {
                let separator = if base_url.contains('?') { '&' } else { '?' };
                format!("{base_url}{separator}options=-csearch_path%3D{schema}")
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres { .. })
    }

    /// `NEWSDESK_MEDIA_STORE` for this test: a prefix of its own in the S3 bucket named
    /// by NEWSDESK_TEST_S3_URL when set (`tests/media/run.sh` sets it); else a directory
    /// of its own (SQLite's default, beside the database, or one named after the schema).
    pub fn media_store(&self) -> Option<String> {
        let name = match self {
            Self::Sqlite(dir) => dir
                .path()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            Self::Postgres { schema, .. } => schema.clone(),
        };
        if let Some(s3) = std::env::var(S3_URL_VAR).ok().filter(|u| !u.is_empty()) {
            let separator = if s3.contains('?') { '&' } else { '?' };
            return Some(format!(
                "{s3}{separator}prefix=test-{}",
                name.to_lowercase().replace('_', "-")
            ));
        }
        match self {
            Self::Sqlite(_) => None,
            Self::Postgres { .. } => {
                Some(format!("file://{}", postgres_media_dir(&name).display()))
            }
        }
    }
}

/// `s3://bucket?endpoint=…` of an S3-compatible server to run the media tests against.
pub const S3_URL_VAR: &str = "NEWSDESK_TEST_S3_URL";

fn postgres_media_dir(schema: &str) -> std::path::PathBuf {
    std::env::temp_dir()
        .join("newsdesk-test-media")
        .join(schema)
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Self::Postgres { base_url, schema } = self {
            if let Ok(mut conn) = PgConnection::establish(base_url) {
                let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
            let _ = std::fs::remove_dir_all(postgres_media_dir(schema));
        }
    }
}
