//! How readers reach a newsroom: a channel's tip lines (news hotline, QQ, SMS/WeChat),
//! managed by editors and shown with the channel.

pub mod dto;
mod handlers;
pub mod repo;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_tip_lines)
        .service(handlers::create_tip_line)
        .service(handlers::get_tip_line)
        .service(handlers::update_tip_line)
        .service(handlers::delete_tip_line);
}
