//! Seeds a newsroom of N articles and measures the reading API under load.
//!
//! ```sh
//! cargo run --release --example loadtest -- [ARTICLES] [REQUESTS_PER_SCENARIO] [DATABASE_URL] [CLIENTS]
//! ```
//!
//! Defaults: 10000 articles, 2000 requests per scenario, a fresh SQLite file in a temp
//! dir, and the scenarios run once with 1 client and once with 32 (`CLIENTS` is a
//! comma-separated list of client counts). A PostgreSQL URL names a database (or schema,
//! via `options=-csearch_path`); one that already holds articles is measured as it is,
//! without seeding again, so a large newsroom is seeded once and measured before and
//! after a change. The server is `serve`'s own (`cli::http_server`, one worker per core)
//! on a loopback port; each client is a thread with its own keep-alive connection, so
//! clients and server share the machine.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use diesel::prelude::*;

use newsdesk::articles::content::{BylineRef, NewArticle, Source};
use newsdesk::articles::service as articles;
use newsdesk::authors::service::{self as authors, NewAuthor};
use newsdesk::channels::service::{self as channels, NewChannel};
use newsdesk::config::{Config, PasswordCost};
use newsdesk::domain::enums::{ArticleStatus, BylineRole};
use newsdesk::domain::role::{CurrentUser, Role};

const PLACES: [&str; 11] = [
    "南昌",
    "九江",
    "景德镇",
    "萍乡",
    "新余",
    "鹰潭",
    "赣州",
    "宜春",
    "上饶",
    "吉安",
    "抚州",
];
const WORDS: [&str; 24] = [
    "经济", "发展", "项目", "建设", "产业", "转型", "升级", "工业", "农业", "乡村", "振兴", "交通",
    "教育", "医疗", "文化", "旅游", "生态", "环境", "民生", "就业", "科技", "创新", "城市", "社区",
];
const SEARCHES: [&str; 6] = ["萍乡", "景德镇", "乡村振兴", "交通建设", "赣州", "生态环境"];

/// A small deterministic generator, so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    /// Generic newsroom words with the article's own city now and then, so a city's name
    /// matches about one article in eleven, as it would in real local news.
    fn paragraph(&mut self, city: &str, words: usize) -> String {
        (0..words)
            .map(|i| {
                let w = if i % 7 == 0 { city } else { self.pick(&WORDS) };
                if i % 12 == 11 {
                    format!("{w}。")
                } else {
                    w.to_owned()
                }
            })
            .collect()
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let article_count: usize = args.first().map_or(Ok(10_000), |a| a.parse())?;
    let requests: usize = args.get(1).map_or(Ok(2_000), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    let url = args
        .get(2)
        .cloned()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("load.db").display()));
    let client_counts: Vec<usize> = args
        .get(3)
        .map_or("1,32", String::as_str)
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;

    let mut config = Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some(url.clone()),
        "NEWSDESK_JWT_SECRET" => Some("loadtest-secret-loadtest-secret-loadtest".into()),
        // One connection per client at most, as a tuned deployment would have.
        "NEWSDESK_DB_POOL_SIZE" => Some("16".into()),
        _ => None,
    })?;
    config.password_cost = PasswordCost {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
    };
    let backend = config.database.kind();
    let state = newsdesk::state::prepare(config)?;

    let existing: i64 = {
        let mut conn = state.pool.get()?;
        newsdesk::db::schema::articles::table
            .count()
            .get_result(&mut *conn)?
    };
    let channel_ids = if existing > 0 {
        println!("measuring the {existing} articles already on {backend} (not seeding)");
        city_ids(&state)?
    } else {
        let seeding = Instant::now();
        let ids = seed(&state, article_count)?;
        println!(
            "seeded {article_count} articles on {backend} in {:.1} s",
            seeding.elapsed().as_secs_f64()
        );
        ids
    };
    let article_count = if existing > 0 {
        existing as usize
    } else {
        article_count
    };

    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let server_state = state.clone();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let drain = newsdesk::shutdown::Drain::new();
            newsdesk::cli::http_server(server_state, listener, drain)?.await
        })
    });
    std::thread::sleep(Duration::from_millis(500));

    let pages = (article_count / 20).max(1) as u64;
    let ids = article_count as u64;
    let portal_children = channel_ids.len() as u64;
    type PathFn = Box<dyn Fn(&mut Rng) -> String + Send + Sync>;
    let scenarios: Vec<(&str, PathFn)> = vec![
        (
            "list (newest, any page)",
            Box::new(move |r: &mut Rng| {
                format!(
                    "/api/v1/articles?per_page=20&page={}",
                    1 + r.next() % pages.min(50)
                )
            }),
        ),
        (
            "list by channel subtree",
            Box::new(move |r: &mut Rng| {
                format!(
                    "/api/v1/articles?per_page=20&channel={}&include_descendants=true",
                    channel_ids[(r.next() % portal_children) as usize]
                )
            }),
        ),
        (
            "detail",
            Box::new(move |r: &mut Rng| format!("/api/v1/articles/{}", 1 + r.next() % ids)),
        ),
        (
            "search 2 chars (萍乡)",
            Box::new(|_: &mut Rng| format!("/api/v1/articles?per_page=20&q={}", encode("萍乡"))),
        ),
        (
            "search (Chinese, 2-4 chars)",
            Box::new(|r: &mut Rng| {
                format!(
                    "/api/v1/articles?per_page=20&q={}",
                    encode(r.pick(&SEARCHES))
                )
            }),
        ),
    ];
    for &clients in &client_counts {
        println!(
            "{article_count} articles on {backend}, {clients} client(s) with keep-alive connections"
        );
        println!(
            "{:<28} {:>8} {:>10} {:>10} {:>10} {:>8}",
            "scenario", "requests", "median ms", "p99 ms", "req/s", "non-200"
        );
        for (name, path) in &scenarios {
            // Warm caches (pages, prepared statements, pool) before measuring.
            run(port, clients.max(1) * 4, clients, path)?;
            let (mut latencies, failed, wall) = run(port, requests, clients, path)?;
            latencies.sort();
            let median = latencies[latencies.len() / 2];
            let p99 = latencies[(latencies.len() * 99 / 100).min(latencies.len() - 1)];
            println!(
                "{name:<28} {:>8} {:>10.2} {:>10.2} {:>10.0} {failed:>8}",
                latencies.len(),
                median.as_secs_f64() * 1e3,
                p99.as_secs_f64() * 1e3,
                latencies.len() as f64 / wall.as_secs_f64()
            );
        }
    }
    Ok(())
}

/// The city channels of a newsroom seeded earlier.
fn city_ids(state: &newsdesk::AppState) -> Result<Vec<i64>, Box<dyn std::error::Error>> {
    use newsdesk::db::schema::channels;
    let mut conn = state.pool.get()?;
    let ids = channels::table
        .filter(channels::slug.like("city-%"))
        .filter(channels::slug.not_like("%-column-%"))
        .order(channels::id)
        .select(channels::id)
        .load(&mut *conn)?;
    Ok(ids)
}

/// A portal with the eleven city channels, three columns each, ten authors, and the
/// articles spread over the columns. Returns the city channel ids.
fn seed(state: &newsdesk::AppState, count: usize) -> Result<Vec<i64>, Box<dyn std::error::Error>> {
    let mut conn = state.pool.get()?;
    let conn = &mut *conn;
    // Seeding waits for no disk flush per article: a crash would only lose the bench
    // data, and each article is still its own transaction through the services.
    match conn {
        newsdesk::db::AnyConnection::Sqlite(_) => {
            diesel::sql_query("PRAGMA synchronous = OFF").execute(conn)?
        }
        newsdesk::db::AnyConnection::Postgres(_) => {
            diesel::sql_query("SET synchronous_commit = off").execute(conn)?
        }
    };
    let editor = newsdesk::users::service::create_now(
        conn,
        &state.auth.passwords,
        newsdesk::users::service::NewUser {
            email: "loadtest@example.com".into(),
            display_name: "Load".into(),
            password: "loadtest-password".into(),
            role: "editor".into(),
        },
    )
    .map(|u| CurrentUser::account(u.id, Role::Editor))?;
    let outbox = state.outbox();
    let channel =
        |name: &str, slug: String, parent: Option<i64>, conn: &mut newsdesk::db::AnyConnection| {
            channels::create(
                conn,
                outbox,
                NewChannel {
                    name: name.into(),
                    slug,
                    parent_id: parent,
                    position: None,
                    description: None,
                    auto_approve_comments: false,
                    links: Vec::new(),
                },
            )
            .map(|c| c.value.row.id)
        };
    let portal = channel("大江网", "portal".into(), None, conn)?;
    let mut cities = Vec::new();
    let mut columns = Vec::new();
    for (i, place) in PLACES.iter().enumerate() {
        let city = channel(place, format!("city-{i}"), Some(portal), conn)?;
        cities.push(city);
        for (j, column) in ["时政要闻", "社会聚焦", "经济观察"].iter().enumerate() {
            columns.push(channel(
                column,
                format!("city-{i}-column-{j}"),
                Some(city),
                conn,
            )?);
        }
    }
    let mut author_ids = Vec::new();
    for i in 0..10 {
        let author = authors::create(
            conn,
            outbox,
            NewAuthor {
                name: format!("记者{i}"),
                slug: format!("reporter-{i}"),
                title: Some("记者".into()),
                bio: None,
                avatar_url: None,
                avatar_media_id: None,
                user_id: None,
            },
        )?;
        author_ids.push(author.value.id);
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // Spread over the past year whatever the count, so every article is public by now.
    let start = chrono::Utc::now() - chrono::Duration::days(365);
    let step_seconds = 365 * 24 * 3600 / count.max(1) as i64;
    for i in 0..count {
        let column = (rng.next() % columns.len() as u64) as usize;
        let city = PLACES[column / 3];
        let pages = (0..1 + rng.next() % 3)
            .map(|_| {
                format!(
                    "<p>{}</p><p>{}</p>",
                    rng.paragraph(city, 60),
                    rng.paragraph(city, 60)
                )
            })
            .collect();
        let published_at = start + chrono::Duration::seconds(i as i64 * step_seconds);
        let new = NewArticle {
            title: format!("{city}{}{}", rng.pick(&WORDS), rng.pick(&WORDS)),
            slug: Some(format!("article-{i}")),
            subtitle: None,
            summary: Some(rng.paragraph(city, 12)),
            status: Some(ArticleStatus::Published),
            channel_id: columns[column],
            source: Some(Source {
                name: "萍乡日报".into(),
                url: None,
            }),
            bylines: vec![BylineRef {
                author_id: author_ids[(rng.next() % 10) as usize],
                role: BylineRole::Author,
            }],
            published_at: Some(published_at.fixed_offset()),
            cover_image_url: None,
            cover_media_id: None,
            tags: vec![rng.pick(&WORDS).to_owned()],
            comments_enabled: Some(true),
            related_ids: Vec::new(),
            pages,
        };
        articles::create(conn, outbox, editor, &articles::draft(editor, new)?)?;
    }
    Ok(cities)
}

fn encode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// Sends `total` GETs from `clients` threads, each over its own keep-alive connection;
/// returns every latency, how many answers were not 200 (a 503 when the pool's wait ran
/// out) and the wall time.
fn run(
    port: u16,
    total: usize,
    clients: usize,
    path: &(dyn Fn(&mut Rng) -> String + Send + Sync),
) -> Result<(Vec<Duration>, usize, Duration), Box<dyn std::error::Error>> {
    let clients = clients.max(1);
    let per_client = total.div_ceil(clients);
    let started = Instant::now();
    let results: Vec<Result<(Vec<Duration>, usize), String>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..clients as u64)
            .map(|t| {
                scope.spawn(move || {
                    let mut rng = Rng(0x1234_5678 + t);
                    let stream =
                        TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
                    stream.set_nodelay(true).map_err(|e| e.to_string())?;
                    let mut reader = BufReader::new(stream.try_clone().map_err(|e| e.to_string())?);
                    let mut writer = stream;
                    let mut times = Vec::with_capacity(per_client);
                    let mut failed = 0;
                    for _ in 0..per_client {
                        let target = path(&mut rng);
                        let sent = Instant::now();
                        write!(writer, "GET {target} HTTP/1.1\r\nHost: loadtest\r\n\r\n")
                            .map_err(|e| e.to_string())?;
                        let status = read_response(&mut reader).map_err(|e| e.to_string())?;
                        times.push(sent.elapsed());
                        if status != 200 {
                            failed += 1;
                        }
                    }
                    Ok((times, failed))
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err("client thread panicked".into()))
            })
            .collect()
    });
    let mut all = Vec::new();
    let mut failed = 0;
    for result in results {
        let (times, failures) = result?;
        all.extend(times);
        failed += failures;
    }
    Ok((all, failed, started.elapsed()))
}

fn read_response(reader: &mut BufReader<TcpStream>) -> std::io::Result<u16> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut length = 0;
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(status)
}
