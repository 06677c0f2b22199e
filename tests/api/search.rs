//! Search as readers use it: ranked by relevance and recency, several terms, phrases and
//! exclusions, mixed scripts and folded forms, highlights, and title suggestions, all
//! within the visibility rule.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::fixtures::{ArticleBuilder, Newsroom};
use crate::support::wire::JsonExt;

fn encoded(q: &str) -> String {
    form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

async fn search(app: &TestApp, q: &str, more: &str) -> Value {
    app.get(&format!("/api/v1/articles?q={}{more}", encoded(q)))
        .send()
        .await
        .ok(200)
}

/// A search by a signed-in account, whose view goes through the list query rather than
/// the index's own order.
async fn search_as(app: &TestApp, token: &str, q: &str, more: &str) -> Value {
    app.get(&format!("/api/v1/articles?q={}{more}", encoded(q)))
        .bearer(token)
        .send()
        .await
        .ok(200)
}

async fn found(app: &TestApp, q: &str) -> Vec<i64> {
    let mut ids = search(app, q, "").await.ids();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort();
    ids
}

/// The written-down corpus: what each story holds of 萍乡 交通, how old it is, and the
/// score `relevance` gives it (3 per term in the title, else 2 in the summary, else 1,
/// times 30 / (30 + age in days)).
#[actix_web::test]
async fn relevance_ranks_title_over_summary_over_body_and_fresh_over_old() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let story = |title: &str, summary: &str, body: &str, hours: i64| {
        let page = format!("<p>{body}</p>");
        let app = &app;
        let (title, summary) = (title.to_owned(), summary.to_owned());
        async move {
            ArticleBuilder::new(app)
                .in_channel(room.pingxiang)
                .title(&title)
                .summary(&summary)
                .pages(&[&page])
                .published_hours_ago(hours)
                .create()
                .await
                .id
        }
    };
    // both in the summary and title: (3 + 2) × ~1 = 5.0, an hour old
    let c = story("萍乡新闻", "交通调整", "正文", 1).await;
    // one in the summary, one in the body: (2 + 1) × ~1 = 3.0
    let d = story("今日要闻", "萍乡", "交通", 2).await;
    // both only in the body: 2 × ~1 = 2.0
    let e = story("今日要闻", "摘要", "萍乡交通", 3).await;
    // both in the title, ten days old: 6 × 30/40 = 4.5
    let a = story("萍乡交通新规", "摘要", "正文", 240).await;
    // both in the title, ninety days old: 6 × 30/120 = 1.5
    let f = story("萍乡交通", "摘要", "正文", 90 * 24).await;
    // both in the title, two years old: 6 × 30/760 ≈ 0.24
    let b = story("萍乡交通回顾", "摘要", "正文", 730 * 24).await;
    // only one of the terms: not a match
    let g = story("萍乡", "摘要", "正文", 1).await;

    let ranked = search(&app, "萍乡 交通", "").await;
    assert_eq!(ranked.ids(), [c, a, d, e, f, b], "{ranked}");
    assert_eq!(ranked["meta"]["total"], 6);
    let explicit = search(&app, "萍乡 交通", "&sort=relevance").await;
    assert_eq!(explicit.ids(), ranked.ids());
    let by_date = search(&app, "萍乡 交通", "&sort=-published_at").await;
    assert_eq!(by_date.ids(), [c, d, e, a, f, b]);
    let paged = search(&app, "萍乡 交通", "&per_page=4&page=2").await;
    assert_eq!(paged.ids(), [f, b]);
    // Without a search, `relevance` is the date order.
    let everything = app
        .get("/api/v1/articles?sort=relevance")
        .send()
        .await
        .ok(200);
    assert_eq!(everything.ids()[..4], [g, c, d, e]);
}

/// `count` stories in `channel`, published one an hour back from an hour ago, that
/// mention 萍乡交通 only in their body; their ids, newest first.
async fn mentioning_stories(app: &TestApp, channel: i64, count: i64) -> Vec<i64> {
    let mut ids = Vec::new();
    for hour in 1..=count {
        let article = ArticleBuilder::new(app)
            .in_channel(channel)
            .title(&format!("今日要闻{hour}"))
            .summary("摘要")
            .pages(&["<p>萍乡交通</p>"])
            .published_hours_ago(hour)
            .create()
            .await;
        ids.push(article.id);
    }
    ids
}

/// Ranking looks beyond the newest matches at those with a term in their title or
/// lead: an old story titled with both terms outranks sixty fresh stories that only
/// mention them, and paging through the ranked matches and the rest shows each once.
#[actix_web::test]
async fn old_title_matches_beyond_the_newest_are_ranked_and_pages_show_each_match_once() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let mentions = mentioning_stories(&app, room.pingxiang, 60).await;
    // 6 × 30/90 = 2.0 against 2 × 30/(30 + 60/24) ≈ 1.85 for the oldest mention, which
    // is beyond the 50 newest matches that ranking takes in any case.
    let titled = ArticleBuilder::new(&app)
        .in_channel(room.pingxiang)
        .title("萍乡交通六十天")
        .summary("摘要")
        .pages(&["<p>正文</p>"])
        .published_hours_ago(60 * 24)
        .create()
        .await
        .id;

    let first = search(&app, "萍乡 交通", "&per_page=7").await;
    assert_eq!(first.ids()[0], titled, "{first}");
    assert_eq!(first.ids()[1..], mentions[..6]);
    assert_eq!(first["meta"]["total"], 61);
    let mut seen = Vec::new();
    for page in 1..=9 {
        let answer = search(&app, "萍乡 交通", &format!("&per_page=7&page={page}")).await;
        seen.extend(answer.ids());
    }
    let mut expected = vec![titled];
    expected.extend(&mentions);
    assert_eq!(seen, expected);
    // An editor's search reads the rows to rank them, a reader's the index: the same
    // order.
    let edited = search_as(&app, &app.editor, "萍乡 交通", "&per_page=100").await;
    assert_eq!(edited.ids(), expected);
    let oldest_first = search(&app, "萍乡 交通", "&sort=published_at&per_page=2").await;
    assert_eq!(oldest_first.ids(), [titled, mentions[59]]);
}

/// A long story (more tokens than a PostgreSQL vector keeps positions for) whose title
/// holds a four-character term is still found by its title: it outranks fifty fresher
/// stories that only mention the term, though it is beyond the newest fifty matches.
#[actix_web::test]
async fn a_long_story_is_boosted_by_a_phrase_in_its_title() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    // 17,000 characters none of which is in the term: 17,000 positions.
    let filler: String = (0..17_000u32)
        .filter_map(|i| char::from_u32(0x7000 + i % 997))
        .collect();
    let long = ArticleBuilder::new(&app)
        .in_channel(room.pingxiang)
        .title("萍乡交通新规")
        .summary("摘要")
        .pages(&[&format!("<p>{filler}</p>")])
        .published_hours_ago(60)
        .create()
        .await
        .id;
    mentioning_stories(&app, room.pingxiang, 50).await;
    let ranked = search(&app, "萍乡交通", "&per_page=3").await;
    assert_eq!(ranked.ids()[0], long, "{ranked}");
}

/// A search counts its matches only so far beyond the page asked for, and says when its
/// total is a lower bound; a later page counts on from there.
#[actix_web::test]
async fn a_search_counts_up_to_its_limit_beyond_the_page_and_says_so() {
    let app = TestApp::with_env(&[("NEWSDESK_SEARCH_COUNT_LIMIT", "3")]).await;
    let room = Newsroom::build(&app).await;
    for hour in 1..=8 {
        ArticleBuilder::new(&app)
            .in_channel(room.pingxiang)
            .title(&format!("萍乡交通{hour}"))
            .published_hours_ago(hour)
            .create()
            .await;
    }
    let first = search(&app, "萍乡", "&per_page=2").await;
    assert_eq!(first["meta"]["total"], 5, "{first}");
    assert_eq!(first["meta"]["page_count"], 3);
    assert_eq!(first["meta"]["total_is_lower_bound"], true);
    let edited = search_as(&app, &app.editor, "萍乡", "&per_page=2").await;
    assert_eq!(edited["meta"], first["meta"], "counted alike whoever asks");
    let third = search(&app, "萍乡", "&per_page=2&page=3").await;
    assert_eq!(third["meta"]["total"], 8, "{third}");
    assert!(third["meta"].get("total_is_lower_bound").is_none());
    assert_eq!(third.ids().len(), 2);
    let far = search(&app, "萍乡", "&page=9223372036854775806").await;
    assert_eq!(far.ids(), Vec::<i64>::new(), "{far}");
    let plain = app.get("/api/v1/articles?per_page=2").send().await.ok(200);
    assert_eq!(plain["meta"]["total"], 8);
    assert!(plain["meta"].get("total_is_lower_bound").is_none());
}

/// Matches published over years, across day, month and year boundaries, some on the same
/// day, come out in the readers' order however far back the search must look, on every
/// page and from either end; re-dating an article moves it. PostgreSQL looks through a
/// few days at a time, then longer stretches, so this crosses many of them; an editor's
/// search reads the rows in the list query and must agree.
#[actix_web::test]
async fn matches_spread_over_years_are_listed_in_order_from_either_end_on_every_page() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let hours = [
        1, 2, 23, 25, 26, 49, 80, 130, 220, 400, 745, 760, 1_500, 2_300, 4_400, 8_760, 8_790,
        9_500, 17_600, 26_300, 43_800, 70_000,
    ];
    let mut public = Vec::new();
    for (n, hour) in hours.iter().enumerate() {
        let article = ArticleBuilder::new(&app)
            .in_channel(room.pingxiang)
            .title(&format!("萍乡交通第{n}期"))
            .published_hours_ago(*hour)
            .create()
            .await;
        public.push(article.id);
    }
    let scheduled = ArticleBuilder::new(&app)
        .in_channel(room.pingxiang)
        .title("萍乡交通预告")
        .scheduled_for(Utc::now() + Duration::hours(3))
        .create()
        .await
        .id;
    let draft = ArticleBuilder::new(&app)
        .in_channel(room.pingxiang)
        .title("萍乡交通草稿")
        .create()
        .await
        .id;
    // Dated on a day the search looks through, but not public.
    let archived = ArticleBuilder::new(&app)
        .in_channel(room.pingxiang)
        .title("萍乡交通旧档")
        .published_hours_ago(50)
        .archived()
        .create()
        .await
        .id;

    let paged = |sort: &'static str| {
        let app = &app;
        async move {
            let mut ids = Vec::new();
            for page in 1..=6 {
                let more = format!("&sort={sort}&per_page=4&page={page}");
                let answer = search(app, "交通", &more).await;
                assert_eq!(answer["meta"]["total"], hours.len(), "{answer}");
                ids.extend(answer.ids());
            }
            ids
        }
    };
    assert_eq!(paged("-published_at").await, public);
    let oldest: Vec<i64> = public.iter().rev().copied().collect();
    assert_eq!(paged("published_at").await, oldest);
    let edited = search_as(
        &app,
        &app.editor,
        "交通",
        "&sort=-published_at&per_page=100",
    )
    .await;
    let edited: Vec<i64> = edited
        .ids()
        .into_iter()
        .filter(|id| ![scheduled, draft, archived].contains(id))
        .collect();
    assert_eq!(edited, public);
    // By relevance every title holds the term, so the fresher story wins.
    assert_eq!(search(&app, "交通", "&per_page=3").await.ids(), public[..3]);

    let oldest_one = public[public.len() - 1];
    app.patch(&format!("/api/v1/articles/{oldest_one}"))
        .bearer(&app.editor)
        .json(&json!({"published_at": (Utc::now() - Duration::minutes(5)).to_rfc3339()}))
        .send()
        .await
        .ok(200);
    let answer = search(&app, "交通", "&sort=-published_at&per_page=2").await;
    assert_eq!(answer.ids(), [oldest_one, public[0]], "{answer}");
    assert_eq!(answer["meta"]["total"], hours.len());

    // A story archived leaves readers' searches, and comes back when published again.
    let story = public[5];
    for (status, total) in [("archived", hours.len() - 1), ("published", hours.len())] {
        app.patch(&format!("/api/v1/articles/{story}"))
            .bearer(&app.editor)
            .json(&json!({ "status": status }))
            .send()
            .await
            .ok(200);
        let answer = search(&app, "交通", "&sort=-published_at&per_page=100").await;
        assert_eq!(answer["meta"]["total"], total, "{status}: {answer}");
        assert_eq!(
            answer.ids().contains(&story),
            status == "published",
            "{answer}"
        );
    }
}

#[actix_web::test]
async fn terms_all_match_phrases_keep_order_exclusions_exclude_and_forms_fold() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let article = || ArticleBuilder::new(&app).in_channel(room.pingxiang);
    let x = article()
        .title("G60高铁萍乡段开通")
        .pages(&["<p>2022年通车，全程一小时。</p>"])
        .published()
        .create()
        .await
        .id;
    let y = article()
        .title("萍乡 高铁 新站")
        .summary("2021年规划")
        .published()
        .create()
        .await
        .id;
    // Full-width letters and digits, and a traditional character.
    let z = article()
        .title("Ｇ６０沪昆高鐵")
        .published()
        .create()
        .await
        .id;

    assert_eq!(
        found(&app, "G60 高铁").await,
        sorted(vec![x, z]),
        "mixed scripts, AND"
    );
    assert_eq!(
        found(&app, "ｇ６０").await,
        sorted(vec![x, z]),
        "full width"
    );
    assert_eq!(
        found(&app, "高鐵").await,
        sorted(vec![x, y, z]),
        "traditional"
    );
    assert_eq!(
        found(&app, "\"萍乡 高铁\"").await,
        [y],
        "a phrase keeps its order"
    );
    assert_eq!(found(&app, "“萍乡 高铁”").await, [y], "CJK quotes");
    assert_eq!(found(&app, "高铁 -萍乡").await, [z], "exclusion");
    assert_eq!(
        found(&app, "高铁 -\"萍乡 高铁\" -沪昆").await,
        [x],
        "excluded phrases"
    );
    assert_eq!(found(&app, "2022年").await, [x], "digits then Chinese");
    assert_eq!(found(&app, "2021年").await, [y]);
    assert!(found(&app, "2023年").await.is_empty());
}

#[actix_web::test]
async fn hostile_queries_are_refused_with_clear_problems() {
    let app = TestApp::new().await;
    for (q, says) in [
        ("-萍乡 -交通", "besides the -exclusions"),
        (&"萍乡 ".repeat(11), "at most 10 terms"),
        (&"萍".repeat(201), "at most 200 characters"),
    ] {
        let problem = app
            .get(&format!("/api/v1/articles?q={}", encoded(q)))
            .send()
            .await
            .problem(422);
        assert_eq!(problem["errors"][0]["field"], "q", "{problem}");
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{message}");
    }
    // Only punctuation and spaces: nothing to look for, nothing found, no work.
    assert!(found(&app, "!! ？？ \"\" -").await.is_empty());
    assert_eq!(found(&app, &"a ".repeat(10)).await, Vec::<i64>::new());
}

#[actix_web::test]
async fn search_hits_carry_escaped_highlights_and_other_lists_none() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let long = "无关的内容。".repeat(30);
    let id = ArticleBuilder::new(&app)
        .in_channel(room.pingxiang)
        .title("游客来信")
        .summary("一封信")
        .pages(&[&format!(
            "<p>{long}</p><p>游客说：&lt;script&gt;萍乡&amp;交通&quot;方便&quot;</p><p>{long}</p>"
        )])
        .published()
        .create()
        .await
        .id;
    let hits = search(&app, "萍乡 交通", "").await;
    assert_eq!(hits.ids(), [id]);
    let highlight = hits["data"][0]["highlight"].as_str().unwrap();
    assert!(
        highlight.contains("&lt;script&gt;<mark>萍乡</mark>&amp;<mark>交通</mark>&quot;方便&quot;"),
        "{highlight}"
    );
    assert!(
        highlight.starts_with('…') && highlight.ends_with('…'),
        "{highlight}"
    );
    assert!(highlight.chars().count() < 200, "{highlight}");
    let no_tags = highlight.replace("<mark>", "").replace("</mark>", "");
    assert!(
        !no_tags.contains('<') && !no_tags.contains('>'),
        "{highlight}"
    );

    // Only the title matches: the summary's start, nothing marked.
    let title_only = search(&app, "游客来信", "").await;
    assert_eq!(title_only["data"][0]["highlight"], "一封信");

    let plain = app.get("/api/v1/articles").send().await.ok(200);
    assert!(plain["data"][0].get("highlight").is_none(), "{plain}");
}

async fn suggested(app: &TestApp, q: &str) -> Vec<i64> {
    app.get(&format!("/api/v1/articles/suggest?q={}", encoded(q)))
        .send()
        .await
        .ok(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect()
}

#[actix_web::test]
async fn suggestions_offer_public_titles_by_prefix_and_follow_publication() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let article = |title: &str| {
        ArticleBuilder::new(&app)
            .in_channel(room.pingxiang)
            .title(title)
    };
    let inside = article("今日萍乡").published_hours_ago(1).create().await.id;
    let starting = article("萍乡新闻联播")
        .published_hours_ago(5)
        .create()
        .await
        .id;
    let draft = article("萍乡草稿").create().await;
    article("萍乡旧闻").archived().create().await;
    let at = Utc::now() + Duration::milliseconds(1500);
    let scheduled = article("萍乡明天").scheduled_for(at).create().await.id;

    // Starting with the prefix first, then newest first; drafts, archived and future
    // articles never.
    assert_eq!(suggested(&app, "萍乡").await, [starting, inside]);
    assert_eq!(
        suggested(&app, "萍鄉").await,
        [starting, inside],
        "traditional"
    );
    assert_eq!(
        suggested(&app, " 萍").await,
        [starting, inside],
        "one character"
    );
    assert!(suggested(&app, "南昌").await.is_empty());
    let response = app.get("/api/v1/articles/suggest?q=%E8%90%8D").send().await;
    assert!(response.header("etag").is_some());
    // Answered from the titles in memory, and kept by caches only until the scheduled
    // story comes out.
    let cache_control = response.header("cache-control").unwrap_or_default();
    assert!(
        cache_control.contains("s-maxage=0,") || cache_control.contains("s-maxage=1,"),
        "{cache_control}"
    );
    let first = &response.ok(200)[0];
    assert_eq!(first["title"], "萍乡新闻联播");
    assert!(first["slug"].is_string() && first["published_at"].is_string());

    app.patch(&format!("/api/v1/articles/{}", draft.id))
        .bearer(&app.editor)
        .json(&json!({"status": "published"}))
        .send()
        .await
        .ok(200);
    assert_eq!(
        suggested(&app, "萍乡").await,
        [draft.id, starting, inside],
        "published now"
    );

    let wait = (at + Duration::milliseconds(300) - Utc::now())
        .to_std()
        .unwrap_or_default();
    actix_web::rt::time::sleep(wait).await;
    assert_eq!(suggested(&app, "萍乡").await[0], scheduled, "its time came");

    for bad in ["", "%20%20", &encoded(&"萍".repeat(21))] {
        let problem = app
            .get(&format!("/api/v1/articles/suggest?q={bad}"))
            .send()
            .await
            .problem(422);
        assert_eq!(problem["errors"][0]["field"], "q", "{problem}");
    }
    app.get("/api/v1/articles/suggest")
        .send()
        .await
        .problem(400);
}

#[actix_web::test]
async fn suggestions_stop_at_ten() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    for i in 0..11 {
        ArticleBuilder::new(&app)
            .in_channel(room.pingxiang)
            .title(&format!("萍乡第{i}期"))
            .published()
            .create()
            .await;
    }
    assert_eq!(suggested(&app, "萍乡").await.len(), 10);
}
