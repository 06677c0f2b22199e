//! The route table: every resource's `configure` under `/api/v1`, the documents, the
//! fallback for unknown routes, and the one `build` that `serve` and the tests share.

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ResourceDef, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, middleware, web};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Config;
use crate::error::ApiError;
use crate::openapi::ApiDoc;
use crate::state::AppState;
use crate::{
    articles, auth, authors, channels, comments, feeds, health, http, media, metrics, tip_lines,
    tips, tokens, users, webhooks,
};

/// Every documented route under `/api/v1`, collected for the OpenAPI document as it is
/// registered.
fn api_v1() -> utoipa_actix_web::scope::Scope<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    utoipa_actix_web::scope("/api/v1")
        .configure(auth::configure)
        .configure(users::configure)
        .configure(tokens::configure)
        .configure(channels::configure)
        .configure(authors::configure)
        .configure(articles::configure)
        .configure(comments::configure)
        .configure(tip_lines::configure)
        .configure(tips::configure)
        .configure(media::configure)
        .configure(webhooks::configure)
        .configure(feeds::configure)
}

/// The routes with their OpenAPI document, collected as they are registered.
fn routed() -> (
    App<
        impl ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse,
            Error = actix_web::Error,
            InitError = (),
        >,
    >,
    utoipa::openapi::OpenApi,
) {
    let (app, mut document) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(health::configure)
        .configure(metrics::endpoint::configure)
        .configure(media::configure_files)
        .service(api_v1())
        .split_for_parts();
    crate::openapi::finish(&mut document);
    (app, document)
}

/// The OpenAPI document of the running API, as served at `/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routed().1
}

/// Builds the whole application around `state`.
pub fn build(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, document) = routed();
    let routes = RouteTable::from_openapi(&document);
    let cors = cors(&state.config.cors_origins);
    let access_log = access_log(&state.config);
    state.start_cache_sync();
    let recorder = state.metrics.clone();
    let record_metrics = middleware::Condition::new(
        state.config.metrics,
        middleware::from_fn(move |req, next| metrics::record(recorder.clone(), req, next)),
    );

    app.app_data(web::Data::new(state))
        .app_data(web::Data::new(routes))
        .app_data(web::Data::new(document.clone()))
        .app_data(
            web::PathConfig::default().error_handler(|err, _| {
                ApiError::NotFound(format!("no such resource: {err}")).into()
            }),
        )
        .route("/openapi.json", web::get().to(openapi_json))
        .route("/docs", web::get().to(docs_redirect))
        .service(SwaggerUi::new("/docs/{_:.*}").config(swagger_config()))
        .default_service(web::to(fallback))
        .wrap(middleware::from_fn(http::cache::serve))
        .wrap(cors)
        .wrap(middleware::from_fn(http::framing::head_as_get))
        .wrap(middleware::from_fn(http::framing::screen))
        .wrap(middleware::DefaultHeaders::new().add((header::X_CONTENT_TYPE_OPTIONS, "nosniff")))
        .wrap(access_log)
        .wrap(record_metrics)
}

/// What `/docs/` runs with: the document of this server, and no validator. Swagger UI
/// otherwise sends the document's URL to validator.swagger.io on any host but
/// localhost; `/docs/` loads nothing from outside.
fn swagger_config() -> utoipa_swagger_ui::Config<'static> {
    utoipa_swagger_ui::Config::from("/openapi.json").validator_url("none")
}

/// The access log: method, path without its query string (search terms, anything
/// token-like), status, size and duration; the client address only when the operator
/// asks for it (`NEWSDESK_LOG_CLIENT_ADDRESS`), taken as `client_address` takes it.
fn access_log(config: &Config) -> middleware::Logger {
    let format = match (config.log_client_address, config.trust_forwarded_for) {
        (false, _) => "%{method}xi %U %s %b %Dms",
        (true, false) => "%a %{method}xi %U %s %b %Dms",
        (true, true) => "%{r}a %{method}xi %U %s %b %Dms",
    };
    middleware::Logger::new(format).custom_request_replace("method", |req| req.method().to_string())
}

fn cors(origins: &[String]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods(["GET", "POST", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
        ])
        .expose_headers([
            header::ETAG,
            header::LINK,
            header::LOCATION,
            header::RETRY_AFTER,
        ])
        .max_age(3600)
}

async fn openapi_json(
    req: HttpRequest,
    document: web::Data<utoipa::openapi::OpenApi>,
) -> Result<HttpResponse, ApiError> {
    http::conditional::document(&req, document.get_ref())
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

/// Answers requests no route took: 405 with `Allow` when the path exists under other
/// methods, else 404.
async fn fallback(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    Err(match routes.methods_for(req.path()) {
        Some(allowed) => ApiError::MethodNotAllowed(
            format!("{} is not allowed here; use {allowed}", req.method()),
            allowed,
        ),
        None => ApiError::NotFound(format!("no route for {}", req.path())),
    })
}

/// The documented paths and their methods, taken from the OpenAPI document itself, so
/// the 405 answers can never drift from the routes; `HEAD` goes wherever `GET` does.
pub struct RouteTable(Vec<(ResourceDef, String)>);

impl RouteTable {
    fn from_openapi(document: &utoipa::openapi::OpenApi) -> Self {
        let value = serde_json::to_value(&document.paths).unwrap_or_default();
        let entries = value
            .as_object()
            .into_iter()
            .flatten()
            .map(|(path, item)| {
                let mut methods: Vec<String> = item
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(method, _)| method.to_uppercase())
                    .filter(|m| ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&m.as_str()))
                    .collect();
                if let Some(get) = methods.iter().position(|m| m == "GET") {
                    methods.insert(get + 1, "HEAD".into());
                }
                (ResourceDef::new(path.as_str()), methods.join(", "))
            })
            .collect();
        Self(entries)
    }

    fn methods_for(&self, path: &str) -> Option<String> {
        let matching: Vec<&(ResourceDef, String)> = self
            .0
            .iter()
            .filter(|(def, _)| def.is_match(path))
            .collect();
        // A literal path is the one the router takes over a pattern that also matches it
        // (`/articles/suggest` over `/articles/{id_or_slug}`): only its methods apply.
        let literal: Vec<&(ResourceDef, String)> = matching
            .iter()
            .copied()
            .filter(|(def, _)| def.pattern().is_some_and(|p| !p.contains('{')))
            .collect();
        let chosen = if literal.is_empty() {
            matching
        } else {
            literal
        };
        let methods: Vec<&str> = chosen.iter().map(|(_, methods)| methods.as_str()).collect();
        (!methods.is_empty()).then(|| methods.join(", "))
    }
}
