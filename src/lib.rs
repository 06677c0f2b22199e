//! Newsdesk: a headless CMS JSON API for news portals.

pub mod app;
pub mod articles;
pub mod auth;
pub mod authors;
pub mod cache;
pub mod channels;
pub mod cli;
pub mod comments;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod feeds;
pub mod health;
pub mod http;
pub mod jobs;
pub mod media;
pub mod metrics;
pub mod openapi;
pub mod outbound;
pub mod rate_limit;
pub mod seed;
pub mod shutdown;
pub mod state;
pub mod storage;
pub mod tip_lines;
pub mod tips;
pub mod tokens;
pub mod users;
pub mod webhooks;

pub use app::build;
pub use config::Config;
pub use state::AppState;
