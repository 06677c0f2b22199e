//! The real `newsdesk` binary, started as a user would.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn newsdesk() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_newsdesk"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn");
    cmd
}

#[test]
fn a_bad_database_url_stops_start_up_with_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = newsdesk()
        .current_dir(dir.path())
        .env("DATABASE_URL", "mysql://localhost/news")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");
}

#[test]
fn postgres_without_a_jwt_secret_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = newsdesk()
        .current_dir(dir.path())
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:1/none")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("NEWSDESK_JWT_SECRET"), "{stderr}");
}

#[test]
fn a_short_jwt_secret_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = newsdesk()
        .current_dir(dir.path())
        .env("NEWSDESK_JWT_SECRET", "too short")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("NEWSDESK_JWT_SECRET"));
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

#[test]
fn serve_with_no_configuration_creates_the_database_and_a_private_secret() {
    let dir = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = newsdesk()
        .current_dir(dir.path())
        .env("NEWSDESK_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut ready = None;
    while started.elapsed() < Duration::from_secs(30) {
        if let Some(response) = http_get(port, "/readyz") {
            ready = Some(response);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    let response = ready.expect("the server answered within 30 s");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(dir.path().join("newsdesk.db").is_file());
    let secret = dir.path().join("newsdesk.db.jwt-secret");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    assert!(std::fs::read_to_string(&secret).unwrap().len() >= 32);
}

#[test]
fn user_create_makes_an_account_that_can_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let out = newsdesk()
        .current_dir(dir.path())
        .args([
            "user",
            "create",
            "--email",
            "chief@example.com",
            "--password",
            "a long passphrase",
            "--role",
            "admin",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("chief@example.com"));
    let again = newsdesk()
        .current_dir(dir.path())
        .args([
            "user",
            "create",
            "--email",
            "chief@example.com",
            "--password",
            "a long passphrase",
            "--role",
            "admin",
        ])
        .output()
        .unwrap();
    assert!(!again.status.success());
    let bad = newsdesk()
        .current_dir(dir.path())
        .args([
            "user",
            "create",
            "--email",
            "x@example.com",
            "--password",
            "short",
            "--role",
            "boss",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        !bad.status.success() && stderr.contains("password") && stderr.contains("role"),
        "{stderr}"
    );
}
