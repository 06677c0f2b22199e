//! What Newsdesk leaves on disk.

#[cfg(unix)]
#[test]
fn a_new_sqlite_database_and_its_wal_files_are_readable_by_the_owner_only() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data").join("newsdesk.db");
    let url = format!("sqlite://{}", db.display());
    let config = newsdesk::config::Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some(url.clone()),
        _ => None,
    })
    .unwrap();
    let state = newsdesk::state::prepare(config).unwrap();
    for suffix in ["", "-wal", "-shm", ".jwt-secret"] {
        let path = format!("{}{suffix}", db.display());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{path} has mode {mode:o}");
    }
    drop(state);
}
