//! Canonical URLs, feeds and sitemaps, as a front end, a feed reader and a search engine
//! meet them. (That every feed parses in a real feed parser is `tests/feeds/run.sh`.)

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::fixtures::{ArticleBuilder, AuthorBuilder, Newsroom};

const SITE: &str = "https://news.example.cn";

async fn site_app(extra: &[(&str, &str)]) -> TestApp {
    let mut env = vec![
        ("NEWSDESK_SITE_URL", SITE),
        ("NEWSDESK_SITE_UTC_OFFSET", "+08:00"),
        ("NEWSDESK_PUBLICATION_NAME", "大江网"),
        ("NEWSDESK_PUBLICATION_LANGUAGE", "zh-cn"),
    ];
    env.extend_from_slice(extra);
    TestApp::with_env(&env).await
}

/// The `<loc>`s of a sitemap, in order.
fn locs(xml: &str) -> Vec<String> {
    xml.split("<loc>")
        .skip(1)
        .map(|rest| rest.split("</loc>").next().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn without_a_site_url_answers_carry_no_url_and_feeds_and_sitemaps_are_404() {
    let app = TestApp::new().await;
    let room = Newsroom::build(&app).await;
    let article = ArticleBuilder::new(&app)
        .in_channel(room.society)
        .published()
        .create()
        .await;
    let shown = app
        .get(&format!("/api/v1/articles/{}", article.id))
        .send()
        .await
        .ok(200);
    assert!(shown.get("url").is_none(), "{shown}");
    let channel = app.get("/api/v1/channels/pingxiang").send().await;
    assert!(channel.header("link").is_none());
    assert!(channel.json().get("url").is_none());
    for path in [
        "/api/v1/feeds/rss.xml",
        "/api/v1/channels/pingxiang/feeds/atom.xml",
        "/api/v1/sitemaps/index.xml",
        "/api/v1/sitemaps/news.xml",
    ] {
        let problem = app.get(path).send().await.problem(404);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("NEWSDESK_SITE_URL"),
            "{path}: {problem}"
        );
    }
}

#[actix_web::test]
async fn urls_follow_the_configured_templates_everywhere_articles_and_channels_show() {
    let app = site_app(&[
        (
            "NEWSDESK_ARTICLE_URL_TEMPLATE",
            "{site}/{channel}/{yyyy}-{mm}-{dd}/{id}-{slug}",
        ),
        ("NEWSDESK_CHANNEL_URL_TEMPLATE", "{site}/c/{channel_path}"),
    ])
    .await;
    let room = Newsroom::build(&app).await;
    // 17:30 UTC on June 30th is already July 1st at +08:00.
    let article = app
        .post("/api/v1/articles")
        .bearer(&app.editor)
        .json(&json!({
            "title": "萍乡矿区变公园", "slug": "mine-park", "channel_id": room.society,
            "status": "published", "published_at": "2022-06-30T17:30:00Z",
            "pages": ["<p>正文</p>"],
        }))
        .send()
        .await
        .ok(201);
    let id = article["id"].as_i64().unwrap();
    let expected = format!("{SITE}/society/2022-07-01/{id}-mine-park");
    assert_eq!(article["url"], expected);

    let detail = app
        .get(&format!("/api/v1/articles/{id}"))
        .send()
        .await
        .ok(200);
    assert_eq!(detail["url"], expected);
    let crumbs: Vec<&str> = detail["breadcrumbs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        crumbs,
        [
            format!("{SITE}/c/portal"),
            format!("{SITE}/c/portal/pingxiang"),
            format!("{SITE}/c/portal/pingxiang/society"),
        ]
    );
    let list = app.get("/api/v1/articles").send().await.ok(200);
    assert_eq!(list["data"][0]["url"], expected);

    // A draft has no publication time yet, so no URL.
    let draft = ArticleBuilder::new(&app)
        .in_channel(room.society)
        .create()
        .await;
    let draft = app
        .get(&format!("/api/v1/articles/{}", draft.id))
        .bearer(&app.editor)
        .send()
        .await
        .ok(200);
    assert!(draft.get("url").is_none(), "{draft}");

    let channel = app.get("/api/v1/channels/pingxiang").send().await;
    let links = channel.header("link").unwrap().to_owned();
    let body = channel.ok(200);
    assert_eq!(body["url"], format!("{SITE}/c/portal/pingxiang"));
    assert_eq!(
        body["children"][0]["url"],
        format!("{SITE}/c/portal/pingxiang/society")
    );
    for (file, media) in [
        ("rss.xml", "application/rss+xml"),
        ("atom.xml", "application/atom+xml"),
        ("feed.json", "application/feed+json"),
    ] {
        let link = format!(
            "<{SITE}/api/v1/channels/pingxiang/feeds/{file}>; rel=\"alternate\"; type=\"{media}\""
        );
        assert!(links.contains(&link), "{links} lacks {link}");
    }
    let flat = app
        .get("/api/v1/channels?per_page=100")
        .send()
        .await
        .ok(200);
    let nanchang = flat["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == room.nanchang)
        .unwrap();
    assert_eq!(nanchang["url"], format!("{SITE}/c/portal/nanchang"));
    let tree = app.get("/api/v1/channels?tree=true").send().await.ok(200);
    assert_eq!(
        tree["data"][0]["children"][1]["children"][0]["url"],
        format!("{SITE}/c/portal/pingxiang/society")
    );
}

#[actix_web::test]
async fn a_template_with_an_unknown_placeholder_stops_the_start_naming_its_variable() {
    let lookup = |template: &'static str| {
        move |name: &str| match name {
            "DATABASE_URL" => Some("postgres://localhost/newsdesk".to_owned()),
            "NEWSDESK_JWT_SECRET" => Some("x".repeat(40)),
            "NEWSDESK_SITE_URL" => Some(SITE.to_owned()),
            "NEWSDESK_ARTICLE_URL_TEMPLATE" => Some(template.to_owned()),
            _ => None,
        }
    };
    let error = newsdesk::config::Config::from_lookup(lookup("{site}/{slugg}.html"))
        .err()
        .unwrap();
    assert_eq!(error.variable, "NEWSDESK_ARTICLE_URL_TEMPLATE");
    assert!(error.to_string().contains("{slugg}"), "{error}");
    assert!(!error.to_string().contains('\n'), "one line: {error}");
    assert!(newsdesk::config::Config::from_lookup(lookup("{site}/{id}.html")).is_ok());
}

#[actix_web::test]
async fn feeds_carry_only_public_articles_of_the_channel_and_its_descendants() {
    let app = site_app(&[]).await;
    let room = Newsroom::build(&app).await;
    let author = AuthorBuilder::new(&app, "周晓明", "zhou").create().await;
    ArticleBuilder::new(&app)
        .in_channel(room.society)
        .title("公开的萍乡新闻")
        .summary("萍乡的摘要")
        .tags(&["萍乡"])
        .written_by(author)
        .published_hours_ago(2)
        .create()
        .await;
    ArticleBuilder::new(&app)
        .in_channel(room.nanchang)
        .title("公开的南昌新闻")
        .published_hours_ago(1)
        .create()
        .await;
    ArticleBuilder::new(&app)
        .in_channel(room.society)
        .title("草稿")
        .create()
        .await;
    ArticleBuilder::new(&app)
        .in_channel(room.society)
        .title("明天的新闻")
        .scheduled_for(Utc::now() + Duration::days(1))
        .create()
        .await;
    ArticleBuilder::new(&app)
        .in_channel(room.society)
        .title("归档的新闻")
        .archived()
        .create()
        .await;

    let res = app.get("/api/v1/feeds/rss.xml").send().await;
    assert_eq!(
        res.header("content-type"),
        Some("application/rss+xml; charset=utf-8")
    );
    let rss = res.text();
    assert!(rss.contains("<title>公开的萍乡新闻</title>"), "{rss}");
    assert!(rss.contains("<title>公开的南昌新闻</title>"), "{rss}");
    for hidden in ["草稿", "明天的新闻", "归档的新闻"] {
        assert!(!rss.contains(hidden), "{hidden} leaked: {rss}");
    }
    // Newest first, with byline, categories (channel path, then tags) and a +08:00 date.
    assert!(rss.find("公开的南昌新闻").unwrap() < rss.find("公开的萍乡新闻").unwrap());
    assert!(rss.contains("<dc:creator>周晓明</dc:creator>"), "{rss}");
    assert!(rss.contains("<category>社会聚焦</category>"), "{rss}");
    assert!(rss.contains("<category>萍乡</category>"), "{rss}");
    assert!(rss.contains("+0800</pubDate>"), "{rss}");

    let channel = app
        .get("/api/v1/channels/pingxiang/feeds/atom.xml")
        .send()
        .await;
    assert_eq!(
        channel.header("content-type"),
        Some("application/atom+xml; charset=utf-8")
    );
    let atom = channel.text();
    assert!(atom.contains("公开的萍乡新闻"), "{atom}");
    assert!(
        !atom.contains("公开的南昌新闻"),
        "another city's story: {atom}"
    );

    let res = app
        .get(&format!("/api/v1/channels/{}/feeds/feed.json", room.portal))
        .send()
        .await;
    assert_eq!(
        res.header("content-type"),
        Some("application/feed+json; charset=utf-8")
    );
    let feed: Value = serde_json::from_str(&res.text()).unwrap();
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    let titles: Vec<&str> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["公开的南昌新闻", "公开的萍乡新闻"]);
    assert_eq!(feed["items"][1]["authors"][0]["name"], "周晓明");
    assert!(
        feed["items"][1]["url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{SITE}/portal/pingxiang/society/")),
        "{feed}"
    );
    app.get("/api/v1/channels/nowhere/feeds/rss.xml")
        .send()
        .await
        .problem(404);
    app.get("/api/v1/feeds/rss.json").send().await.problem(404);
}

#[actix_web::test]
async fn full_text_and_covers_appear_when_configured() {
    let app = site_app(&[
        ("NEWSDESK_FEED_FULL_TEXT", "true"),
        ("NEWSDESK_FEED_SIZE", "1"),
    ])
    .await;
    let room = Newsroom::build(&app).await;
    ArticleBuilder::new(&app)
        .in_channel(room.society)
        .title("older")
        .published_hours_ago(3)
        .create()
        .await;
    app.post("/api/v1/articles")
        .bearer(&app.editor)
        .json(&json!({
            "title": "两页的文章", "channel_id": room.society, "status": "published",
            "cover_image_url": "https://img.example.cn/cover.png",
            "source": {"name": "萍乡日报", "url": "https://pxrb.example.cn/"},
            "pages": ["<p>第一页</p>", "<p>第二页</p>"],
        }))
        .send()
        .await
        .ok(201);
    let rss = app.get("/api/v1/feeds/rss.xml").send().await.text();
    assert!(!rss.contains("older"), "one article only: {rss}");
    assert!(
        rss.contains("&lt;p&gt;第一页&lt;/p&gt;\n&lt;p&gt;第二页&lt;/p&gt;</content:encoded>"),
        "{rss}"
    );
    assert!(
        rss.contains(
            "<enclosure url=\"https://img.example.cn/cover.png\" type=\"image/png\" length=\"0\"/>"
        ),
        "{rss}"
    );
    assert!(
        rss.contains("<source url=\"https://pxrb.example.cn/\">萍乡日报</source>"),
        "{rss}"
    );
    let feed: Value =
        serde_json::from_str(&app.get("/api/v1/feeds/feed.json").send().await.text()).unwrap();
    assert_eq!(
        feed["items"][0]["content_html"],
        "<p>第一页</p>\n<p>第二页</p>"
    );
    assert_eq!(
        feed["items"][0]["image"],
        "https://img.example.cn/cover.png"
    );
}

#[actix_web::test]
async fn hostile_titles_stay_well_formed_in_every_format() {
    let app = site_app(&[]).await;
    let room = Newsroom::build(&app).await;
    let hostile = "A <b>&amp; ]]> \u{1b}\u{7}\"quoted\" 'x'";
    ArticleBuilder::new(&app)
        .in_channel(room.society)
        .title(hostile)
        .summary("]]> <script>alert(1)</script> & \u{1}")
        .tags(&["<tag>&"])
        .published()
        .create()
        .await;
    for path in [
        "/api/v1/feeds/rss.xml",
        "/api/v1/feeds/atom.xml",
        "/api/v1/sitemaps/news.xml",
    ] {
        let xml = app.get(path).send().await.text();
        assert!(!xml.contains("]]>"), "{path}: {xml}");
        assert!(
            !xml.contains("<b>") && !xml.contains("<script>"),
            "{path}: {xml}"
        );
        assert!(
            !xml.chars().any(|c| c.is_control() && !"\t\n\r".contains(c)),
            "{path} keeps a control character"
        );
        assert!(
            xml.contains("A &lt;b&gt;&amp;amp; ]]&gt; &quot;quoted&quot; &apos;x&apos;"),
            "{path}: {xml}"
        );
    }
    let feed: Value =
        serde_json::from_str(&app.get("/api/v1/feeds/feed.json").send().await.text()).unwrap();
    assert_eq!(
        feed["items"][0]["title"], "A <b>&amp; ]]> \"quoted\" 'x'",
        "JSON keeps the text, without control characters"
    );
}

#[actix_web::test]
async fn the_news_sitemap_holds_exactly_the_last_48_hours_of_public_articles() {
    let app = site_app(&[]).await;
    let room = Newsroom::build(&app).await;
    let at = |minutes_ago: i64| (Utc::now() - Duration::minutes(minutes_ago)).to_rfc3339();
    let publish = |title: &'static str, published_at: String, status: &'static str| {
        let app = &app;
        async move {
            app.post("/api/v1/articles")
                .bearer(&app.editor)
                .json(&json!({
                    "title": title, "channel_id": room.society, "status": status,
                    "published_at": published_at, "pages": ["<p>正文</p>"],
                }))
                .send()
                .await
                .ok(201)
        }
    };
    publish("just-inside", at(48 * 60 - 2), "published").await;
    publish("an-hour-old", at(60), "published").await;
    publish("just-outside", at(48 * 60 + 2), "published").await;
    publish("archived-today", at(30), "archived").await;
    publish(
        "tomorrow",
        (Utc::now() + Duration::days(1)).to_rfc3339(),
        "scheduled",
    )
    .await;

    let res = app.get("/api/v1/sitemaps/news.xml").send().await;
    assert_eq!(
        res.header("content-type"),
        Some("application/xml; charset=utf-8")
    );
    let xml = res.text();
    let titles: Vec<&str> = xml
        .split("<news:title>")
        .skip(1)
        .map(|rest| rest.split("</news:title>").next().unwrap())
        .collect();
    assert_eq!(titles, ["an-hour-old", "just-inside"], "{xml}");
    assert!(xml.contains("<news:name>大江网</news:name>"), "{xml}");
    assert!(
        xml.contains("<news:language>zh-cn</news:language>"),
        "{xml}"
    );
    assert!(xml.contains("+08:00</news:publication_date>"), "{xml}");
    // The answer expires when its oldest article leaves the window, two minutes from now.
    let cache_control = res.header("cache-control").unwrap_or_default().to_owned();
    let s_maxage: i64 = cache_control
        .split("s-maxage=")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("{cache_control}"));
    assert!(s_maxage <= 120, "{cache_control}");
}

#[actix_web::test]
async fn article_sitemaps_split_at_the_configured_limit_and_list_only_public_articles() {
    let app = site_app(&[("NEWSDESK_SITEMAP_LIMIT", "2")]).await;
    let room = Newsroom::build(&app).await;
    let mut public = Vec::new();
    for n in 0..5 {
        let article = ArticleBuilder::new(&app)
            .in_channel(room.society)
            .slug(&format!("story-{n}"))
            .published_hours_ago(100 + n)
            .create()
            .await;
        public.push(article.id);
    }
    ArticleBuilder::new(&app)
        .in_channel(room.society)
        .slug("a-draft")
        .create()
        .await;

    let index = app.get("/api/v1/sitemaps/index.xml").send().await;
    assert!(index.header("last-modified").is_some());
    let index = index.text();
    let base = format!("{SITE}/api/v1/sitemaps");
    assert_eq!(
        locs(&index),
        [
            format!("{base}/channels.xml"),
            format!("{base}/news.xml"),
            format!("{base}/articles-1.xml"),
            format!("{base}/articles-2.xml"),
            format!("{base}/articles-3.xml"),
        ]
    );
    let mut seen = Vec::new();
    for (n, size) in [(1, 2), (2, 2), (3, 1)] {
        let xml = app
            .get(&format!("/api/v1/sitemaps/articles-{n}.xml"))
            .send()
            .await
            .text();
        let urls = locs(&xml);
        assert_eq!(urls.len(), size, "{xml}");
        assert_eq!(xml.matches("<lastmod>").count(), size, "{xml}");
        seen.extend(urls);
    }
    let slugs: Vec<String> = (0..5).map(|n| format!("story-{n}.html")).collect();
    for slug in &slugs {
        assert_eq!(
            seen.iter().filter(|u| u.ends_with(slug.as_str())).count(),
            1,
            "{seen:?}"
        );
    }
    assert!(!seen.iter().any(|u| u.contains("a-draft")), "{seen:?}");
    app.get("/api/v1/sitemaps/articles-4.xml")
        .send()
        .await
        .problem(404);
    app.get("/api/v1/sitemaps/articles-0.xml")
        .send()
        .await
        .problem(404);

    let channels = app.get("/api/v1/sitemaps/channels.xml").send().await.text();
    assert_eq!(
        locs(&channels),
        [
            format!("{SITE}/portal/"),
            format!("{SITE}/portal/nanchang/"),
            format!("{SITE}/portal/pingxiang/"),
            format!("{SITE}/portal/pingxiang/society/"),
            format!("{SITE}/portal/pingxiang/politics/"),
        ]
    );
}

#[actix_web::test]
async fn feeds_and_sitemaps_come_from_memory_until_an_article_they_show_changes() {
    let app = site_app(&[]).await;
    let room = Newsroom::build(&app).await;
    let article = ArticleBuilder::new(&app)
        .in_channel(room.society)
        .title("第一版标题")
        .published()
        .create()
        .await;
    for path in [
        "/api/v1/channels/pingxiang/feeds/rss.xml",
        "/api/v1/sitemaps/articles-1.xml",
    ] {
        let first = app.get(path).send().await;
        assert_eq!(first.header("x-newsdesk-cache"), Some("miss"), "{path}");
        let etag = first.header("etag").unwrap().to_owned();
        let second = app.get(path).send().await;
        assert_eq!(second.header("x-newsdesk-cache"), Some("hit"), "{path}");
        assert_eq!(second.header("content-type"), first.header("content-type"));
        let revalidated = app.get(path).header("if-none-match", &etag).send().await;
        assert_eq!(revalidated.status.as_u16(), 304, "{path}");
        assert!(
            first.header("surrogate-key").is_some(),
            "{path} names its keys for the CDN"
        );
    }
    let feed = app
        .get("/api/v1/channels/pingxiang/feeds/rss.xml")
        .send()
        .await;
    assert!(feed.header("last-modified").is_some());

    let path = format!("/api/v1/articles/{}", article.id);
    let current = app.get(&path).bearer(&app.editor).send().await;
    let etag = current.header("etag").unwrap().to_owned();
    app.patch(&path)
        .bearer(&app.editor)
        .header("if-match", &etag)
        .json(&json!({"title": "第二版标题", "slug": "renamed"}))
        .send()
        .await
        .ok(200);
    let feed = app
        .get("/api/v1/channels/pingxiang/feeds/rss.xml")
        .send()
        .await;
    assert_eq!(feed.header("x-newsdesk-cache"), Some("miss"));
    assert!(feed.text().contains("第二版标题"));
    let sitemap = app.get("/api/v1/sitemaps/articles-1.xml").send().await;
    assert_eq!(sitemap.header("x-newsdesk-cache"), Some("miss"));
    assert!(sitemap.text().contains("/renamed.html"));

    // A channel's new slug moves every URL under it.
    let channel = app.get("/api/v1/channels/society").send().await;
    let etag = channel.header("etag").unwrap().to_owned();
    app.patch("/api/v1/channels/society")
        .bearer(&app.editor)
        .header("if-match", &etag)
        .json(&json!({"slug": "shehui"}))
        .send()
        .await
        .ok(200);
    let sitemap = app
        .get("/api/v1/sitemaps/articles-1.xml")
        .send()
        .await
        .text();
    assert!(sitemap.contains("/pingxiang/shehui/"), "{sitemap}");
}
