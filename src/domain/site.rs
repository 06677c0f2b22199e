//! Where the public site shows things: its base URL and the templates that turn an
//! article or a channel into its canonical, absolute URL. Newsdesk renders no pages; the
//! front end does, at the addresses these templates describe.

use chrono::{DateTime, FixedOffset, Utc};

/// The placeholders an article template may use.
pub const ARTICLE_PLACEHOLDERS: [&str; 8] = [
    "site",
    "channel_path",
    "channel",
    "yyyy",
    "mm",
    "dd",
    "slug",
    "id",
];
/// The placeholders a channel template may use.
pub const CHANNEL_PLACEHOLDERS: [&str; 4] = ["site", "channel_path", "channel", "id"];

pub const DEFAULT_ARTICLE_TEMPLATE: &str = "{site}/{channel_path}/{yyyy}/{mm}{dd}/{slug}.html";
pub const DEFAULT_CHANNEL_TEMPLATE: &str = "{site}/{channel_path}/";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Placeholder(&'static str),
}

/// A parsed URL template: text and `{placeholder}`s, each one known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template(Vec<Part>);

impl Template {
    /// Reads `raw`, refusing a placeholder outside `allowed` or an unclosed brace.
    pub fn parse(raw: &str, allowed: &[&'static str]) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut rest = raw;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_owned()));
            }
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or_else(|| format!("{raw:?} has a '{{' without its '}}'"))?;
            let name = &after[..close];
            let known = allowed.iter().find(|a| **a == name).ok_or_else(|| {
                format!(
                    "{raw:?} uses the unknown placeholder {{{name}}}; known: {}",
                    allowed
                        .iter()
                        .map(|a| format!("{{{a}}}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                )
            })?;
            parts.push(Part::Placeholder(known));
            rest = &after[close + 1..];
        }
        if rest.contains('}') {
            return Err(format!("{raw:?} has a '}}' without its '{{'"));
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_owned()));
        }
        Ok(Self(parts))
    }

    fn render(&self, value: impl Fn(&str) -> String) -> String {
        self.0
            .iter()
            .map(|part| match part {
                Part::Text(text) => text.clone(),
                Part::Placeholder(name) => value(name),
            })
            .collect()
    }
}

/// The public site: its base URL (no trailing slash), the URL templates and the UTC
/// offset its dates are written in (the `{yyyy}/{mm}{dd}` of an article's URL).
#[derive(Debug, Clone)]
pub struct Site {
    base: String,
    article: Template,
    channel: Template,
    offset: FixedOffset,
}

impl Site {
    /// `base` must be an absolute `http`/`https` URL without query or fragment.
    pub fn new(
        base: &str,
        article: Template,
        channel: Template,
        offset: FixedOffset,
    ) -> Result<Self, String> {
        let trimmed = base.trim().trim_end_matches('/');
        let parsed = url::Url::parse(trimmed).map_err(|_| format!("{base:?} is not a URL"))?;
        if !matches!(parsed.scheme(), "http" | "https")
            || parsed.host_str().is_none_or(str::is_empty)
            || parsed.query().is_some()
            || parsed.fragment().is_some()
        {
            return Err(format!(
                "{base:?} must be an http:// or https:// URL without query or fragment"
            ));
        }
        Ok(Self {
            base: trimmed.to_owned(),
            article,
            channel,
            offset,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn offset(&self) -> FixedOffset {
        self.offset
    }

    /// The canonical URL of a channel whose slugs from the root down are `path`.
    pub fn channel_url(&self, id: i64, path: &[&str]) -> String {
        self.channel.render(|name| match name {
            "site" => self.base.clone(),
            "channel_path" => path.join("/"),
            "channel" => path.last().copied().unwrap_or_default().to_owned(),
            _ => id.to_string(),
        })
    }

    /// The canonical URL of an article published at `published` in the channel whose
    /// slugs from the root down are `path`.
    pub fn article_url(
        &self,
        id: i64,
        slug: &str,
        published: DateTime<Utc>,
        path: &[&str],
    ) -> String {
        let local = published.with_timezone(&self.offset);
        self.article.render(|name| match name {
            "site" => self.base.clone(),
            "channel_path" => path.join("/"),
            "channel" => path.last().copied().unwrap_or_default().to_owned(),
            "yyyy" => local.format("%Y").to_string(),
            "mm" => local.format("%m").to_string(),
            "dd" => local.format("%d").to_string(),
            "slug" => slug.to_owned(),
            _ => id.to_string(),
        })
    }

    /// An address under the site's base (`/feeds/rss.xml` …), for feeds' self links.
    pub fn under(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// Reads a UTC offset written `+08:00`, `-05:30` or `Z`.
pub fn parse_offset(raw: &str) -> Option<FixedOffset> {
    let raw = raw.trim();
    if raw.eq_ignore_ascii_case("z") {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match raw.as_bytes().first()? {
        b'+' => (1, &raw[1..]),
        b'-' => (-1, &raw[1..]),
        _ => return None,
    };
    let (hours, minutes) = rest.split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let hours: i32 = hours.parse().ok()?;
    let minutes: i32 = minutes.parse().ok()?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(article: &str, channel: &str) -> Site {
        Site::new(
            "https://www.jxnews.com.cn/",
            Template::parse(article, &ARTICLE_PLACEHOLDERS).unwrap(),
            Template::parse(channel, &CHANNEL_PLACEHOLDERS).unwrap(),
            parse_offset("+08:00").unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn templates_fill_in_the_local_date_and_the_channel_path() {
        let site = site(DEFAULT_ARTICLE_TEMPLATE, DEFAULT_CHANNEL_TEMPLATE);
        // 2022-06-30T17:30Z is already July 1st in China.
        let published = "2022-06-30T17:30:00Z".parse().unwrap();
        assert_eq!(
            site.article_url(7, "mine-park", published, &["portal", "pingxiang"]),
            "https://www.jxnews.com.cn/portal/pingxiang/2022/0701/mine-park.html"
        );
        assert_eq!(
            site.channel_url(11, &["portal", "pingxiang"]),
            "https://www.jxnews.com.cn/portal/pingxiang/"
        );
    }

    #[test]
    fn unknown_placeholders_and_loose_braces_are_refused() {
        let unknown = Template::parse("{site}/{slugg}", &ARTICLE_PLACEHOLDERS).unwrap_err();
        assert!(unknown.contains("{slugg}"), "{unknown}");
        assert!(Template::parse("{site}/{yyyy}", &CHANNEL_PLACEHOLDERS).is_err());
        assert!(Template::parse("{site/x", &CHANNEL_PLACEHOLDERS).is_err());
        assert!(Template::parse("{site}/x}", &CHANNEL_PLACEHOLDERS).is_err());
        let plain = Template::parse("{site}", &CHANNEL_PLACEHOLDERS).unwrap();
        assert!(
            Site::new(
                "ftp://x",
                plain.clone(),
                plain.clone(),
                FixedOffset::east_opt(0).unwrap()
            )
            .is_err()
        );
        assert!(
            Site::new(
                "https://x/?a=1",
                plain.clone(),
                plain,
                FixedOffset::east_opt(0).unwrap()
            )
            .is_err()
        );
    }

    #[test]
    fn offsets_are_read_with_sign_hours_and_minutes() {
        assert_eq!(parse_offset("+08:00").unwrap().local_minus_utc(), 8 * 3600);
        assert_eq!(
            parse_offset("-05:30").unwrap().local_minus_utc(),
            -(5 * 3600 + 1800)
        );
        assert_eq!(parse_offset("Z").unwrap().local_minus_utc(), 0);
        assert!(parse_offset("8").is_none());
        assert!(parse_offset("+25:00").is_none());
    }
}
