// Everything the portal reads and sends, through the project's SDK: one anonymous client
// with the SDK's ETag cache, so every page after the first is revalidated with
// `If-None-Match` and served from the cached copy on 304.

import { createNewsdesk, linkTarget, NewsdeskError, unwrap, type Schema } from "@newsdesk/client";

export type ChannelNode = Schema<"ChannelListItem">;
export type Channel = Schema<"ChannelDetailOut">;
export type ChannelRef = Schema<"ChannelRef">;
export type Article = Schema<"ArticleOut">;
export type ArticleSummary = Schema<"ArticleSummaryOut">;
export type Comment = Schema<"CommentOut">;
export type TipLine = Schema<"TipLineOut">;
export type PageMeta = Schema<"PageMeta">;

/**
 * A channel's outside link (its WeChat official account, its forum, the group's newspapers).
 * Channels carry `links` once the distribution work has added them; until the API's answer
 * holds them, the portal shows none.
 */
export interface ChannelLink {
  kind: string;
  label: string;
  value?: string | null;
  url?: string | null;
}

/** Where Newsdesk is: `VITE_NEWSDESK_API` at build time, else a local `cargo run`. */
export const apiBase: string = import.meta.env.VITE_NEWSDESK_API || "http://127.0.0.1:8080";

/** Never signed in: the portal shows what any reader may see, and the API decides what that is. */
export const nd = createNewsdesk({ baseUrl: apiBase });

/** The outside links of a channel answer, when it has any. */
export function linksOf(channel: object): ChannelLink[] {
  const links = (channel as { links?: unknown }).links;
  if (!Array.isArray(links)) return [];
  return links.filter(
    (l): l is ChannelLink =>
      typeof l === "object" && l !== null && typeof l.kind === "string" && typeof l.label === "string",
  );
}

/** The whole channel tree, roots first, children in menu order (every page of the list). */
export async function channelTree(): Promise<ChannelNode[]> {
  const roots: ChannelNode[] = [];
  for await (const c of nd.items("/api/v1/channels", { params: { query: { tree: true, per_page: 100 } } })) {
    roots.push(c);
  }
  return roots;
}

export function channel(slug: string): Promise<Channel> {
  return unwrap(nd.client.GET("/api/v1/channels/{id_or_slug}", { params: { path: { id_or_slug: slug } } }));
}

/** Where the list's `Link` header points: first, prev, next and last, as API URLs. */
export interface PageLinks {
  first: string | null;
  prev: string | null;
  next: string | null;
  last: string | null;
}

export interface ArticlePage {
  articles: ArticleSummary[];
  meta: PageMeta;
  links: PageLinks;
}

/** One page of a channel's public articles (its sub-channels included), newest first. */
export async function channelArticles(slug: string, page: number, perPage: number): Promise<ArticlePage> {
  const { data, error, response } = await nd.client.GET("/api/v1/articles", {
    params: { query: { channel: slug, include_descendants: true, page, per_page: perPage } },
  });
  if (!data) throw new NewsdeskError(response, error);
  const header = response.headers.get("Link");
  const base = response.url || apiBase;
  const rel = (name: string) => linkTarget(header, name, base);
  return {
    articles: data.data,
    meta: data.meta,
    links: { first: rel("first"), prev: rel("prev"), next: rel("next"), last: rel("last") },
  };
}

/** The newest public articles of the whole site. */
export async function latest(count: number): Promise<ArticleSummary[]> {
  const list = await unwrap(nd.client.GET("/api/v1/articles", { params: { query: { per_page: count } } }));
  return list.data;
}

/** One page of an article's body. */
export function article(slug: string, page: number): Promise<Article> {
  return unwrap(
    nd.client.GET("/api/v1/articles/{id_or_slug}", {
      params: { path: { id_or_slug: slug }, query: { page } },
    }),
  );
}

export async function related(slug: string): Promise<ArticleSummary[]> {
  const list = await unwrap(
    nd.client.GET("/api/v1/articles/{id_or_slug}/related", { params: { path: { id_or_slug: slug } } }),
  );
  return list.data;
}

/** Every approved comment of an article, oldest first (following the `Link` header's pages). */
export async function comments(slug: string): Promise<Comment[]> {
  const all: Comment[] = [];
  const pages = nd.items("/api/v1/articles/{id_or_slug}/comments", {
    params: { path: { id_or_slug: slug }, query: { per_page: 100 } },
  });
  for await (const c of pages) all.push(c);
  return all;
}

export function postComment(slug: string, body: Schema<"PostComment">): Promise<Comment> {
  return unwrap(
    nd.client.POST("/api/v1/articles/{id_or_slug}/comments", { params: { path: { id_or_slug: slug } }, body }),
  );
}

export function sendTip(body: Schema<"SendTip">): Promise<Schema<"TipReceipt">> {
  return unwrap(nd.client.POST("/api/v1/tips", { body }));
}
