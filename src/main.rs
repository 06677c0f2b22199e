//! The `newsdesk` binary: parse the command line and run it.

use std::process::ExitCode;

use clap::Parser;
use newsdesk::cli::{Cli, run};

fn main() -> ExitCode {
    bound_malloc_arenas();
    // Read .env before the logger so RUST_LOG may come from it too.
    dotenvy::dotenv().ok();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("newsdesk: {message}");
            ExitCode::FAILURE
        }
    }
}

/// glibc gives each thread that allocates under contention an arena of its own, up to
/// eight per core, and keeps their freed memory: with a pool of blocking threads
/// serving database work, resident memory grew by about a third after a burst of writes
/// (88 MB against 66 MB with two arenas, at the same throughput, in `perf.sh`). Two
/// arenas are enough for two async workers; `MALLOC_ARENA_MAX` in the environment
/// still wins.
fn bound_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator parameter; it is called before any
        // other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}
