//! Times are stored as naive UTC and leave the API as RFC 3339 with an offset.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

/// The current instant in UTC, truncated to microseconds (PostgreSQL's precision), so a
/// value reads back exactly as written on both backends.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A stored time as an RFC 3339 instant.
pub fn to_utc(stored: NaiveDateTime) -> DateTime<Utc> {
    stored.and_utc()
}
