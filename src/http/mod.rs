//! HTTP conventions every resource shares: input extractors, authentication, paging,
//! conditional requests and the client's address.

pub mod auth;
pub mod cache;
pub mod client;
pub mod conditional;
pub mod framing;
pub mod input;
pub mod multipart;
pub mod pagination;

use actix_web::{HttpRequest, web};

use crate::error::ApiError;
use crate::state::AppState;

/// The application state, for extractors (handlers take it as `web::Data<AppState>`).
fn app_state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("AppState is not registered")))
}
