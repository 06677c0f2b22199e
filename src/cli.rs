//! The command line: `serve` (default), `worker`, `migrate`, `user create`, `openapi`,
//! `seed-demo`.

use crate::media::service as media;
use std::sync::Arc;

use actix_web::HttpServer;
use actix_web::middleware::from_fn;
use clap::{Parser, Subcommand};

use crate::app;
use crate::config::Config;
use crate::domain::stored::StoredEnum;
use crate::jobs::worker::Workers;
use crate::shutdown::{self, Drain};
use crate::state::{AppState, prepare};
use crate::users::service::{self as users, NewUser};

#[derive(Debug, Parser)]
#[command(
    name = "newsdesk",
    version,
    about = "Headless CMS JSON API for news portals"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations, then serve the API (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Run the background job workers alone (webhooks, scheduled publishing, CDN
    /// purges), without serving HTTP; `NEWSDESK_WORKERS` of them (at least one).
    Worker,
    /// Print the OpenAPI document.
    Openapi,
    /// Look after the media store.
    Media {
        #[command(subcommand)]
        command: MediaCommand,
    },
    /// Load a demo newsroom into an empty database.
    SeedDemo,
}

#[derive(Debug, Subcommand)]
pub enum MediaCommand {
    /// Compare the store with the database: files the database names that are missing,
    /// and files no row names (orphans). Exits 1 when it finds either.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        /// admin, editor or reporter.
        #[arg(long)]
        role: String,
        /// The name shown in the newsroom; defaults to the e-mail's local part.
        #[arg(long)]
        name: Option<String>,
    },
}

/// Runs one command; the error is a single line for the terminal.
pub fn run(cli: Cli) -> Result<(), String> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi => {
            let json = app::openapi().to_pretty_json().map_err(|e| e.to_string())?;
            println!("{json}");
            Ok(())
        }
        Command::Migrate => {
            let state = prepare(Config::from_env().map_err(|e| e.to_string())?)?;
            log::info!("database is up to date");
            drop(state);
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Create {
                    email,
                    password,
                    role,
                    name,
                },
        } => {
            let state = prepare(Config::from_env().map_err(|e| e.to_string())?)?;
            let display_name =
                name.unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
            let user = state.run(|conn| {
                users::create_now(
                    conn,
                    &state.auth.passwords,
                    NewUser {
                        email,
                        display_name,
                        password,
                        role,
                    },
                )
            })?;
            println!(
                "created {} account {} (id {})",
                user.role.as_str(),
                user.email,
                user.id
            );
            Ok(())
        }
        Command::SeedDemo => {
            let state = prepare(Config::from_env().map_err(|e| e.to_string())?)?;
            let seeded = state.run(|conn| crate::seed::seed_demo(&state, conn))?;
            println!(
                "loaded the demo newsroom: {} channels, {} articles; sign in as {} with password {}",
                seeded.channels, seeded.articles, seeded.editor_email, seeded.editor_password
            );
            Ok(())
        }
        Command::Media {
            command: MediaCommand::Verify,
        } => {
            let state = prepare(Config::from_env().map_err(|e| e.to_string())?)?;
            let report = state.run(|conn| media::verify(conn, &state.media))?;
            for key in &report.missing {
                println!("missing: {key}");
            }
            for key in &report.orphaned {
                println!("orphaned: {key}");
            }
            println!(
                "checked {} file(s) in the {}: {} missing, {} orphaned",
                report.checked,
                state.config.media.store.describe(),
                report.missing.len(),
                report.orphaned.len()
            );
            if report.missing.is_empty() && report.orphaned.is_empty() {
                Ok(())
            } else {
                Err("the media store and the database disagree".into())
            }
        }
        Command::Worker => {
            let config = Config::from_env().map_err(|e| e.to_string())?;
            actix_web::rt::System::new().block_on(work_alone(config))
        }
        Command::Serve => {
            let config = Config::from_env().map_err(|e| e.to_string())?;
            actix_web::rt::System::new().block_on(serve(config))
        }
    }
}

async fn serve(config: Config) -> Result<(), String> {
    let bind = config.bind.clone();
    let state = actix_web::web::block(move || prepare(config))
        .await
        .map_err(|e| e.to_string())??;
    log::info!(
        "serving on http://{bind} ({} database); docs at http://{bind}/docs/",
        state.config.database.kind()
    );
    match &state.config.distribution.site {
        Some(site) => log::info!("canonical URLs, feeds and sitemaps for {}", site.base()),
        None => log::info!(
            "NEWSDESK_SITE_URL is not set: answers carry no url, feeds and sitemaps answer 404"
        ),
    }
    let listener = std::net::TcpListener::bind(&bind)
        .map_err(|e| format!("NEWSDESK_BIND: cannot listen on {bind}: {e}"))?;
    let drain = Drain::new();
    let cap = std::time::Duration::from_secs(state.config.shutdown_timeout_secs);
    let workers = Workers::start(&state, state.config.workers)
        .map_err(|e| format!("cannot start the job workers: {e}"))?;
    let server = http_server(state, listener, drain.clone())
        .map_err(|e| format!("NEWSDESK_BIND: cannot listen on {bind}: {e}"))?;
    actix_web::rt::spawn(drain.on_signal(server.handle(), cap));
    let served = server.await.map_err(|e| e.to_string());
    // The server has stopped taking requests: let each worker finish its job, then exit.
    actix_web::web::block(move || workers.stop())
        .await
        .map_err(|e| e.to_string())?;
    served
}

/// `newsdesk worker`: the job workers alone, until SIGTERM or Ctrl-C; each finishes the
/// job it is running before the process exits.
async fn work_alone(config: Config) -> Result<(), String> {
    let state = actix_web::web::block(move || prepare(config))
        .await
        .map_err(|e| e.to_string())??;
    let count = state.config.workers.max(1);
    let workers =
        Workers::start(&state, count).map_err(|e| format!("cannot start the job workers: {e}"))?;
    shutdown::signalled().await;
    log::info!("stopping the job workers");
    actix_web::web::block(move || workers.stop())
        .await
        .map_err(|e| e.to_string())
}

/// The HTTP server `serve` runs, on `listener`, with every connection setting in one
/// place so that the tests serve through exactly these.
pub fn http_server(
    state: AppState,
    listener: std::net::TcpListener,
    drain: Arc<Drain>,
) -> std::io::Result<actix_web::dev::Server> {
    let request_timeout = state.config.request_timeout;
    let shutdown_timeout = state.config.shutdown_timeout_secs;
    // Each worker's blocking threads run only database work (`AppState::db`), over a pool
    // all workers share: one per pooled connection and a few to spare is all they can
    // use. actix's default (512 / CPUs) grows hundreds under load, each thread with its
    // own malloc arena, and resident memory with them.
    let blocking_threads = state.config.db_pool_size as usize + 4;
    Ok(
        HttpServer::new(move || app::build(state.clone()).wrap(from_fn(shutdown::track)))
            // The request line and headers must arrive within this time, or 408 and close.
            .client_request_timeout(request_timeout)
            // After the answer, a client gets this long to close before the server does.
            .client_disconnect_timeout(std::time::Duration::from_secs(1))
            .on_connect(move |io, extensions| {
                // Lets a request framed two ways condemn what was pipelined behind it.
                crate::http::framing::on_connect(io, extensions);
                // Lets a shutdown close idle connections and wait for busy ones.
                drain.on_connect(io, extensions);
            })
            .disable_signals()
            .shutdown_timeout(shutdown_timeout)
            .worker_max_blocking_threads(blocking_threads)
            .listen(listener)?
            .run(),
    )
}
