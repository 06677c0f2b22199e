//! Writing XML by hand, safely: every text and attribute value goes through [`escape`],
//! which drops what XML 1.0 forbids and escapes the five markup characters, so no title
//! can break a feed, and no CDATA section is ever written (so no `]]>` can end one).

use std::fmt::Write;

/// Whether XML 1.0 allows `c` in a document (its `Char` production).
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `text` with forbidden characters dropped and `& < > " '` escaped, for text and
/// attribute values alike.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().filter(|&c| allowed(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// `text` without the characters XML 1.0 forbids (for JSON Feed, whose readers often
/// hand the text on to XML or HTML).
pub fn clean(text: &str) -> String {
    text.chars().filter(|&c| allowed(c)).collect()
}

/// An XML document under construction.
pub struct Doc {
    out: String,
    open: Vec<&'static str>,
}

impl Doc {
    pub fn new() -> Self {
        Self {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            open: Vec::new(),
        }
    }

    fn tag(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            let _ = write!(self.out, " {key}=\"{}\"", escape(value));
        }
    }

    /// Opens `<name attributes…>`; [`Doc::close`] closes it.
    pub fn open(&mut self, name: &'static str, attributes: &[(&str, &str)]) -> &mut Self {
        self.tag(name, attributes);
        self.out.push_str(">\n");
        self.open.push(name);
        self
    }

    pub fn close(&mut self) -> &mut Self {
        if let Some(name) = self.open.pop() {
            let _ = writeln!(self.out, "</{name}>");
        }
        self
    }

    /// `<name attributes…>text</name>`.
    pub fn text(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) -> &mut Self {
        self.tag(name, attributes);
        let _ = writeln!(self.out, ">{}</{name}>", escape(text));
        self
    }

    /// `<name attributes…/>`.
    pub fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) -> &mut Self {
        self.tag(name, attributes);
        self.out.push_str("/>\n");
        self
    }

    pub fn finish(mut self) -> Vec<u8> {
        while !self.open.is_empty() {
            self.close();
        }
        self.out.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_forbidden_characters_never_reach_the_document() {
        assert_eq!(
            escape("a <b> & \"c\" 'd' ]]> \u{0}\u{1b}\u{FFFE}e\tf"),
            "a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; ]]&gt; e\tf"
        );
        let mut doc = Doc::new();
        doc.open("rss", &[("version", "2.0")])
            .text("title", &[], "]]> <x>")
            .empty("enclosure", &[("url", "https://x/?a=1&b=2")]);
        let text = String::from_utf8(doc.finish()).unwrap();
        assert!(!text.contains("]]>"), "{text}");
        assert!(text.contains("a=1&amp;b=2"), "{text}");
        assert!(text.ends_with("</rss>\n"), "{text}");
    }
}
