// Home: the channel tree (the city directory in menu order, each city's columns) and the
// newest articles of the whole site.

import { latest, type ChannelNode } from "../api";
import { h } from "../dom";
import { day } from "../format";
import { articleHref, channelHref, footer, masthead, type Site } from "../layout";
import type { Rendered } from "../router";

function tree(nodes: ChannelNode[]): HTMLElement {
  return h(
    "ul",
    {},
    nodes.map((c) =>
      h(
        "li",
        {},
        h("a", { href: channelHref(c.slug) }, c.name),
        c.children?.length ? tree(c.children) : null,
      ),
    ),
  );
}

export async function home(site: Site): Promise<Rendered> {
  const newest = await latest(8);
  const cities = site.root.children ?? [];
  return {
    title: site.root.name,
    node: h(
      "div",
      { class: "page home" },
      masthead(site),
      h(
        "main",
        { class: "columns" },
        h(
          "section",
          { class: "latest" },
          h("h2", {}, "最新新闻"),
          h(
            "ul",
            { class: "article-list" },
            newest.map((a) =>
              h(
                "li",
                {},
                h("a", { href: articleHref(a.slug) }, a.title),
                h("span", { class: "when" }, day(a.published_at)),
                h("p", { class: "summary" }, a.summary),
              ),
            ),
          ),
        ),
        h(
          "section",
          { class: "channel-tree" },
          h("h2", {}, "地市频道"),
          h("nav", { "aria-label": "频道导航" }, tree(cities)),
        ),
      ),
      footer(site),
    ),
  };
}
