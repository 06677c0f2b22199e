//! Integration tests through the HTTP layer, on SQLite, or on PostgreSQL when
//! NEWSDESK_TEST_POSTGRES_URL is set.

// A failed unwrap is a failed test, with its location: exactly what a test wants.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod article_totals;
mod articles;
mod auth;
mod authors;
mod binary;
mod caching;
mod channel_links;
mod channels;
mod comments;
mod concurrency;
mod examples;
mod feeds;
mod files;
mod framing;
mod hostile_input;
mod layering;
mod media;
mod metrics;
mod migrations;
mod openapi;
mod outage;
mod previews;
mod problems;
mod response_cache;
mod search;
mod seed;
mod support;
mod tip_lines;
mod tokens;
mod users;
mod webhooks;
