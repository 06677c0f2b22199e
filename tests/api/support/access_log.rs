//! What the access log writes, captured: the `log` crate has one logger per process, so
//! every test shares this one and finds its own lines by a marker in the path.

use std::sync::{Mutex, OnceLock};

const ACCESS_LOG_TARGET: &str = "actix_web::middleware::logger";

struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target() == ACCESS_LOG_TARGET
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            self.0.lock().unwrap().push(record.args().to_string());
        }
    }

    fn flush(&self) {}
}

fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture: &'static Capture = Box::leak(Box::new(Capture(Mutex::new(Vec::new()))));
        log::set_logger(capture).expect("no other logger in the test binary");
        log::set_max_level(log::LevelFilter::Info);
        capture
    })
}

/// Starts capturing; call before the requests whose lines a test reads.
pub fn start() {
    capture();
}

/// The one access-log line that contains `marker`.
#[track_caller]
pub fn line_containing(marker: &str) -> String {
    let lines = capture().0.lock().unwrap();
    let found: Vec<&String> = lines.iter().filter(|l| l.contains(marker)).collect();
    assert_eq!(found.len(), 1, "access-log lines with {marker}: {found:?}");
    found[0].clone()
}
