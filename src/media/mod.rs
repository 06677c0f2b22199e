//! The media library: uploaded images re-encoded without metadata, their responsive
//! variants (made by the job worker), and the files served under `/media/`.

pub mod dto;
mod handlers;
pub mod process;
pub mod repo;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// The library's API, under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::upload_media)
        .service(handlers::list_media)
        .service(handlers::get_media)
        .service(handlers::update_media)
        .service(handlers::delete_media);
}

/// The files, at `/media/{hash}/{name}`.
pub fn configure_files(cfg: &mut ServiceConfig) {
    cfg.service(handlers::media_file);
}
