// An article page, as a city channel's article page shows it: breadcrumbs, title, time,
// source, bylines with their roles, the forum and comment count, the newsroom's tip lines,
// one page of the body with `[1] [2] 下一页 尾页`, the WeChat account, related news, the
// approved comments with the comment form, and the channel's tip form.

import { article, comments, linksOf, related, type Article, type Channel, type Comment } from "../api";
import { h, joined, trustedBody } from "../dom";
import { day, outsideLink, role, time } from "../format";
import { commentForm, tipForm } from "../forms";
import { articleHref, breadcrumbs, footer, linkList, masthead, tipLines, type Site } from "../layout";
import { newsroom } from "../newsroom";
import { NotFound } from "../problems";
import type { Rendered } from "../router";

/** `[1] [2] 下一页 尾页` (and `首页 上一页` past the first page). */
function pageNav(a: Article): HTMLElement | null {
  if (a.page_count <= 1) return null;
  const to = (label: string, page: number) => h("a", { href: articleHref(a.slug, page) }, label);
  const numbers = Array.from({ length: a.page_count }, (_, i) => i + 1).map((n) =>
    n === a.page ? h("span", { class: "current", "aria-current": "page" }, `[${n}]`) : to(`[${n}]`, n),
  );
  return h(
    "nav",
    { class: "pager article-pager", "aria-label": "文章分页" },
    a.page > 1 ? [to("首页", 1), to("上一页", a.page - 1)] : null,
    numbers,
    a.page < a.page_count ? [to("下一页", a.page + 1), to("尾页", a.page_count)] : null,
  );
}

function bylines(a: Article): HTMLElement | null {
  if (!a.bylines.length) return null;
  return h(
    "p",
    { class: "bylines" },
    joined(a.bylines.map((b) => h("span", { class: `byline ${b.role}` }, `${role(b.role)}：${b.name}`)), " "),
  );
}

/** Approved comments, replies under the comment they answer. */
function thread(all: Comment[]): HTMLElement {
  const replies = new Map<number, Comment[]>();
  for (const c of all) {
    if (c.parent_id !== null) replies.set(c.parent_id, [...(replies.get(c.parent_id) ?? []), c]);
  }
  const ids = new Set(all.map((c) => c.id));
  const item = (c: Comment): HTMLElement =>
    h(
      "li",
      { class: "comment" },
      h("p", { class: "who" }, h("b", {}, c.author_name), " ", h("span", { class: "when" }, time(c.created_at))),
      h("p", { class: "text" }, c.body),
      replies.has(c.id) ? h("ul", { class: "replies" }, (replies.get(c.id) ?? []).map(item)) : null,
    );
  // A reply whose parent is not shown (on another page of a long thread) stands on its own.
  const tops = all.filter((c) => c.parent_id === null || !ids.has(c.parent_id));
  return h("ul", { class: "comments" }, tops.map(item));
}

/** Where the forum and WeChat account of the article's channel go. */
function forumLinks(room: Channel | null): Node[] {
  if (!room) return [];
  return linksOf(room)
    .filter((l) => l.kind === "forum")
    .map((l) => outsideLink(l));
}

function wechat(room: Channel | null): HTMLElement | null {
  const accounts = room ? linksOf(room).filter((l) => l.kind === "wechat_official_account") : [];
  if (!accounts.length) return null;
  return h(
    "p",
    { class: "wechat" },
    "更多相关新闻及资讯请关注微信公众号",
    accounts.map((l) => h("span", { class: "account" }, "“", outsideLink(l), "”")),
  );
}

function otherLinks(room: Channel | null): HTMLElement | null {
  const rest = room
    ? linksOf(room).filter((l) => l.kind !== "forum" && l.kind !== "wechat_official_account")
    : [];
  return linkList(rest);
}

export async function articlePage(site: Site, slug: string, query: URLSearchParams): Promise<Rendered> {
  const page = Math.max(1, Number(query.get("page")) || 1);
  const a = await article(slug, page);
  // The API shows anonymous readers only public articles; a portal never shows anything else.
  if (a.status !== "published") throw new NotFound(`article ${slug}`);
  const [room, near, said] = await Promise.all([newsroom(a.breadcrumbs), related(slug), comments(slug)]);
  const city = a.breadcrumbs[1]?.slug;

  const noComments = h("p", { class: "empty" }, "还没有留言。");
  const commentList = h("div", { class: "comment-list" }, said.length ? thread(said) : noComments);
  const commentsSection = h(
    "section",
    { class: "comments-section", id: "comments" },
    h("h2", {}, "网友留言"),
    h("p", { class: "comment-count" }, `已审核留言 ${a.comment_count} 条`),
    commentList,
    a.comments_enabled
      ? commentForm(a.slug, (c) => {
          said.push(c);
          commentList.replaceChildren(thread(said));
        })
      : h("p", { class: "closed" }, "本文不开放留言。"),
  );
  const toComments = h(
    "a",
    {
      href: articleHref(a.slug, a.page),
      class: "to-comments",
      onclick: (event: Event) => {
        event.preventDefault();
        commentsSection.scrollIntoView();
      },
    },
    `评论(${a.comment_count})`,
  );
  const forum = forumLinks(room.links);

  return {
    title: `${a.title} - ${site.root.name}`,
    node: h(
      "div",
      { class: "page article" },
      masthead(site, city),
      breadcrumbs(a.breadcrumbs),
      h(
        "main",
        { class: "columns" },
        h(
          "div",
          { class: "story" },
          h(
            "article",
            {},
            h("h1", {}, a.title),
            a.subtitle ? h("p", { class: "subtitle" }, a.subtitle) : null,
            h(
              "p",
              { class: "meta" },
              h("time", { datetime: a.published_at ?? "" }, time(a.published_at)),
              a.source ? " " : null,
              a.source
                ? h(
                    "span",
                    { class: "source" },
                    "来源：",
                    a.source.url ? h("a", { href: a.source.url, rel: "noopener" }, a.source.name) : a.source.name,
                  )
                : null,
            ),
            bylines(a),
            h("p", { class: "tools" }, forum.length ? [...forum, " | "] : null, toComments),
            tipLines(room.tips),
            trustedBody(a.body_html),
            pageNav(a),
            wechat(room.links),
            otherLinks(room.links),
          ),
          near.length
            ? h(
                "section",
                { class: "related" },
                h("h2", {}, "相关新闻"),
                h(
                  "ul",
                  {},
                  near.map((r) =>
                    h(
                      "li",
                      {},
                      h("a", { href: articleHref(r.slug) }, r.title),
                      h("span", { class: "when" }, day(r.published_at)),
                    ),
                  ),
                ),
              )
            : null,
          commentsSection,
        ),
        h(
          "aside",
          { class: "newsroom" },
          h("h2", {}, "我要爆料"),
          tipLines(room.tips),
          tipForm(room.tips),
        ),
      ),
      footer(site),
    ),
  };
}

