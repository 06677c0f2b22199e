//! Articles: the newsroom's content, its workflow and its reading API.

pub mod content;
pub mod dto;
mod handlers;
pub mod repo;
pub mod revision;
pub mod search;
pub mod service;
mod validate;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    // `suggest` before `{id_or_slug}`, which would take it for a slug.
    cfg.service(handlers::list_articles)
        .service(handlers::suggest_titles)
        .service(handlers::create_article)
        .service(handlers::get_article)
        .service(handlers::update_article)
        .service(handlers::delete_article)
        .service(handlers::list_revisions)
        .service(handlers::list_related)
        .service(handlers::create_preview);
}
