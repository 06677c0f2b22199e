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

#[test]
fn a_preview_lifetime_out_of_bounds_stops_start_up_with_one_line_naming_it() {
    for ttl in ["0", "59", "2592001", "a day"] {
        let dir = tempfile::tempdir().unwrap();
        let out = newsdesk()
            .current_dir(dir.path())
            .env("RUST_LOG", "error") // not the warnings about generated secrets
            .env("NEWSDESK_PREVIEW_TTL_SECS", ttl)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{ttl} accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains("NEWSDESK_PREVIEW_TTL_SECS") && stderr.contains("from 60 to 2592000"),
            "{stderr}"
        );
    }
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

/// `newsdesk serve` in `dir` on a free loopback port, its output discarded.
fn serve_on_a_free_port(dir: &std::path::Path) -> (std::process::Child, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = newsdesk()
        .current_dir(dir)
        .env("NEWSDESK_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    (child, port)
}

#[test]
fn serve_with_no_configuration_creates_the_database_and_a_private_secret() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, port) = serve_on_a_free_port(dir.path());
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

/// Reads one HTTP/1.1 response with a `content-length` body; `None` when the connection
/// ends before a whole response came.
fn read_response(stream: &mut TcpStream) -> Option<String> {
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => raw.push(byte[0]),
            _ => return None,
        }
    }
    let head = String::from_utf8_lossy(&raw).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap_or(0));
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).ok()?;
    raw.extend(body);
    Some(String::from_utf8_lossy(&raw).into_owned())
}

/// Waits up to `limit` for the process to end.
fn wait_for_exit(
    child: &mut std::process::Child,
    limit: Duration,
) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn sigterm_finishes_in_flight_requests_closes_idle_connections_and_exits_promptly() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, port) = serve_on_a_free_port(dir.path());
    let started = Instant::now();
    while http_get(port, "/readyz").is_none() {
        assert!(started.elapsed() < Duration::from_secs(30), "never ready");
        std::thread::sleep(Duration::from_millis(100));
    }
    let connect = || {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        stream
    };

    // An idle keep-alive connection: one request answered, then nothing.
    let mut idle = connect();
    write!(idle, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    assert!(
        read_response(&mut idle)
            .unwrap()
            .starts_with("HTTP/1.1 200")
    );

    // A slow request in flight: its body arrives in two halves, around the signal.
    let body = r#"{"email":"nobody@example.com","password":"not a password"}"#;
    let (first_half, second_half) = body.split_at(body.len() / 2);
    let mut slow = connect();
    write!(
        slow,
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{first_half}",
        body.len()
    )
    .unwrap();

    // Busy keep-alive clients, sending request after request.
    let busy: Vec<_> = (0..4)
        .map(|_| {
            let mut stream = connect();
            std::thread::spawn(move || {
                let mut answered = 0;
                loop {
                    if write!(stream, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").is_err() {
                        return (answered, "closed while idle");
                    }
                    match read_response(&mut stream) {
                        Some(r) if r.to_ascii_lowercase().contains("connection: close") => {
                            return (answered + 1, "closed after an answer");
                        }
                        Some(_) => answered += 1,
                        None => return (answered, "closed while idle"),
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));

    let signalled = Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());

    // The idle connection is closed by the server: end of stream, not a timeout (its
    // keep-alive would close it only 5 s after its answer).
    idle.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let mut rest = Vec::new();
    let idle_end = idle.read_to_end(&mut rest);
    let idle_closed = signalled.elapsed();
    assert!(
        matches!(idle_end, Ok(0)),
        "the idle connection was not closed: {idle_end:?}"
    );
    std::thread::sleep(Duration::from_secs(1).saturating_sub(idle_closed));

    // The in-flight request still gets its whole answer.
    slow.write_all(second_half.as_bytes()).unwrap();
    let answer = read_response(&mut slow).expect("the in-flight request was answered");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");

    let exit = wait_for_exit(&mut child, Duration::from_secs(15));
    let exited = signalled.elapsed();
    if exit.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    for client in busy {
        let (answered, how) = client.join().unwrap();
        assert!(answered > 0, "a busy client got no answer ({how})");
    }
    eprintln!(
        "SIGTERM: idle connection closed after {idle_closed:?}, process exited after {exited:?}"
    );
    let status = exit.expect("the server did not exit within 15 s of SIGTERM");
    assert!(status.success(), "{status:?}");
    assert!(
        exited < Duration::from_secs(5),
        "took {exited:?} to exit with nothing left to do"
    );
}

/// Sends one request (with a JSON body if given) on a connection of its own; the status
/// and JSON body, or `None` when the server did not answer.
fn http_json(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&serde_json::Value>,
) -> Option<(u16, serde_json::Value)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let body = body.map_or(String::new(), |b| b.to_string());
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{auth}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let response = read_response(&mut stream)?;
    let status = response.get(9..12)?.parse().ok()?;
    let json = response
        .split_once("\r\n\r\n")
        .and_then(|(_, body)| serde_json::from_str(body).ok())
        .unwrap_or(serde_json::Value::Null);
    Some((status, json))
}

/// `newsdesk serve` in `dir` on a free port with an admin account: its port once it
/// answers, and a token of that admin.
fn serve_with_an_admin(dir: &std::path::Path) -> (std::process::Child, u16, String) {
    serve_with_an_admin_and(dir, &[])
}

/// [`serve_with_an_admin`] with more variables set.
fn serve_with_an_admin_and(
    dir: &std::path::Path,
    env: &[(&str, &str)],
) -> (std::process::Child, u16, String) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = newsdesk()
        .current_dir(dir)
        .env("NEWSDESK_BIND", format!("127.0.0.1:{port}"))
        .env("NEWSDESK_ADMIN_EMAIL", "chief@example.com")
        .env("NEWSDESK_ADMIN_PASSWORD", "a long passphrase")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while http_get(port, "/healthz").is_none() {
        assert!(started.elapsed() < Duration::from_secs(30), "never ready");
        std::thread::sleep(Duration::from_millis(50));
    }
    let login = serde_json::json!({"email": "chief@example.com", "password": "a long passphrase"});
    let (status, session) =
        http_json(port, "POST", "/api/v1/auth/login", None, Some(&login)).unwrap();
    assert_eq!(status, 200, "{session}");
    let token = session["access_token"].as_str().unwrap().to_owned();
    (child, port, token)
}

#[test]
fn every_acknowledged_create_is_still_there_after_the_server_is_killed_mid_stream() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let dir = tempfile::tempdir().unwrap();
    let (child, port, token) = serve_with_an_admin(dir.path());
    let channel = serde_json::json!({"name": "萍乡频道", "slug": "pingxiang"});
    let (status, channel) = http_json(
        port,
        "POST",
        "/api/v1/channels",
        Some(&token),
        Some(&channel),
    )
    .unwrap();
    assert_eq!(status, 201, "{channel}");
    let channel = channel["id"].as_i64().unwrap();

    // Writers keep creating until the server dies under them: killed, with no shutdown
    // and nothing flushed on the way out, three times over. A kill cannot lose what
    // reached the WAL, so this guards the order (no answer before its group's COMMIT)
    // and the restart; durability through a power loss rests on `synchronous = FULL`.
    let mut acknowledged = Vec::new();
    let mut child = child;
    let (mut port, mut token) = (port, token);
    for life in 0..3 {
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..8)
            .map(|writer| {
                let (stop, token) = (stop.clone(), token.clone());
                std::thread::spawn(move || {
                    let mut created = Vec::new();
                    for i in 0.. {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let article = serde_json::json!({
                            "title": format!("第{life}轮第{writer}组第{i}篇"),
                            "slug": format!("l{life}-w{writer}-{i}"),
                            "channel_id": channel, "pages": ["<p>萍乡讯</p>"],
                        });
                        let path = "/api/v1/articles";
                        match http_json(port, "POST", path, Some(&token), Some(&article)) {
                            Some((201, body)) => created.push(body["id"].as_i64().unwrap()),
                            Some((status, body)) => panic!("create answered {status}: {body}"),
                            None => break,
                        }
                    }
                    created
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(700 + 150 * life));
        child.kill().unwrap();
        child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        acknowledged.extend(writers.into_iter().flat_map(|w| w.join().unwrap()));
        (child, port, token) = serve_with_an_admin(dir.path());
    }
    assert!(!acknowledged.is_empty(), "no create was answered");

    let missing: Vec<i64> = acknowledged
        .iter()
        .copied()
        .filter(|id| {
            let path = format!("/api/v1/articles/{id}");
            http_json(port, "GET", &path, Some(&token), None)
                .is_none_or(|(status, _)| status != 200)
        })
        .collect();
    let _ = child.kill();
    let _ = child.wait();
    eprintln!(
        "killed three times mid-stream: {} creates acknowledged, {} missing after the restarts",
        acknowledged.len(),
        missing.len()
    );
    assert!(missing.is_empty(), "acknowledged but gone: {missing:?}");
}

/// The outbox survives the process: an event committed by a server that is then killed
/// before any worker ran is delivered by `newsdesk worker` started afterwards, which
/// stops on SIGTERM.
#[test]
fn an_event_written_before_a_kill_is_delivered_by_a_worker_started_after() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = crate::support::receiver::Receiver::start(0);
    let env = [
        ("NEWSDESK_WORKERS", "0"),
        ("NEWSDESK_WEBHOOK_ALLOW", "127.0.0.1"),
    ];
    let (mut server, port, token) = serve_with_an_admin_and(dir.path(), &env);
    let hook = serde_json::json!({"url": receiver.url, "events": ["channel.created"]});
    let (status, created) =
        http_json(port, "POST", "/api/v1/webhooks", Some(&token), Some(&hook)).unwrap();
    assert_eq!(status, 201, "{created}");
    let channel = serde_json::json!({"name": "萍乡", "slug": "pingxiang"});
    let (status, _) = http_json(
        port,
        "POST",
        "/api/v1/channels",
        Some(&token),
        Some(&channel),
    )
    .unwrap();
    assert_eq!(status, 201);
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(receiver.received().is_empty(), "no worker ran yet");

    let mut worker = newsdesk()
        .current_dir(dir.path())
        .args(["worker"])
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while receiver.received().is_empty() && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let got = receiver.received();
    let kill = Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let exit = wait_for_exit(&mut worker, Duration::from_secs(15));
    if exit.is_none() {
        let _ = worker.kill();
    }
    assert_eq!(got.len(), 1, "the event was delivered after the restart");
    assert_eq!(got[0].json()["type"], "channel.created");
    assert!(exit.expect("the worker stopped on SIGTERM").success());
}
