// A channel: its breadcrumbs, sub-channels, its public articles (its sub-channels'
// included) page by page as the API's `Link` header gives them, its tip lines and tip form.

import { channel, channelArticles, type PageLinks } from "../api";
import { h } from "../dom";
import { time } from "../format";
import { tipForm } from "../forms";
import { articleHref, breadcrumbs, channelHref, channelLinks, footer, masthead, tipLines, type Site } from "../layout";
import { newsroom } from "../newsroom";
import type { Rendered } from "../router";

export const DEFAULT_PER_PAGE = 10;

/** The portal route of a page of this list, from a URL in the API's `Link` header. */
function routeOf(slug: string, apiUrl: string): string {
  const query = new URL(apiUrl).searchParams;
  const params = new URLSearchParams();
  const page = query.get("page");
  const perPage = query.get("per_page");
  if (page && page !== "1") params.set("page", page);
  if (perPage && perPage !== String(DEFAULT_PER_PAGE)) params.set("per_page", perPage);
  const tail = params.toString();
  return `${channelHref(slug)}${tail ? `?${tail}` : ""}`;
}

/** 首页 上一页 下一页 尾页 from the `Link` header (first and last are there on every page). */
function pager(slug: string, links: PageLinks, page: number, pageCount: number): HTMLElement | null {
  if (pageCount <= 1) return null;
  const here = (url: string) => Number(new URL(url).searchParams.get("page") ?? "1") === page;
  const link = (label: string, url: string | null) =>
    url && !here(url) ? h("a", { href: routeOf(slug, url) }, label) : h("span", { class: "disabled" }, label);
  return h(
    "nav",
    { class: "pager", "aria-label": "分页" },
    link("首页", links.first),
    link("上一页", links.prev),
    h("span", { class: "current" }, `第 ${page}/${pageCount} 页`),
    link("下一页", links.next),
    link("尾页", links.last),
  );
}

export async function channelPage(site: Site, slug: string, query: URLSearchParams): Promise<Rendered> {
  const page = Math.max(1, Number(query.get("page")) || 1);
  const perPage = Math.min(100, Math.max(1, Number(query.get("per_page")) || DEFAULT_PER_PAGE));
  const [own, list] = await Promise.all([channel(slug), channelArticles(slug, page, perPage)]);
  const room = await newsroom(own.breadcrumbs, [own]);
  const city = own.breadcrumbs[1]?.slug ?? own.slug;
  return {
    title: `${own.name} - ${site.root.name}`,
    node: h(
      "div",
      { class: "page channel" },
      masthead(site, city),
      breadcrumbs(own.breadcrumbs),
      h(
        "main",
        { class: "columns" },
        h(
          "section",
          { class: "listing" },
          h("h1", {}, own.name),
          own.description ? h("p", { class: "description" }, own.description) : null,
          own.children.length
            ? h(
                "nav",
                { class: "subchannels", "aria-label": "栏目" },
                own.children.map((c) => h("a", { href: channelHref(c.slug) }, c.name)),
              )
            : null,
          list.articles.length
            ? h(
                "ul",
                { class: "article-list" },
                list.articles.map((a) =>
                  h(
                    "li",
                    {},
                    h("a", { href: articleHref(a.slug) }, a.title),
                    h("span", { class: "when" }, time(a.published_at)),
                    a.source ? h("span", { class: "source" }, `来源：${a.source.name}`) : null,
                    h("p", { class: "summary" }, a.summary),
                  ),
                ),
              )
            : h("p", { class: "empty" }, "这个频道还没有文章。"),
          h("p", { class: "count" }, `共 ${list.meta.total} 篇`),
          pager(slug, list.links, list.meta.page, list.meta.page_count),
        ),
        h(
          "aside",
          { class: "newsroom" },
          h("h2", {}, "我要爆料"),
          tipLines(room.tips),
          room.links ? channelLinks(room.links) : null,
          tipForm(room.tips),
        ),
      ),
      footer(site),
    ),
  };
}
