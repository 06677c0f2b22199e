//! How readers reach a newsroom: a channel's tip lines (editor managed) and the tips
//! readers send (a public POST, an editor's inbox).

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
        .service(handlers::delete_tip_line)
        .service(handlers::send_tip)
        .service(handlers::list_tips)
        .service(handlers::get_tip)
        .service(handlers::update_tip);
}
