//! `newsdesk seed-demo`: a demo provincial newsroom, built through the services so it
//! obeys every rule the API does. The text is written for the demo.

use crate::articles::content::{BylineRef, NewArticle, Source};
use crate::articles::service as articles;
use crate::authors::service::{self as authors, NewAuthor};
use crate::channels::repo as channel_rows;
use crate::channels::service::{self as channels, ChannelLink, NewChannel};
use crate::comments::service::{self as comments, NewComment};
use crate::db::AnyConnection;
use crate::db::outbox::Outbox;
use crate::domain::enums::{
    ArticleStatus, BylineRole, ChannelLinkKind, CommentStatus, TipLineKind,
};
use crate::domain::precondition::IfMatch;
use crate::domain::role::{CurrentUser, Role};
use crate::domain::slug::IdOrSlug;
use crate::domain::stored::StoredEnum;
use crate::domain::token::random_hex;
use crate::error::ApiError;
use crate::state::AppState;
use crate::state::ClientTrace;
use crate::tip_lines::service::{self as tip_lines, NewTipLine};
use crate::tips::service::{self as tips, NewTip};
use crate::users::service::{self as users, NewUser};

const CITIES: [(&str, &str); 11] = [
    ("南昌", "nanchang"),
    ("九江", "jiujiang"),
    ("景德镇", "jingdezhen"),
    ("赣州", "ganzhou"),
    ("新余", "xinyu"),
    ("上饶", "shangrao"),
    ("吉安", "jian"),
    ("抚州", "fuzhou"),
    ("宜春", "yichun"),
    ("萍乡", "pingxiang"),
    ("鹰潭", "yingtan"),
];

/// What the seed made, for the one line `seed-demo` prints.
pub struct Seeded {
    pub channels: usize,
    pub articles: usize,
    pub editor_email: String,
    pub editor_password: String,
}

/// The group's newspapers, shown as websites on the portal.
const NEWSPAPERS: [(&str, &str); 4] = [
    ("江西日报", "https://jxrb.jxnews.com.cn/"),
    ("信息日报", "https://xxrb.jxnews.com.cn/"),
    ("江南都市报", "https://jndsb.jxnews.com.cn/"),
    ("新法制报", "https://xfzb.jxnews.com.cn/"),
];

fn link(kind: ChannelLinkKind, label: &str, value: Option<&str>, url: Option<&str>) -> ChannelLink {
    ChannelLink {
        kind,
        label: label.into(),
        value: value.map(Into::into),
        url: url.map(Into::into),
    }
}

/// Where readers find the 萍乡 channel outside the site.
fn pingxiang_links() -> Vec<ChannelLink> {
    vec![
        link(
            ChannelLinkKind::WechatOfficialAccount,
            "中国江西网萍乡频道",
            Some("djwpxpd"),
            None,
        ),
        link(
            ChannelLinkKind::Forum,
            "萍乡论坛",
            None,
            Some("https://bbs.jxnews.com.cn/forum-pingxiang"),
        ),
    ]
}

fn channel(
    conn: &mut AnyConnection,
    outbox: Outbox,
    name: &str,
    slug: &str,
    parent: Option<i64>,
    description: Option<&str>,
) -> Result<i64, ApiError> {
    let links = match slug {
        "portal" => NEWSPAPERS
            .iter()
            .map(|(name, url)| link(ChannelLinkKind::Website, name, None, Some(url)))
            .collect(),
        "pingxiang" => pingxiang_links(),
        _ => Vec::new(),
    };
    let new = NewChannel {
        name: name.into(),
        slug: slug.into(),
        parent_id: parent,
        position: None,
        description: description.map(Into::into),
        auto_approve_comments: false,
        links,
    };
    Ok(channels::create(conn, outbox, new)?.value.row.id)
}

fn author(
    conn: &mut AnyConnection,
    outbox: Outbox,
    name: &str,
    slug: &str,
    title: &str,
) -> Result<i64, ApiError> {
    let new = NewAuthor {
        name: name.into(),
        slug: slug.into(),
        title: Some(title.into()),
        bio: None,
        avatar_url: None,
        avatar_media_id: None,
        user_id: None,
    };
    Ok(authors::create(conn, outbox, new)?.value.id)
}

struct Story {
    slug: &'static str,
    title: &'static str,
    summary: &'static str,
    source: &'static str,
    pages: &'static [&'static str],
    tags: &'static [&'static str],
    hours_ago: i64,
}

const STORIES: [Story; 4] = [
    Story {
        slug: "pingxiang-industry-turns-green",
        title: "老工业城市的绿色转身",
        summary: "煤矿关停之后，萍乡把旧厂房改成了产业园和城市公园。",
        source: "萍乡日报",
        pages: &[
            "<p>清晨的安源工业遗址公园里，晨练的市民沿着铁轨散步。十年前，这里还是一片运煤的货场。</p><p>市里把关停矿区的土地分成三类：能复垦的种树，能利用的建园区，有历史价值的留作遗址。</p>",
            "<h2>园区里的新工厂</h2><p>新落户的企业以电子元件和环保材料为主，不少工人是从矿上转岗来的。</p><p>一位老矿工说，现在上班不用下井，工资还比原来高一些。</p>",
        ],
        tags: &["萍乡", "产业转型"],
        hours_ago: 30,
    },
    Story {
        slug: "wugong-mountain-trail-reopens",
        title: "武功山步道修缮完成重新开放",
        summary: "经过一个冬天的维护，金顶步道恢复通行，景区实行分时预约。",
        source: "江南都市报",
        pages: &[
            "<p>武功山景区管理方表示，今年修缮的重点是排水沟和防滑台阶。</p>",
            "<p>节假日入园需提前在线预约，每个时段限流，游客可在景区公众号查询余量。</p>",
            "<figure><img src=\"https://img.example.com/wugong.jpg\" alt=\"云海\"><figcaption>金顶附近的云海（资料图）</figcaption></figure>",
        ],
        tags: &["旅游", "武功山"],
        hours_ago: 20,
    },
    Story {
        slug: "luxi-rice-harvest",
        title: "芦溪早稻开镰 农机服务队进村",
        summary: "今年早稻长势好，合作社的收割机从早忙到晚。",
        source: "信息日报",
        pages: &[
            "<p>芦溪县的稻田里，收割机一趟来回就是半亩地。合作社负责人说，农户只需打个电话预约。</p>",
            "<p>县农业部门今年新增了两支烘干服务队，解决了雨天稻谷晾晒难的问题。</p>",
        ],
        tags: &["芦溪", "农业"],
        hours_ago: 6,
    },
    Story {
        slug: "province-rail-link-survey",
        title: "城际铁路线路方案征求意见",
        summary: "沿线各市县可在一个月内提交意见。",
        source: "江西日报",
        pages: &["<p>方案提出了两条走向，均在萍乡设站。征求意见期间，市民可通过政务网站留言。</p>"],
        tags: &["交通"],
        hours_ago: 2,
    },
];

/// Fills an empty database with the demo newsroom; refuses a database that has channels.
pub fn seed_demo(state: &AppState, conn: &mut AnyConnection) -> Result<Seeded, ApiError> {
    let outbox = state.outbox();
    if !channel_rows::all(conn)?.is_empty() {
        return Err(ApiError::Conflict(
            "the database already has channels; seed-demo fills an empty newsroom".into(),
        ));
    }
    let editor_email = "demo-editor@example.com".to_owned();
    let editor_password = random_hex(8);
    let editor = users::create_now(
        conn,
        &state.auth.passwords,
        NewUser {
            email: editor_email.clone(),
            display_name: "演示编辑".into(),
            password: editor_password.clone(),
            role: Role::Editor.as_str().into(),
        },
    )?;
    let actor = CurrentUser::account(editor.id, Role::Editor);

    let portal = channel(conn, outbox, "大江网", "portal", None, Some("全省新闻门户"))?;
    let mut pingxiang = portal;
    for (name, slug) in CITIES {
        let id = channel(
            conn,
            outbox,
            &format!("{name}频道"),
            slug,
            Some(portal),
            None,
        )?;
        if slug == "pingxiang" {
            pingxiang = id;
        }
    }
    let politics = channel(
        conn,
        outbox,
        "时政要闻",
        "pingxiang-politics",
        Some(pingxiang),
        None,
    )?;
    let society = channel(
        conn,
        outbox,
        "社会聚焦",
        "pingxiang-society",
        Some(pingxiang),
        None,
    )?;
    let counties = channel(
        conn,
        outbox,
        "县区动态",
        "pingxiang-counties",
        Some(pingxiang),
        None,
    )?;

    for (kind, label, value, position) in [
        (TipLineKind::Hotline, "新闻热线", "0799-6123456", 1),
        (TipLineKind::Qq, "QQ爆料", "800012345", 2),
        (TipLineKind::Sms, "短信(微信)爆料", "13900000000", 3),
    ] {
        tip_lines::create(
            conn,
            outbox,
            NewTipLine {
                channel_id: pingxiang,
                kind,
                label: label.into(),
                value: value.into(),
                position: Some(position),
                active: Some(true),
            },
        )?;
    }

    let reporter = author(conn, outbox, "周晓明", "zhou-xiaoming", "记者")?;
    let desk = author(conn, outbox, "刘芳", "liu-fang", "编辑")?;
    let photographer = author(conn, outbox, "陈立", "chen-li", "摄影")?;

    let now = chrono::Utc::now();
    let columns = [society, society, counties, politics];
    let mut article_ids = Vec::new();
    for (story, column) in STORIES.iter().zip(columns) {
        let mut bylines = vec![
            BylineRef {
                author_id: reporter,
                role: BylineRole::Author,
            },
            BylineRef {
                author_id: desk,
                role: BylineRole::Editor,
            },
        ];
        if story.pages.iter().any(|p| p.contains("<img")) {
            bylines.push(BylineRef {
                author_id: photographer,
                role: BylineRole::Photographer,
            });
        }
        let new = NewArticle {
            title: story.title.into(),
            slug: Some(story.slug.into()),
            subtitle: None,
            summary: Some(story.summary.into()),
            status: Some(ArticleStatus::Published),
            channel_id: column,
            source: Some(Source {
                name: story.source.into(),
                url: None,
            }),
            bylines,
            published_at: Some((now - chrono::Duration::hours(story.hours_ago)).fixed_offset()),
            cover_image_url: None,
            cover_media_id: None,
            tags: story.tags.iter().map(|t| (*t).to_owned()).collect(),
            comments_enabled: Some(true),
            related_ids: article_ids.iter().rev().take(1).copied().collect(),
            pages: story.pages.iter().map(|p| (*p).to_owned()).collect(),
        };
        let article = articles::create(conn, outbox, actor, &articles::draft(actor, new)?)?;
        article_ids.push(article.value.article.row.id);
    }
    let planned = NewArticle {
        title: "明日停水通知".into(),
        slug: Some("water-maintenance-notice".into()),
        subtitle: None,
        summary: Some("城区部分路段明日上午停水检修。".into()),
        status: Some(ArticleStatus::Scheduled),
        channel_id: society,
        source: None,
        bylines: vec![],
        published_at: Some((now + chrono::Duration::days(1)).fixed_offset()),
        cover_image_url: None,
        cover_media_id: None,
        tags: vec![],
        comments_enabled: Some(false),
        related_ids: vec![],
        pages: vec!["<p>检修期间请提前储水，恢复时间以供水公司通知为准。</p>".into()],
    };
    articles::create(conn, outbox, actor, &articles::draft(actor, planned)?)?;
    let draft = NewArticle {
        title: "（草稿）夜市调查".into(),
        slug: Some("night-market-draft".into()),
        status: Some(ArticleStatus::Draft),
        channel_id: society,
        pages: vec!["<p>待补充采访。</p>".into()],
        subtitle: None,
        summary: None,
        source: None,
        bylines: vec![],
        published_at: None,
        cover_image_url: None,
        cover_media_id: None,
        tags: vec![],
        comments_enabled: None,
        related_ids: vec![],
    };
    articles::create(conn, outbox, actor, &articles::draft(actor, draft)?)?;

    let reader = ClientTrace::new(state, "192.0.2.10".into());
    let first_article = IdOrSlug::Id(article_ids[0]);
    let mut posted = Vec::new();
    for (name, body, parent) in [
        (
            "老矿工",
            "小时候常在那片货场玩，现在变成公园了，真好。",
            None,
        ),
        ("安源居民", "周末带孩子去过，铁轨边拍照很好看。", Some(0)),
        ("路过", "希望园区多招些本地年轻人。", None),
    ] {
        let comment = comments::post(
            conn,
            outbox,
            &reader,
            &first_article,
            NewComment {
                author_name: name.into(),
                body: body.into(),
                parent_id: parent.map(|i: usize| posted[i]),
                honeypot: None,
            },
        )?
        .value;
        comments::moderate(
            conn,
            outbox,
            comment.id,
            &IfMatch::Absent,
            CommentStatus::Approved,
        )?;
        posted.push(comment.id);
    }
    // One comment stays in the moderation queue.
    comments::post(
        conn,
        outbox,
        &ClientTrace::new(state, "192.0.2.11".into()),
        &IdOrSlug::Id(article_ids[1]),
        NewComment {
            author_name: "驴友".into(),
            body: "预约系统什么时候开放？".into(),
            parent_id: None,
            honeypot: None,
        },
    )?;
    tips::send(
        conn,
        tips::admit(&reader)?,
        NewTip {
            channel_id: pingxiang,
            content: "湘东区某路口的红绿灯坏了两天，早高峰很堵。".into(),
            contact: Some("13900000001".into()),
            name: Some("李女士".into()),
            honeypot: None,
            photos: Vec::new(),
        },
        &reader,
    )?;

    Ok(Seeded {
        channels: 1 + CITIES.len() + 3,
        articles: STORIES.len() + 2,
        editor_email,
        editor_password,
    })
}
