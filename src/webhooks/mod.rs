//! Webhooks: signed notices of content events, POSTed to the URLs admins register, and
//! the record of each delivery. The job worker (`jobs/`) fans events out and delivers.

pub mod dto;
mod handlers;
pub mod repo;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_webhooks)
        .service(handlers::create_webhook)
        .service(handlers::get_webhook)
        .service(handlers::update_webhook)
        .service(handlers::delete_webhook)
        .service(handlers::rotate_secret)
        .service(handlers::list_deliveries)
        .service(handlers::redeliver);
}
