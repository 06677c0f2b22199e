//! Distribution: RSS, Atom and JSON feeds of the site and of each channel, and the
//! sitemaps (index, articles, channels, Google News), all at the public site's URLs.

pub mod dto;
mod handlers;
pub mod repo;
pub mod service;
mod xml;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::site_feed)
        .service(handlers::channel_feed)
        .service(handlers::sitemap_index)
        .service(handlers::channel_sitemap)
        .service(handlers::news_sitemap)
        .service(handlers::article_sitemap);
}
