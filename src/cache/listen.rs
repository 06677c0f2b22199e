//! Purges from other nodes. On PostgreSQL every write that changes public answers sends
//! its surrogate keys with `NOTIFY` inside its transaction (`db::outbox::Outbox::transaction`), so
//! they are delivered exactly when it commits and never when it rolls back. Each node
//! keeps one connection that `LISTEN`s and drops the named entries as they arrive.
//!
//! A node that is not listening may have missed a purge: until the connection is up it
//! serves and keeps nothing from its cache, and when the connection is lost it drops
//! everything and does the same until it is back.

use std::sync::Weak;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;

use super::ResponseCache;
use crate::db::{PURGE_CHANNEL_SQL, read_notice};
use crate::domain::surrogate::Keys;

/// How often arrived notifications are read: the bound on how long another node may
/// serve an answer a write on this database has changed.
const POLL: Duration = Duration::from_millis(50);
/// How often the connection is checked when nothing arrives (a silent network failure
/// does not show up as an error on a connection that only reads).
const PROBE: Duration = Duration::from_secs(2);
const RECONNECT: Duration = Duration::from_secs(1);

/// Starts the listener thread; it ends when the cache is dropped.
pub fn spawn(cache: Weak<ResponseCache>, url: String) {
    let spawned = std::thread::Builder::new()
        .name("cache-listen".into())
        .spawn(move || run(&cache, &url));
    if let Err(err) = spawned {
        log::error!("cannot start the cache listener, the response cache stays off: {err}");
    }
}

fn run(cache: &Weak<ResponseCache>, url: &str) {
    let mut announced_loss = false;
    while cache.strong_count() > 0 {
        match listen(url) {
            Ok(mut conn) => {
                let Some(live) = cache.upgrade() else { return };
                // Whatever was purged while not listening is unknown: start empty.
                live.set_synced(true);
                drop(live);
                if announced_loss {
                    log::info!("cache listener reconnected; the response cache is back on");
                    announced_loss = false;
                }
                let err = relay(&mut conn, cache);
                if let Some(live) = cache.upgrade() {
                    live.set_synced(false);
                }
                if let Some(err) = err {
                    log::warn!(
                        "cache listener lost its connection ({err}); the response cache is off until it is back"
                    );
                    announced_loss = true;
                }
            }
            Err(err) => {
                if !announced_loss {
                    log::warn!(
                        "cache listener cannot connect ({err}); the response cache is off until it can"
                    );
                    announced_loss = true;
                }
            }
        }
        std::thread::sleep(RECONNECT);
    }
}

fn listen(url: &str) -> Result<PgConnection, String> {
    let mut conn = PgConnection::establish(url).map_err(|e| e.to_string())?;
    let channel: String = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
        PURGE_CHANNEL_SQL,
    ))
    .get_result(&mut conn)
    .map_err(|e| e.to_string())?;
    // The name is a fixed prefix and hex digits: safe to quote as an identifier.
    conn.batch_execute(&format!("LISTEN \"{channel}\""))
        .map_err(|e| e.to_string())?;
    Ok(conn)
}

/// Applies notifications until the connection fails (`Some(error)`) or the cache is
/// gone (`None`).
fn relay(conn: &mut PgConnection, cache: &Weak<ResponseCache>) -> Option<String> {
    let mut last_probe = Instant::now();
    loop {
        let live = cache.upgrade()?;
        for notification in conn.notifications_iter() {
            match notification {
                Ok(n) => {
                    // This node purged its own writes' keys when they committed.
                    let (origin, keys) = read_notice(&n.payload);
                    if origin != live.origin {
                        live.invalidate(&Keys::parse_names(keys));
                    }
                }
                Err(err) => return Some(err.to_string()),
            }
        }
        drop(live);
        if last_probe.elapsed() >= PROBE {
            if let Err(err) = conn.batch_execute("SELECT 1") {
                return Some(err.to_string());
            }
            last_probe = Instant::now();
        }
        std::thread::sleep(POLL);
    }
}
