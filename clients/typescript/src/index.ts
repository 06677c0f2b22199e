// The Newsdesk SDK: the typed openapi-fetch client over `schema.d.ts`, plus what every
// integrator writes by hand: tokens with refresh on 401, Link-following pages, ETag-aware GETs.

import createClient from "openapi-fetch";
import type { Client, ClientPathsWithMethod, MaybeOptionalInit, MethodResponse } from "openapi-fetch";
import type { components, paths } from "./schema.js";
import { type ResponseCache, memoryCache } from "./cache.js";
import { NewsdeskError, unwrap } from "./errors.js";
import { linkTarget } from "./links.js";
import { type TokenStore, type Tokens, memoryTokenStore } from "./tokens.js";

export type { components, paths, operations } from "./schema.js";
export { type CachedAnswer, type MemoryCacheOptions, type ResponseCache, memoryCache } from "./cache.js";
export { type FieldError, type Problem, NewsdeskError, unwrap } from "./errors.js";
export { linkTarget } from "./links.js";
export { type TokenStore, type Tokens, memoryTokenStore } from "./tokens.js";

/** A schema by name: `Schema<"ArticleOut">`. */
export type Schema<Name extends keyof components["schemas"]> = components["schemas"][Name];

/** The typed openapi-fetch client over every path of the document. */
export type NewsdeskClient = Client<paths>;
type GetPath = ClientPathsWithMethod<NewsdeskClient, "get">;
type GetInit<P extends GetPath> = MaybeOptionalInit<paths[P], "get">;
type Answer = { data?: unknown; error?: unknown; response: Response };
/** The init argument of a GET: optional unless the path has required parameters. */
type GetArgs<P extends GetPath> = undefined extends GetInit<P> ? [init?: GetInit<P>] : [init: GetInit<P>];

/** The GET paths that answer a paged `{data, meta}` envelope. */
export type ListPath = {
  [P in GetPath]: MethodResponse<NewsdeskClient, "get", P> extends {
    data: unknown[];
    meta: Schema<"PageMeta">;
  }
    ? P
    : never;
}[GetPath];
/** One page of a list path's answer. */
export type Page<P extends ListPath> = MethodResponse<NewsdeskClient, "get", P>;
/** One item of a list path's answer. */
export type Item<P extends ListPath> = Page<P>["data"][number];

export interface NewsdeskOptions {
  /** Where the API is, e.g. `https://news.example.com` (paths start with `/api/v1`). */
  baseUrl: string;
  /** Where the tokens live; in memory unless given. */
  tokenStore?: TokenStore;
  /** The ETag cache for GETs; in memory unless given, `false` for none. */
  cache?: ResponseCache | false;
  /** The transport underneath everything (defaults to `globalThis.fetch`). */
  fetch?: (request: Request) => Promise<Response>;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

/** Paths whose 401 means "wrong credentials", never "refresh and retry". */
const SIGN_IN_PATHS = ["/api/v1/auth/login", "/api/v1/auth/refresh"];

export function createNewsdesk(options: NewsdeskOptions) {
  const tokens = options.tokenStore ?? memoryTokenStore();
  const cache = options.cache === false ? null : (options.cache ?? memoryCache());
  const transport = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const origin = new URL(options.baseUrl).origin;
  let refreshing: Promise<boolean> | null = null;

  const client: NewsdeskClient = createClient<paths>({
    baseUrl: options.baseUrl,
    headers: options.headers,
    fetch: (request) => send(request),
  });

  /** Every request: token attached, refreshed once on 401, GETs through the ETag cache. */
  async function send(request: Request): Promise<Response> {
    const url = new URL(request.url);
    // The token goes to Newsdesk only, and never with a sign-in of its own.
    if (url.origin !== origin || SIGN_IN_PATHS.includes(url.pathname)) return transport(request);
    if (refreshing) await refreshing.catch(() => false);
    const held = await tokens.get();
    if (!held) return conditional(request, null);
    const retry = request.clone();
    const response = await conditional(request, held);
    if (response.status !== 401 || !(await refresh(held.access_token))) return response;
    return conditional(retry, await tokens.get());
  }

  /** Sends with the token (if any); a GET goes through the ETag cache of its audience. */
  async function conditional(request: Request, held: Tokens | null): Promise<Response> {
    if (held) request.headers.set("Authorization", `Bearer ${held.access_token}`);
    if (!cache || request.method !== "GET" || request.headers.has("If-None-Match")) {
      return transport(request);
    }
    // Signed-in and anonymous answers differ (drafts, moderation queues): never mix them.
    const key = `${held ? "signed-in" : "anonymous"} ${request.url}`;
    const cached = await cache.get(key);
    if (cached) request.headers.set("If-None-Match", cached.etag);
    const response = await transport(request);
    if (response.status === 304 && cached) {
      return replay(cached, request.url);
    }
    const etag = response.headers.get("ETag");
    if (response.status === 200 && etag) {
      const body = await response.clone().text();
      await cache.set(key, { etag, body, headers: [...response.headers] });
    }
    return response;
  }

  /**
   * Trades the refresh token for a new pair, once for any number of concurrent 401s: a
   * refresh token works once, and sending one twice makes the server end the session.
   */
  function refresh(staleAccess: string): Promise<boolean> {
    refreshing ??= (async () => {
      const held = await tokens.get();
      if (!held) return false;
      if (held.access_token !== staleAccess) return true; // someone refreshed meanwhile
      const { data, response } = await client.POST("/api/v1/auth/refresh", {
        body: { refresh_token: held.refresh_token },
      });
      if (data) {
        await tokens.set({ access_token: data.access_token, refresh_token: data.refresh_token });
        return true;
      }
      const refused = response.status === 400 || response.status === 401 || response.status === 422;
      if (refused && (await tokens.get())?.refresh_token === held.refresh_token) {
        await tokens.set(null);
        await cache?.clear();
      }
      return false;
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  /**
   * Every page of a list, following `Link: <…>; rel="next"` until there is none (through the
   * same tokens and cache). Throws `NewsdeskError` on a non-2xx answer.
   */
  async function* pages<P extends ListPath>(path: P, ...init: GetArgs<P>): AsyncGenerator<Page<P>, void> {
    const get = client.GET as (path: string, init?: unknown) => Promise<Answer>;
    let { data, error, response } = await get(path, init[0]);
    const seen = new Set<string>();
    for (;;) {
      if (!response.ok) throw new NewsdeskError(response, error);
      yield data as Page<P>;
      const next = linkTarget(response.headers.get("Link"), "next", response.url || options.baseUrl);
      if (!next || seen.has(next)) return;
      seen.add(next);
      response = await send(new Request(next, { headers: options.headers }));
      const body: unknown = await response.json().catch(() => undefined);
      [data, error] = response.ok ? [body, undefined] : [undefined, body];
    }
  }

  /** Every item of a list, page after page (see `pages`). */
  async function* items<P extends ListPath>(path: P, ...init: GetArgs<P>): AsyncGenerator<Item<P>, void> {
    for await (const page of pages(path, ...init)) yield* (page as { data: Item<P>[] }).data;
  }

  return {
    /** The typed openapi-fetch client: `{ data, error, response }` style. */
    client,

    /** Signs in and keeps the token pair; throws `NewsdeskError` on a wrong password (401). */
    async signIn(email: string, password: string): Promise<Schema<"TokenPair">> {
      const pair = await unwrap(client.POST("/api/v1/auth/login", { body: { email, password } }));
      await cache?.clear();
      await tokens.set({ access_token: pair.access_token, refresh_token: pair.refresh_token });
      return pair;
    },

    /** Ends the session on the server (best effort) and forgets the tokens. */
    async signOut(): Promise<void> {
      const held = await tokens.get();
      if (held) {
        const body = { refresh_token: held.refresh_token };
        await client.POST("/api/v1/auth/logout", { body }).catch(() => undefined);
      }
      await tokens.set(null);
      await cache?.clear();
    },

    /** Whether a token pair is held. */
    async signedIn(): Promise<boolean> {
      return (await tokens.get()) !== null;
    },

    pages,
    items,
  };
}

export type Newsdesk = ReturnType<typeof createNewsdesk>;

/** An answer served again from the cache, as if the server had sent it with 200. */
function replay(cached: { body: string; headers: [string, string][] }, url: string): Response {
  const headers = new Headers(cached.headers);
  headers.delete("Content-Length");
  headers.delete("Content-Encoding");
  const response = new Response(cached.body, { status: 200, headers });
  Object.defineProperty(response, "url", { value: url });
  return response;
}
