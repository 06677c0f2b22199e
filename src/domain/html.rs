//! Article page HTML: sanitised with an allow-list on the way in, and flattened to text
//! for search. Comments never pass through here: they stay plain text.

use std::collections::HashSet;
use std::sync::LazyLock;

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    // ammonia's default allow-list keeps paragraphs, headings, lists, links, images,
    // tables and figures, and drops scripts, styles and event handlers; only web and
    // mail links may point anywhere.
    builder
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer"))
        // Responsive images from our own media library: `srcset` only when every
        // candidate is a `/media/` file, `sizes` only as media conditions and lengths.
        .add_tag_attributes("img", ["srcset", "sizes"])
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("img", "srcset") => own_srcset(value).then(|| value.into()),
            ("img", "sizes") => plain_sizes(value).then(|| value.into()),
            _ => Some(value.into()),
        });
    builder
});

/// One `srcset` candidate naming a file of our media library.
const MEDIA_CANDIDATE: &str = r"^/media/[0-9a-f]{64}/(original|w[0-9]{1,5})\.(jpg|png|gif|webp)(\s+([0-9]{1,5}w|[0-9](\.[0-9]+)?x))?$";

static MEDIA_CANDIDATE_RE: LazyLock<Option<regex::Regex>> =
    LazyLock::new(|| regex::Regex::new(MEDIA_CANDIDATE).ok());

/// Whether every candidate of a `srcset` is a file of our media library.
fn own_srcset(value: &str) -> bool {
    let candidates: Vec<&str> = value.split(',').map(str::trim).collect();
    let Some(pattern) = MEDIA_CANDIDATE_RE.as_ref() else {
        return false;
    };
    !candidates.is_empty() && candidates.iter().all(|c| pattern.is_match(c))
}

/// `sizes` as media conditions and lengths, nothing that could carry a URL: plain
/// characters, and no function but the arithmetic ones lengths may use (`url(…)` and
/// the like are refused).
fn plain_sizes(value: &str) -> bool {
    const LENGTH_FUNCTIONS: [&str; 4] = ["calc", "min", "max", "clamp"];
    let plain = value.len() <= 500
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b" ().,:-+*/%".contains(&b));
    plain
        && value.match_indices('(').all(|(at, _)| {
            let before = &value[..at];
            let name_start = before
                .rfind(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                .map_or(0, |i| i + 1);
            let name = &before[name_start..];
            name.is_empty() || LENGTH_FUNCTIONS.contains(&name.to_ascii_lowercase().as_str())
        })
}

/// The page with everything outside the allow-list removed.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// The visible text of sanitised HTML, for indexing: tags become spaces, the common
/// entities their characters.
pub fn text_of(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    // Whole runs of text between tags at a time: a search's highlights read a page of
    // results' bodies through this.
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        match rest[open..].find('>') {
            Some(close) => {
                text.push(' ');
                rest = &rest[open + close + 1..];
            }
            None => {
                rest = "";
            }
        }
    }
    text.push_str(rest);
    if !text.contains('&') {
        return text;
    }
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_urls_are_removed() {
        let dirty = r#"<p onclick="steal()">萍乡<script>alert(1)</script><a href="javascript:alert(1)">x</a></p>"#;
        let clean = sanitize(dirty);
        assert!(
            !clean.contains("script")
                && !clean.contains("onclick")
                && !clean.contains("javascript"),
            "{clean}"
        );
        assert!(clean.contains("<p>萍乡"));
    }

    #[test]
    fn newsroom_markup_survives() {
        let html = r#"<h2>标题</h2><figure><img src="https://img.example.com/a.jpg" alt="图"><figcaption>说明</figcaption></figure><table><tr><td>1</td></tr></table><ul><li>一</li></ul>"#;
        let clean = sanitize(html);
        for kept in [
            "<h2>",
            "<figure>",
            "<img",
            "<figcaption>",
            "<table>",
            "<td>",
            "<li>",
        ] {
            assert!(clean.contains(kept), "{kept} missing from {clean}");
        }
    }

    #[test]
    fn srcset_is_kept_only_for_our_own_media_files() {
        let hash = "ab".repeat(32);
        let ours = format!(
            r#"<img src="/media/{hash}/original.jpg" srcset="/media/{hash}/w320.webp 320w, /media/{hash}/w640.webp 640w" sizes="(max-width: 600px) 100vw, 640px" alt="x">"#
        );
        let clean = sanitize(&ours);
        assert!(
            clean.contains("srcset=") && clean.contains("sizes="),
            "{clean}"
        );
        let theirs = format!(
            r#"<img src="/media/{hash}/original.jpg" srcset="https://tracker.example.com/p.gif 1x, /media/{hash}/w320.webp 320w" sizes="url(x)">"#
        );
        let clean = sanitize(&theirs);
        assert!(
            !clean.contains("srcset") && !clean.contains("tracker") && !clean.contains("sizes"),
            "{clean}"
        );
    }

    #[test]
    fn text_of_strips_tags_and_decodes_entities() {
        assert_eq!(text_of("<p>萍乡&amp;南昌</p>").trim(), "萍乡&南昌");
    }
}
