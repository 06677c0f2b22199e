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
        .link_rel(Some("noopener noreferrer"));
    builder
});

/// The page with everything outside the allow-list removed.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// The visible text of sanitised HTML, for indexing: tags become spaces, the common
/// entities their characters.
pub fn text_of(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
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
    fn text_of_strips_tags_and_decodes_entities() {
        assert_eq!(text_of("<p>萍乡&amp;南昌</p>").trim(), "萍乡&南昌");
    }
}
