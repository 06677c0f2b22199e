//! Races through a real listener: N clients at once, then the invariant read back
//! through the API. Every race runs several rounds; each round prints one line
//! (`race <name> on <backend> round i/n: ok|FAILED …`, seen with `--nocapture`) and the
//! test fails at the end if any round broke the invariant, saying how many did.

use std::collections::{BTreeMap, HashSet};

use futures_util::future::{join, join_all};
use serde_json::{Value, json};

use crate::support::PASSWORD;
use crate::support::fixtures::{ArticleBuilder, ChannelBuilder};
use crate::support::listener::{Listener, Reply};
use crate::support::wire::JsonExt;

/// The per-round verdicts of one race.
struct Rounds {
    race: &'static str,
    backend: &'static str,
    total: usize,
    failed: Vec<String>,
}

impl Rounds {
    fn new(race: &'static str, listener: &Listener, total: usize) -> Self {
        Self {
            race,
            backend: listener.backend(),
            total,
            failed: Vec::new(),
        }
    }

    /// Records round `round` (from 1): it held when `problems` is empty.
    fn record(&mut self, round: usize, problems: Vec<String>) {
        let (race, backend, total) = (self.race, self.backend, self.total);
        if problems.is_empty() {
            eprintln!("race {race} on {backend} round {round}/{total}: ok");
        } else {
            let problems = problems.join("; ");
            eprintln!("race {race} on {backend} round {round}/{total}: FAILED {problems}");
            self.failed.push(format!("round {round}: {problems}"));
        }
    }

    /// Stops the server, then fails the test if any round broke the invariant.
    async fn finish(self, listener: Listener) {
        listener.stop().await;
        assert!(
            self.failed.is_empty(),
            "race {} on {}: {} of {} rounds broke the invariant:\n{}",
            self.race,
            self.backend,
            self.failed.len(),
            self.total,
            self.failed.join("\n")
        );
    }
}

/// How many answers had each status, e.g. `{200: 1, 412: 31}`.
fn statuses(replies: &[Reply]) -> BTreeMap<u16, usize> {
    replies.iter().fold(BTreeMap::new(), |mut counts, reply| {
        *counts.entry(reply.status).or_default() += 1;
        counts
    })
}

fn count(replies: &[Reply], status: u16) -> usize {
    replies.iter().filter(|r| r.status == status).count()
}

/// The bodies of answers outside `allowed`, for the failure message.
fn unexpected(replies: &[Reply], allowed: &[u16]) -> Option<String> {
    let odd: Vec<String> = replies
        .iter()
        .filter(|r| !allowed.contains(&r.status))
        .map(|r| format!("{} {}", r.status, r.text()))
        .collect();
    (!odd.is_empty()).then(|| format!("unexpected answers: {}", odd.join(" | ")))
}

/// A made-up client address per round, sent as `X-Forwarded-For` (the listener trusts
/// it), so that rate limits and the duplicate rule start clean every round.
fn client(kind: u8, round: usize) -> String {
    format!("2001:db8::{kind}:{round}")
}

const TRUST_FORWARDED_FOR: (&str, &str) = ("NEWSDESK_TRUST_FORWARDED_FOR", "true");

#[actix_web::test]
async fn patches_sharing_one_etag_have_exactly_one_winner() {
    const ROUNDS: usize = 10;
    const CLIENTS: usize = 32;
    let site = Listener::start(&[]).await;
    let app = &site.app;
    let channel = ChannelBuilder::new(app, "萍乡频道", "pingxiang")
        .create()
        .await;
    let mut rounds = Rounds::new("patch-if-match", &site, ROUNDS);
    for round in 1..=ROUNDS {
        let article = ArticleBuilder::new(app)
            .in_channel(channel)
            .title(&format!("第{round}篇"))
            .create()
            .await;
        let path = format!("/api/v1/articles/{}", article.id);
        let read = site.get(&path).bearer(&app.editor).send().await;
        read.ok(200);
        let etag = read.etag.expect("article ETag");

        let replies = join_all((0..CLIENTS).map(|i| {
            site.patch(&path)
                .bearer(&app.editor)
                .header("If-Match", &etag)
                .json(json!({"title": format!("第{round}篇第{i}稿")}))
                .send()
        }))
        .await;

        let mut problems = Vec::new();
        let winners = count(&replies, 200);
        if winners != 1 || count(&replies, 412) != CLIENTS - 1 {
            problems.push(format!(
                "{winners} PATCHes won, wanted 1 and {} × 412: {:?}",
                CLIENTS - 1,
                statuses(&replies)
            ));
        }
        problems.extend(unexpected(&replies, &[200, 412]));
        let revisions = site
            .get(&format!("{path}/revisions?per_page=100"))
            .bearer(&app.editor)
            .send()
            .await
            .ok(200);
        let versions: Vec<i64> = revisions["data"]
            .as_array()
            .expect("revisions")
            .iter()
            .map(|r| r["version"].as_i64().expect("version"))
            .collect();
        if versions.iter().collect::<HashSet<_>>().len() != versions.len() {
            problems.push(format!("revisions repeat a version: {versions:?}"));
        }
        let version = site.get(&path).bearer(&app.editor).send().await.ok(200)["version"].clone();
        if version != 2 {
            problems.push(format!("the article is at version {version}, wanted 2"));
        }
        rounds.record(round, problems);
    }
    rounds.finish(site).await;
}

#[actix_web::test]
async fn comment_count_equals_the_approved_comments_after_concurrent_posts_and_approvals() {
    const ROUNDS: usize = 8;
    const EACH: usize = 16;
    let site = Listener::start(&[TRUST_FORWARDED_FOR]).await;
    let app = &site.app;
    let mut rounds = Rounds::new("comment-count", &site, ROUNDS);
    for round in 1..=ROUNDS {
        // Pending comments to approve, then the channel starts approving new ones itself,
        // so both the posts and the approvals recount the article.
        let channel = app
            .post("/api/v1/channels")
            .bearer(&app.editor)
            .json(&json!({"name": format!("频道{round}"), "slug": format!("comments-{round}")}))
            .send()
            .await
            .ok(201);
        let article = ArticleBuilder::new(app)
            .in_channel(channel.id())
            .published()
            .create()
            .await;
        let comments = format!("/api/v1/articles/{}/comments", article.id);
        let mut pending = Vec::new();
        for i in 0..EACH {
            let posted = app
                .post(&comments)
                .json(&json!({"author_name": "萍乡网友", "body": format!("待审评论{i}")}))
                .send()
                .await
                .ok(201);
            pending.push(posted.id());
        }
        app.patch(&format!("/api/v1/channels/{}", channel.id()))
            .bearer(&app.editor)
            .json(&json!({"auto_approve_comments": true}))
            .send()
            .await
            .ok(200);

        let approvals = pending.iter().map(|comment| {
            site.patch(&format!("/api/v1/comments/{comment}"))
                .bearer(&app.editor)
                .json(json!({"status": "approved"}))
                .send()
        });
        let posts = (0..EACH).map(|i| {
            site.post(&comments)
                .header("X-Forwarded-For", &client(2, round * 100 + i))
                .json(json!({"author_name": "萍乡网友", "body": format!("直接发布{i}")}))
                .send()
        });
        let (approved, posted) = join(join_all(approvals), join_all(posts)).await;

        let mut problems = Vec::new();
        problems.extend(unexpected(&approved, &[200]));
        problems.extend(unexpected(&posted, &[201]));
        let accepted = count(&approved, 200) + count(&posted, 201);
        let listed = site.get(&comments).send().await.ok(200)["meta"]["total"].clone();
        let counted = site
            .get(&format!("/api/v1/articles/{}", article.id))
            .send()
            .await
            .ok(200)["comment_count"]
            .clone();
        if counted != listed || listed != accepted {
            problems.push(format!(
                "comment_count {counted}, approved comments listed {listed}, approved or posted {accepted}"
            ));
        }
        rounds.record(round, problems);
    }
    rounds.finish(site).await;
}

#[actix_web::test]
async fn list_totals_equal_the_real_number_after_concurrent_creates_publishes_and_deletes() {
    const ROUNDS: usize = 4;
    const EACH: usize = 8;
    let site = Listener::start(&[]).await;
    let app = &site.app;
    let portal = ChannelBuilder::new(app, "大江网", "portal").create().await;
    let mut rounds = Rounds::new("list-total", &site, ROUNDS);
    for round in 1..=ROUNDS {
        let channel = ChannelBuilder::new(app, &format!("频道{round}"), &format!("totals-{round}"))
            .parent(portal)
            .create()
            .await;
        let article = || ArticleBuilder::new(app).in_channel(channel);
        let mut drafts = Vec::new();
        let mut published = Vec::new();
        for _ in 0..EACH {
            drafts.push(article().create().await.id);
            published.push(article().published_hours_ago(1).create().await.id);
        }

        let creates = (0..EACH).map(|i| {
            site.post("/api/v1/articles")
                .bearer(&app.editor)
                .json(json!({
                    "title": format!("第{round}轮新稿{i}"), "channel_id": channel,
                    "status": "published", "pages": ["<p>正文</p>"]
                }))
                .send()
        });
        let publishes = drafts.iter().map(|id| {
            site.patch(&format!("/api/v1/articles/{id}"))
                .bearer(&app.editor)
                .json(json!({"status": "published"}))
                .send()
        });
        let deletes = published.iter().map(|id| {
            site.call(awc::http::Method::DELETE, &format!("/api/v1/articles/{id}"))
                .bearer(&app.editor)
                .send()
        });
        let ((created, publish), deleted) = join(
            join(join_all(creates), join_all(publishes)),
            join_all(deletes),
        )
        .await;

        let mut problems = Vec::new();
        problems.extend(unexpected(&created, &[201]));
        problems.extend(unexpected(&publish, &[200]));
        problems.extend(unexpected(&deleted, &[204]));
        let public =
            (EACH + count(&created, 201) + count(&publish, 200) - count(&deleted, 204)) as i64;
        let everything = (2 * EACH + count(&created, 201) - count(&deleted, 204)) as i64;
        for (reader, query) in [
            ("anonymous", format!("?channel={channel}&per_page=100")),
            (
                "anonymous",
                format!("?channel={portal}&include_descendants=true&per_page=100"),
            ),
            ("editor", format!("?channel={channel}&per_page=100")),
        ] {
            let mut call = site.get(&format!("/api/v1/articles{query}"));
            if reader == "editor" {
                call = call.bearer(&app.editor);
            }
            let list = call.send().await.ok(200);
            let total = list["meta"]["total"].as_i64().unwrap_or(-1);
            let rows = list.ids().len() as i64;
            // The portal's subtree holds the earlier rounds' articles too.
            let real = if query.contains("include_descendants") {
                rows
            } else if reader == "editor" {
                everything
            } else {
                public
            };
            if total != rows || total != real {
                problems.push(format!(
                    "{reader} {query}: total {total}, rows listed {rows}, wanted {real}"
                ));
            }
        }
        rounds.record(round, problems);
    }
    rounds.finish(site).await;
}

/// Follows `parent_id` up from `start`; `Err` names the loop when it comes back round.
async fn walk_up(site: &Listener, start: i64) -> Result<Vec<i64>, String> {
    let mut trail = vec![start];
    loop {
        let channel = site
            .get(&format!("/api/v1/channels/{}", trail[trail.len() - 1]))
            .send()
            .await
            .ok(200);
        match channel["parent_id"].as_i64() {
            None => return Ok(trail),
            Some(parent) if trail.contains(&parent) => {
                trail.push(parent);
                return Err(format!("channels form a cycle: {trail:?}"));
            }
            Some(parent) => trail.push(parent),
        }
    }
}

#[actix_web::test]
async fn crossed_channel_moves_never_make_a_cycle() {
    const ROUNDS: usize = 20;
    let site = Listener::start(&[]).await;
    let app = &site.app;
    let mut rounds = Rounds::new("channel-cycle", &site, ROUNDS);
    for round in 1..=ROUNDS {
        let a = ChannelBuilder::new(app, "甲", &format!("a-{round}"))
            .create()
            .await;
        let b = ChannelBuilder::new(app, "乙", &format!("b-{round}"))
            .create()
            .await;
        let replies = join_all([(a, b), (b, a)].map(|(child, parent)| {
            site.patch(&format!("/api/v1/channels/{child}"))
                .bearer(&app.editor)
                .json(json!({"parent_id": parent}))
                .send()
        }))
        .await;

        let mut problems = Vec::new();
        if count(&replies, 200) > 1 {
            problems.push(format!("both moves succeeded: {:?}", statuses(&replies)));
        }
        problems.extend(unexpected(&replies, &[200, 409, 422]));
        for start in [a, b] {
            if let Err(cycle) = walk_up(&site, start).await {
                problems.push(cycle);
                break;
            }
        }
        rounds.record(round, problems);
    }
    rounds.finish(site).await;
}

#[actix_web::test]
async fn a_refresh_token_sent_eight_times_at_once_is_exchanged_once() {
    const ROUNDS: usize = 10;
    const CLIENTS: usize = 8;
    let site = Listener::start(&[]).await;
    let app = &site.app;
    let mut rounds = Rounds::new("refresh-reuse", &site, ROUNDS);
    for round in 1..=ROUNDS {
        let session = app
            .post("/api/v1/auth/login")
            .json(&json!({"email": "editor@example.com", "password": PASSWORD}))
            .send()
            .await
            .ok(200);
        let token = session["refresh_token"].clone();
        let replies = join_all((0..CLIENTS).map(|_| {
            site.post("/api/v1/auth/refresh")
                .json(json!({"refresh_token": token}))
                .send()
        }))
        .await;

        let mut problems = Vec::new();
        let exchanges: Vec<&Reply> = replies.iter().filter(|r| r.status == 200).collect();
        if exchanges.len() != 1 || count(&replies, 401) != CLIENTS - 1 {
            problems.push(format!(
                "the token was exchanged {} times, wanted once and {} × 401: {:?}",
                exchanges.len(),
                CLIENTS - 1,
                statuses(&replies)
            ));
        }
        problems.extend(unexpected(&replies, &[200, 401]));
        // The other presentations were reuse, which revokes the whole family: the
        // winner's new refresh token must be dead too.
        for exchange in exchanges {
            let renewed = site
                .post("/api/v1/auth/refresh")
                .json(json!({"refresh_token": exchange.json()["refresh_token"]}))
                .send()
                .await;
            if renewed.status != 401 {
                problems.push(format!(
                    "reuse went undetected: the renewed token still refreshes ({})",
                    renewed.status
                ));
                break;
            }
        }
        rounds.record(round, problems);
    }
    rounds.finish(site).await;
}

/// Active admins, as whichever of `tokens` still may list accounts sees them.
async fn active_admins(site: &Listener, tokens: &[&str]) -> usize {
    for token in tokens {
        let users = site
            .get("/api/v1/users?per_page=100")
            .bearer(token)
            .send()
            .await;
        if users.status == 200 {
            return users.json()["data"]
                .as_array()
                .expect("users")
                .iter()
                .filter(|u| u["role"] == "admin" && u["active"] == true)
                .count();
        }
    }
    0
}

#[actix_web::test]
async fn two_admins_demoting_themselves_and_each_other_at_once_leave_an_admin() {
    const ROUNDS: usize = 20;
    let site = Listener::start(&[]).await;
    let app = &site.app;
    let first = app
        .get("/api/v1/auth/me")
        .bearer(&app.admin)
        .send()
        .await
        .ok(200);
    let first = (first.id(), app.admin.clone());
    let second = app.create_user("second-admin@example.com", "admin").await;
    let second = (second, app.token_for(second));
    let mut rounds = Rounds::new("last-admin", &site, ROUNDS);
    for round in 1..=ROUNDS {
        let pairs = [
            (&first.1, first.0),
            (&second.1, second.0),
            (&first.1, second.0),
            (&second.1, first.0),
        ];
        let replies = join_all(pairs.map(|(token, target)| {
            site.patch(&format!("/api/v1/users/{target}"))
                .bearer(token)
                .json(json!({"role": "editor"}))
                .send()
        }))
        .await;

        let mut problems = Vec::new();
        problems.extend(unexpected(&replies, &[200, 403, 409]));
        let admins = active_admins(&site, &[&first.1, &second.1]).await;
        if admins == 0 {
            problems.push(format!("no admin left: {:?}", statuses(&replies)));
        }
        rounds.record(round, problems);

        // Both back to admin for the next round, straight in the database: with no
        // admin left there is nobody to ask.
        let ids = [first.0, second.0];
        app.with_db(move |conn| {
            use diesel::prelude::*;
            use newsdesk::db::schema::users;
            diesel::update(users::table.filter(users::id.eq_any(ids)))
                .set(users::role.eq("admin"))
                .execute(conn)?;
            Ok(())
        })
        .await;
    }
    rounds.finish(site).await;
}

/// Comments of `article` in the moderation queue with `status`.
async fn queued(site: &Listener, article: i64, status: &str) -> i64 {
    site.get(&format!(
        "/api/v1/comments?article={article}&status={status}"
    ))
    .bearer(&site.app.editor)
    .send()
    .await
    .ok(200)["meta"]["total"]
        .as_i64()
        .expect("total")
}

#[actix_web::test]
async fn identical_comments_sent_at_once_are_stored_once() {
    const ROUNDS: usize = 10;
    const CLIENTS: usize = 8;
    let site = Listener::start(&[TRUST_FORWARDED_FOR]).await;
    let app = &site.app;
    let channel = ChannelBuilder::new(app, "萍乡频道", "pingxiang")
        .create()
        .await;
    let article = ArticleBuilder::new(app)
        .in_channel(channel)
        .published()
        .create()
        .await
        .id;
    let mut rounds = Rounds::new("duplicate-comment", &site, ROUNDS);
    for round in 1..=ROUNDS {
        let before = queued(&site, article, "pending").await;
        // The rule: one client's newest comment on an article may not be sent again.
        let sender = client(6, round);
        let replies = join_all((0..CLIENTS).map(|_| {
            site.post(&format!("/api/v1/articles/{article}/comments"))
                .header("X-Forwarded-For", &sender)
                .json(json!({"author_name": "萍乡网友", "body": format!("同一条评论{round}")}))
                .send()
        }))
        .await;

        let mut problems = Vec::new();
        if count(&replies, 201) != 1 || count(&replies, 409) != CLIENTS - 1 {
            problems.push(format!(
                "wanted one 201 and {} × 409: {:?}",
                CLIENTS - 1,
                statuses(&replies)
            ));
        }
        problems.extend(unexpected(&replies, &[201, 409]));
        let stored = queued(&site, article, "pending").await - before;
        if stored != 1 {
            problems.push(format!("{stored} copies stored"));
        }
        rounds.record(round, problems);
    }
    rounds.finish(site).await;
}

#[actix_web::test]
async fn same_slug_creates_have_one_winner_and_the_rest_409_never_500() {
    const ROUNDS: usize = 5;
    const CLIENTS: usize = 8;
    let site = Listener::start(&[]).await;
    let app = &site.app;
    let channel = ChannelBuilder::new(app, "萍乡频道", "pingxiang")
        .create()
        .await;
    let mut rounds = Rounds::new("same-slug", &site, ROUNDS);
    for round in 1..=ROUNDS {
        let slug = format!("race-{round}");
        let site = &site;
        let creates = ["channels", "articles", "authors"].map(|kind| {
            let body = match kind {
                "channels" => json!({"name": "同名频道", "slug": slug}),
                "articles" => json!({
                    "title": "同名文章", "slug": slug, "channel_id": channel,
                    "pages": ["<p>正文</p>"],
                }),
                _ => json!({"name": "同名作者", "slug": slug}),
            };
            let requests = (0..CLIENTS).map(move |_| {
                site.post(&format!("/api/v1/{kind}"))
                    .bearer(&app.editor)
                    .json(body.clone())
                    .send()
            });
            async move { (kind, join_all(requests).await) }
        });
        let mut problems = Vec::new();
        for (kind, replies) in join_all(creates).await {
            if count(&replies, 201) != 1 || count(&replies, 409) != CLIENTS - 1 {
                problems.push(format!(
                    "{kind}: wanted one 201 and {} × 409: {:?}",
                    CLIENTS - 1,
                    statuses(&replies)
                ));
            }
            problems.extend(unexpected(&replies, &[201, 409]).map(|odd| format!("{kind}: {odd}")));
            let found = site
                .get(&format!("/api/v1/{kind}/{slug}"))
                .bearer(&app.editor)
                .send()
                .await;
            if found.status != 200 {
                problems.push(format!("{kind}: GET by slug answered {}", found.status));
            }
        }
        rounds.record(round, problems);
    }
    rounds.finish(site).await;
}

#[actix_web::test]
async fn tip_and_comment_floods_answer_202_201_or_429_and_store_every_accepted_one() {
    const ROUNDS: usize = 5;
    const CLIENTS: usize = 32;
    const LIMIT: usize = 12;
    let limit = LIMIT.to_string();
    let site = Listener::start_single(&[
        TRUST_FORWARDED_FOR,
        ("NEWSDESK_PUBLIC_WRITES_PER_MINUTE", &limit),
    ])
    .await;
    let app = &site.app;
    let channel = ChannelBuilder::new(app, "萍乡频道", "pingxiang")
        .create()
        .await;
    let article = ArticleBuilder::new(app)
        .in_channel(channel)
        .published()
        .create()
        .await
        .id;
    let mut rounds = Rounds::new("flood", &site, ROUNDS);
    for round in 1..=ROUNDS {
        let tips_before = stored_tips(&site).await;
        let comments_before = queued(&site, article, "pending").await;
        let (tipper, commenter) = (client(8, round), client(9, round));
        let tips = (0..CLIENTS).map(|i| {
            site.post("/api/v1/tips")
                .header("X-Forwarded-For", &tipper)
                .json(json!({"channel_id": channel, "content": format!("安源区路灯坏了，第{round}轮第{i}条"), "name": "王先生"}))
                .send()
        });
        let comments = (0..CLIENTS).map(|i| {
            site.post(&format!("/api/v1/articles/{article}/comments"))
                .header("X-Forwarded-For", &commenter)
                .json(json!({"author_name": "萍乡网友", "body": format!("第{round}轮第{i}条评论")}))
                .send()
        });
        let (tips, comments) = join(join_all(tips), join_all(comments)).await;

        let mut problems = Vec::new();
        problems.extend(unexpected(&tips, &[202, 429]).map(|odd| format!("tips: {odd}")));
        problems.extend(unexpected(&comments, &[201, 429]).map(|odd| format!("comments: {odd}")));
        let stored = stored_tips(&site).await - tips_before;
        let accepted = count(&tips, 202);
        if stored != accepted as i64 || accepted > LIMIT {
            problems.push(format!(
                "tips: {accepted} accepted (limit {LIMIT}), {stored} stored: {:?}",
                statuses(&tips)
            ));
        }
        let stored = queued(&site, article, "pending").await - comments_before;
        let accepted = count(&comments, 201);
        if stored != accepted as i64 || accepted > LIMIT {
            problems.push(format!(
                "comments: {accepted} accepted (limit {LIMIT}), {stored} stored: {:?}",
                statuses(&comments)
            ));
        }
        rounds.record(round, problems);
    }
    rounds.finish(site).await;
}

async fn stored_tips(site: &Listener) -> i64 {
    site.get("/api/v1/tips")
        .bearer(&site.app.editor)
        .send()
        .await
        .ok(200)["meta"]["total"]
        .as_i64()
        .expect("total")
}

#[actix_web::test]
async fn creates_sent_together_each_succeed_or_fail_on_their_own() {
    const ROUNDS: usize = 5;
    const UNIQUE: usize = 20;
    const SAME_SLUG: usize = 8;
    const NO_CHANNEL: usize = 4;
    let site = Listener::start(&[]).await;
    let app = &site.app;
    let channel = ChannelBuilder::new(app, "萍乡频道", "pingxiang")
        .create()
        .await;
    let mut rounds = Rounds::new("mixed-creates", &site, ROUNDS);
    let mut stored_before = 0;
    for round in 1..=ROUNDS {
        // On SQLite these share group commits: the 409s and 422s must take back only
        // their own work.
        let article = |slug: String, channel: i64| {
            json!({"title": format!("第{round}轮 {slug}"), "slug": slug, "channel_id": channel,
                   "pages": ["<p>正文</p>"]})
        };
        let mut bodies: Vec<(&str, Value)> = Vec::new();
        for i in 0..UNIQUE.max(SAME_SLUG).max(NO_CHANNEL) {
            if i < UNIQUE {
                bodies.push(("unique", article(format!("unique-{round}-{i}"), channel)));
            }
            if i < SAME_SLUG {
                bodies.push(("same", article(format!("same-{round}"), channel)));
            }
            if i < NO_CHANNEL {
                bodies.push((
                    "nochannel",
                    article(format!("lost-{round}-{i}"), channel + 1000),
                ));
            }
        }
        let replies = join_all(bodies.iter().map(|(_, body)| {
            site.post("/api/v1/articles")
                .bearer(&app.editor)
                .json(body.clone())
                .send()
        }))
        .await;

        let mut problems = Vec::new();
        let of_kind = |kind: &str| -> Vec<&Reply> {
            bodies
                .iter()
                .zip(&replies)
                .filter(|((k, _), _)| *k == kind)
                .map(|(_, reply)| reply)
                .collect()
        };
        let tally = |replies: Vec<&Reply>| {
            replies
                .iter()
                .fold(BTreeMap::<u16, usize>::new(), |mut t, r| {
                    *t.entry(r.status).or_default() += 1;
                    t
                })
        };
        let unique = tally(of_kind("unique"));
        if unique != BTreeMap::from([(201, UNIQUE)]) {
            problems.push(format!("unique slugs: {unique:?}"));
        }
        let same = tally(of_kind("same"));
        if same != BTreeMap::from([(201, 1), (409, SAME_SLUG - 1)]) {
            problems.push(format!("one slug: {same:?}"));
        }
        let lost = tally(of_kind("nochannel"));
        if lost != BTreeMap::from([(422, NO_CHANNEL)]) {
            problems.push(format!("missing channel: {lost:?}"));
        }
        for reply in replies.iter().filter(|r| r.status == 201) {
            let created = reply.json();
            let found = site
                .get(&format!("/api/v1/articles/{}", created["id"]))
                .bearer(&app.editor)
                .send()
                .await;
            if found.status != 200 || found.json()["title"] != created["title"] {
                problems.push(format!(
                    "created {} but read {}",
                    created["id"], found.status
                ));
            }
        }
        let stored = site
            .get("/api/v1/articles?per_page=1")
            .bearer(&app.editor)
            .send()
            .await
            .ok(200)["meta"]["total"]
            .as_i64()
            .expect("total");
        let created = count(&replies, 201) as i64;
        if stored - stored_before != created {
            problems.push(format!(
                "{created} answered 201, {} stored",
                stored - stored_before
            ));
        }
        stored_before = stored;
        rounds.record(round, problems);
    }
    rounds.finish(site).await;
}
