//! Authors: the people named in bylines (a person in print, not necessarily an account).

pub mod dto;
mod handlers;
pub mod repo;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_authors)
        .service(handlers::create_author)
        .service(handlers::get_author)
        .service(handlers::update_author)
        .service(handlers::delete_author);
}
