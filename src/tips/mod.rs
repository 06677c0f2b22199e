//! Readers' news tips (爆料): a public POST, and the newsroom's inbox.

pub mod dto;
mod handlers;
pub mod repo;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::send_tip)
        .service(handlers::list_tips)
        .service(handlers::get_tip)
        .service(handlers::update_tip)
        .service(handlers::get_tip_photo)
        .service(handlers::promote_tip_photo);
}
