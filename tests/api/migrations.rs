//! The two migration trees stay in step, and every migration can be reverted.

use std::collections::BTreeSet;

use crate::support::{TestDb, test_config};

fn names(backend: &str) -> BTreeSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let entry = entry.unwrap();
            for file in ["up.sql", "down.sql"] {
                assert!(
                    entry.path().join(file).is_file(),
                    "{} lacks {file}",
                    entry.path().display()
                );
            }
            entry.file_name().to_string_lossy().into_owned()
        })
        .collect()
}

#[test]
fn sqlite_and_postgres_trees_have_the_same_migrations() {
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("postgres"));
}

#[test]
fn migrations_go_up_down_and_up_again() {
    let db = TestDb::new();
    let config = test_config(&db, &[]);
    let mut conn = newsdesk::db::AnyConnection::open(&config.database).expect("connect");
    let applied = newsdesk::db::migrate::run_pending(&mut conn).expect("up");
    assert_eq!(applied.len(), names("sqlite").len());
    let reverted = newsdesk::db::migrate::revert_all(&mut conn).expect("down");
    assert_eq!(reverted.len(), applied.len());
    let again = newsdesk::db::migrate::run_pending(&mut conn).expect("up again");
    assert_eq!(again, applied);
}
