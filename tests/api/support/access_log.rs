//! The test binary's one logger (the `log` crate has one per process): it captures what
//! the access log writes, so tests find their own lines by a marker in the path, keeps
//! every other line too (so a test can check what never reaches the logs), and prints
//! warnings and errors (the cause behind a 500) to the test's output.

use std::sync::{Mutex, OnceLock};

const ACCESS_LOG_TARGET: &str = "actix_web::middleware::logger";

struct Capture {
    access: Mutex<Vec<String>>,
    others: Mutex<Vec<String>>,
}

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Info
    }

    fn log(&self, record: &log::Record<'_>) {
        if record.target() == ACCESS_LOG_TARGET {
            self.access.lock().unwrap().push(record.args().to_string());
            return;
        }
        let line = format!("[{} {}] {}", record.level(), record.target(), record.args());
        if record.level() <= log::Level::Warn {
            eprintln!("{line}");
        }
        self.others.lock().unwrap().push(line);
    }

    fn flush(&self) {}
}

fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture: &'static Capture = Box::leak(Box::new(Capture {
            access: Mutex::new(Vec::new()),
            others: Mutex::new(Vec::new()),
        }));
        log::set_logger(capture).expect("no other logger in the test binary");
        log::set_max_level(log::LevelFilter::Info);
        capture
    })
}

/// Starts capturing (and printing warnings); call before the requests whose lines a test
/// reads, or whose server-side errors a failing test should show.
pub fn start() {
    capture();
}

/// The one access-log line that contains `marker`.
#[track_caller]
pub fn line_containing(marker: &str) -> String {
    let lines = capture().access.lock().unwrap();
    let found: Vec<&String> = lines.iter().filter(|l| l.contains(marker)).collect();
    assert_eq!(found.len(), 1, "access-log lines with {marker}: {found:?}");
    found[0].clone()
}

/// Every line logged since [`start`], by any test, that contains `needle`.
pub fn lines_containing(needle: &str) -> Vec<String> {
    let capture = capture();
    let access = capture.access.lock().unwrap().clone();
    let others = capture.others.lock().unwrap().clone();
    access
        .into_iter()
        .chain(others)
        .filter(|line| line.contains(needle))
        .collect()
}
