//! Readers' comments (网友留言): public posting and reading, editors' moderation.

pub mod dto;
mod handlers;
pub mod repo;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_article_comments)
        .service(handlers::post_comment)
        .service(handlers::list_comments)
        .service(handlers::get_comment)
        .service(handlers::moderate_comment)
        .service(handlers::delete_comment);
}
