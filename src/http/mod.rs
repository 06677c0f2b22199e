//! HTTP conventions every resource shares: input extractors, authentication, paging,
//! conditional requests and rate limits.

pub mod auth;
pub mod conditional;
pub mod input;
pub mod pagination;
pub mod rate_limit;
