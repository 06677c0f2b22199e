//! Signing in: login, refresh-token rotation, logout and the current user.

pub mod dto;
mod handlers;
pub mod jwt;
pub mod password;
pub mod repo;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::login)
        .service(handlers::refresh)
        .service(handlers::logout)
        .service(handlers::me);
}
