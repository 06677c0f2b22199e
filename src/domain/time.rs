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

/// An instant for the OpenAPI document's examples: `hours` after the moment they show
/// the demo newsroom loaded (`seed-demo` dates its stories by hours before its own run,
/// so the examples do the same from a fixed moment).
pub fn example(hours: i64) -> DateTime<Utc> {
    // 2026-03-02T01:30:00Z
    DateTime::from_timestamp(1_772_415_000, 0).unwrap_or_default() + chrono::Duration::hours(hours)
}
