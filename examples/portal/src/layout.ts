// What every page shares: the masthead with the group's newspapers and the city directory
// (地市频道), breadcrumbs (您当前的位置), the tip lines and the footer.

import {
  channel,
  channelTree,
  linksOf,
  type Channel,
  type ChannelLink,
  type ChannelNode,
  type ChannelRef,
} from "./api";
import { h, joined } from "./dom";
import { outsideLink, tipLineValue } from "./format";

/** The portal: the root of the channel tree, with its own answer (its outside links). */
export interface Site {
  root: ChannelNode;
  rootDetail: Channel;
  tree: ChannelNode[];
}

export async function loadSite(): Promise<Site> {
  const tree = await channelTree();
  const root = tree[0];
  if (!root) throw new Error("the newsroom has no channels yet");
  return { root, rootDetail: await channel(root.slug), tree };
}

export const channelHref = (slug: string) => `#/channel/${encodeURIComponent(slug)}`;
export const articleHref = (slug: string, page = 1) =>
  `#/article/${encodeURIComponent(slug)}${page > 1 ? `?page=${page}` : ""}`;

/** The group's newspapers and sites: the portal's links to other websites. */
function papers(links: ChannelLink[]): ChannelLink[] {
  return links.filter((l) => l.kind === "website");
}

export function masthead(site: Site, current?: string): HTMLElement {
  const cities = site.root.children ?? [];
  const group = papers(linksOf(site.rootDetail));
  return h(
    "header",
    { class: "masthead" },
    h(
      "div",
      { class: "brand" },
      h("a", { href: "#/", class: "site-name" }, site.root.name),
      site.root.description ? h("span", { class: "tagline" }, site.root.description) : null,
    ),
    group.length
      ? h("nav", { class: "papers", "aria-label": "集团报刊" }, h("b", {}, "集团报刊"), group.map((l) => outsideLink(l)))
      : null,
    cities.length
      ? h(
          "nav",
          { class: "cities", "aria-label": "地市频道" },
          h("b", {}, "地市频道"),
          cities.map((c) =>
            h(
              "a",
              { href: channelHref(c.slug), class: c.slug === current ? "current" : null },
              c.name.replace(/频道$/, ""),
            ),
          ),
        )
      : null,
  );
}

export function breadcrumbs(trail: ChannelRef[]): HTMLElement {
  return h(
    "nav",
    { class: "crumbs", "aria-label": "您当前的位置" },
    "您当前的位置：",
    joined(
      trail.map((c) => h("a", { href: channelHref(c.slug) }, c.name)),
      " > ",
    ),
  );
}

/** `新闻热线：0799-… QQ爆料：…`, in the channel's order. */
export function tipLines(owner: Channel): HTMLElement | null {
  if (!owner.tip_lines.length) return null;
  return h(
    "p",
    { class: "tip-lines" },
    joined(
      owner.tip_lines.map((line) => h("span", { class: "tip-line" }, `${line.label}：`, tipLineValue(line))),
      " ",
    ),
  );
}

const KINDS: Record<string, string> = {
  wechat_official_account: "微信公众号",
  weibo: "微博",
  forum: "论坛",
  website: "网站",
  app: "客户端",
};

/** Outside links, one a line, each named by its kind: `微信公众号：中国江西网萍乡频道(djwpxpd)`. */
export function linkList(links: ChannelLink[]): HTMLElement | null {
  if (!links.length) return null;
  return h(
    "ul",
    { class: "channel-links" },
    links.map((l) => h("li", {}, `${KINDS[l.kind] ?? l.kind}：`, outsideLink(l))),
  );
}

/** A channel's outside links: WeChat, forum, Weibo, apps, websites. */
export function channelLinks(owner: Channel): HTMLElement | null {
  return linkList(linksOf(owner));
}

export function footer(site: Site): HTMLElement {
  const others = linksOf(site.rootDetail).filter((l) => l.kind !== "website");
  return h(
    "footer",
    { class: "footer" },
    others.length ? h("p", {}, "关注我们：", others.map((l) => outsideLink(l))) : null,
    h("p", {}, `${site.root.name} · 内容由 Newsdesk 提供`),
  );
}
