//! The channel tree: portal → city channel → column.

pub mod dto;
mod handlers;
pub mod repo;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_channels)
        .service(handlers::create_channel)
        .service(handlers::get_channel)
        .service(handlers::update_channel)
        .service(handlers::delete_channel);
}
