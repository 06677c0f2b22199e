//! What recording metrics costs a request, measured in-process (no sockets, one thread):
//! the built app called N times on `/healthz` and on a public list answered from the
//! response cache, with `NEWSDESK_METRICS` off and on.
//!
//! ```sh
//! cargo run --release --example metrics_overhead -- [N]
//! ```
//!
//! Neither touches the database, so the difference is the middleware's own cost.
//! `bench/metrics.sh` measures the same over real connections with wrk.

use std::time::{Duration, Instant};

use actix_web::dev::Service;
use actix_web::test;

fn config(dir: &std::path::Path, metrics: &str) -> Result<newsdesk::Config, String> {
    let url = format!("sqlite://{}/metrics.db", dir.display());
    newsdesk::Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some(url.clone()),
        "NEWSDESK_METRICS" => Some(metrics.to_owned()),
        _ => None,
    })
    .map_err(|e| e.to_string())
}

/// The mean time of one call to the app built with `NEWSDESK_METRICS=metrics`.
async fn per_request(
    dir: &std::path::Path,
    metrics: &str,
    path: &str,
    n: u32,
) -> Result<Duration, String> {
    let state = newsdesk::state::prepare(config(dir, metrics)?)?;
    let app = test::init_service(newsdesk::build(state)).await;
    // The first read fills the response cache.
    app.call(test::TestRequest::get().uri(path).to_request())
        .await
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    for _ in 0..n {
        let req = test::TestRequest::get().uri(path).to_request();
        let res = app.call(req).await.map_err(|e| e.to_string())?;
        std::hint::black_box(res.status());
    }
    Ok(started.elapsed() / n)
}

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u32 = std::env::args().nth(1).map_or(Ok(200_000), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    println!(
        "{:<18} {:>5} {:>12} {:>12} {:>10}",
        "path", "round", "off", "on", "on - off"
    );
    for path in ["/healthz", "/api/v1/articles"] {
        for round in 1..=3 {
            let off = per_request(dir.path(), "off", path, n).await?;
            let on = per_request(dir.path(), "on", path, n).await?;
            let extra = on.as_nanos() as i128 - off.as_nanos() as i128;
            println!("{path:<18} {round:>5} {off:>12?} {on:>12?} {extra:>8} ns");
        }
    }
    Ok(())
}
