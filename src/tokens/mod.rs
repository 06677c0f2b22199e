//! API tokens for integrators: admins make, list and revoke them; using one is resolved
//! with every other credential in `http::auth` and `auth::service`.

pub mod dto;
mod handlers;
pub mod repo;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_tokens)
        .service(handlers::create_token)
        .service(handlers::get_token)
        .service(handlers::revoke_token);
}
