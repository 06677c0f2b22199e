// The SDK end to end against a real server on a fresh seed-demo database (started by
// e2e/run.sh): an integrator's day, each step asserted through the typed client.

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type Item,
  type Schema,
  NewsdeskError,
  createNewsdesk,
  memoryTokenStore,
  unwrap,
} from "@newsdesk/client";

const baseUrl = env("NEWSDESK_E2E_BASE_URL");
const adminEmail = env("NEWSDESK_ADMIN_EMAIL");
const adminPassword = env("NEWSDESK_ADMIN_PASSWORD");

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run e2e/run.sh)`);
  return value;
}

/** What went over the wire, without any token. */
interface Exchange {
  method: string;
  path: string;
  status: number;
  conditional: boolean;
  bearer: boolean;
}

/** A transport that records every exchange, to check what the server really answered. */
function recorder() {
  const wire: Exchange[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const sent = {
      method: request.method,
      conditional: request.headers.has("If-None-Match"),
      bearer: request.headers.has("Authorization"),
    };
    const response = await globalThis.fetch(request);
    const url = new URL(request.url);
    wire.push({ ...sent, path: url.pathname + url.search, status: response.status });
    return response;
  };
  return { wire, fetch };
}

let broken = false;
/** One step; after a failure the remaining steps are skipped, not failed again. */
function step(name: string, body: () => Promise<void>) {
  test(name, async (t) => {
    if (broken) return t.skip("an earlier step failed");
    try {
      await body();
    } catch (error) {
      broken = true;
      throw error;
    }
  });
}

const staffWire = recorder();
const staffTokens = memoryTokenStore();
const staff = createNewsdesk({ baseUrl, fetch: staffWire.fetch, tokenStore: staffTokens });
const readerWire = recorder();
const reader = createNewsdesk({ baseUrl, fetch: readerWire.fetch });

type ArticleItem = Item<"/api/v1/articles">;
let pingxiang: Schema<"ChannelListItem">;
let society: Schema<"ChannelListItem">;
let cityArticles: ArticleItem[] = [];
let published: Schema<"ArticleOut">;

step("signs in as the admin, and a wrong password is a 401 NewsdeskError", async () => {
  const pair = await staff.signIn(adminEmail, adminPassword);
  assert.equal(pair.user.email, adminEmail);
  assert.equal(pair.user.role, "admin");
  assert.equal(await staff.signedIn(), true);

  const stranger = createNewsdesk({ baseUrl });
  await assert.rejects(stranger.signIn(adminEmail, "not the password"), (error: unknown) => {
    assert.ok(error instanceof NewsdeskError);
    assert.equal(error.status, 401);
    assert.equal(error.problem.status, 401);
    return true;
  });
  assert.equal(await stranger.signedIn(), false);
});

step("reads the channel tree down to the 萍乡 columns", async () => {
  const tree = await unwrap(reader.client.GET("/api/v1/channels", { params: { query: { tree: true } } }));
  const find = (nodes: Schema<"ChannelListItem">[], slug: string): Schema<"ChannelListItem"> | undefined => {
    for (const node of nodes) {
      if (node.slug === slug) return node;
      const below = find(node.children ?? [], slug);
      if (below) return below;
    }
    return undefined;
  };
  const city = find(tree.data, "pingxiang");
  assert.ok(city, "the tree has the pingxiang channel");
  assert.equal(city.name, "萍乡频道");
  const columns = (city.children ?? []).map((c) => c.slug).sort();
  assert.deepEqual(columns, ["pingxiang-counties", "pingxiang-politics", "pingxiang-society"]);
  pingxiang = city;
  society = find(city.children ?? [], "pingxiang-society")!;
  assert.equal(society.parent_id, city.id);
});

step("pages through the city's articles one per page, following Link", async () => {
  const query = { channel: "pingxiang", include_descendants: true, per_page: 1 };
  let pages = 0;
  let total = -1;
  for await (const page of reader.pages("/api/v1/articles", { params: { query } })) {
    pages += 1;
    total = page.meta.total;
    assert.equal(page.meta.page, pages);
    assert.equal(page.data.length, 1);
    cityArticles.push(...page.data);
  }
  assert.ok(total >= 3, `the seed has several 萍乡 articles (total ${total})`);
  assert.equal(pages, total);
  assert.equal(cityArticles.length, total);
  assert.equal(new Set(cityArticles.map((a) => a.id)).size, total, "no article twice");
  assert.ok(cityArticles.every((a) => a.status === "published"));
  const followed = readerWire.wire.filter((x) => x.path.startsWith("/api/v1/articles?") && /[?&]page=\d/.test(x.path));
  assert.equal(followed.length, total - 1, "pages after the first came from Link rel=next");

  const items: ArticleItem[] = [];
  for await (const item of reader.items("/api/v1/articles", { params: { query } })) items.push(item);
  assert.deepEqual(
    items.map((a) => a.id),
    cityArticles.map((a) => a.id),
  );
});

step("reads page 2 of a multi-page article", async () => {
  const long = cityArticles.find((a) => a.page_count >= 2);
  assert.ok(long, "the seed has an article of two pages or more");
  const path = { id_or_slug: long.slug };
  const first = await unwrap(reader.client.GET("/api/v1/articles/{id_or_slug}", { params: { path } }));
  const second = await unwrap(
    reader.client.GET("/api/v1/articles/{id_or_slug}", { params: { path, query: { page: 2 } } }),
  );
  assert.equal(first.page, 1);
  assert.equal(second.page, 2);
  assert.equal(second.page_count, long.page_count);
  assert.equal(second.id, long.id);
  assert.ok(second.body_html.length > 0);
  assert.notEqual(second.body_html, first.body_html);
});

step("searches in Chinese", async () => {
  const city = await unwrap(reader.client.GET("/api/v1/articles", { params: { query: { q: "萍乡" } } }));
  assert.ok(city.meta.total >= 1, "萍乡 finds something");
  assert.ok(city.data.every((a) => a.status === "published"));

  const sample = cityArticles.find((a) => /^\p{Script=Han}{2}/u.test(a.title));
  assert.ok(sample, "a 萍乡 article has a Chinese title");
  const word = [...sample.title].slice(0, 2).join("");
  const hits = await unwrap(reader.client.GET("/api/v1/articles", { params: { query: { q: word } } }));
  assert.ok(
    hits.data.some((a) => a.id === sample.id),
    `searching ${word} finds ${sample.slug}`,
  );

  const none = await unwrap(reader.client.GET("/api/v1/articles", { params: { query: { q: "量子纠缠" } } }));
  assert.equal(none.meta.total, 0);
  assert.deepEqual(none.data, []);
});

step("takes a draft through If-Match updates to published; a stale If-Match is a 412", async () => {
  const slug = `sdk-e2e-${Date.now()}`;
  const created = await staff.client.POST("/api/v1/articles", {
    body: { title: "SDK 端到端稿件", channel_id: society.id, pages: ["<p>初稿。</p>"], slug },
  });
  assert.equal(created.response.status, 201);
  assert.equal(created.data?.status, "draft");
  const path = { id_or_slug: slug };

  const read = await staff.client.GET("/api/v1/articles/{id_or_slug}", { params: { path } });
  const draftTag = read.response.headers.get("ETag");
  assert.ok(draftTag, "a GET carries an ETag");

  const edited = await staff.client.PATCH("/api/v1/articles/{id_or_slug}", {
    params: { path, header: { "If-Match": draftTag } },
    body: { title: "SDK 端到端稿件（改）", summary: "经过一次修改。" },
  });
  assert.equal(edited.response.status, 200);
  assert.equal(edited.data?.title, "SDK 端到端稿件（改）");
  const editedTag = edited.response.headers.get("ETag");
  assert.ok(editedTag && editedTag !== draftTag, "the update answers a new ETag");

  published = await unwrap(
    staff.client.PATCH("/api/v1/articles/{id_or_slug}", {
      params: { path, header: { "If-Match": editedTag } },
      body: { status: "published" },
    }),
  );
  assert.equal(published.status, "published");
  assert.ok(published.published_at, "publishing stamps published_at");

  await assert.rejects(
    unwrap(
      staff.client.PATCH("/api/v1/articles/{id_or_slug}", {
        params: { path, header: { "If-Match": draftTag } },
        body: { title: "不该写入" },
      }),
    ),
    (error: unknown) => {
      assert.ok(error instanceof NewsdeskError);
      assert.equal(error.status, 412);
      assert.equal(error.response.headers.get("Content-Type"), "application/problem+json");
      return true;
    },
  );
  const seen = await unwrap(reader.client.GET("/api/v1/articles/{id_or_slug}", { params: { path } }));
  assert.equal(seen.title, "SDK 端到端稿件（改）", "the stale write changed nothing");
  assert.equal(seen.status, "published");
});

step("an anonymous comment waits, is approved by an editor, then is listed", async () => {
  const path = { id_or_slug: published.slug };
  const listed = async () =>
    (await unwrap(reader.client.GET("/api/v1/articles/{id_or_slug}/comments", { params: { path } }))).data;
  assert.deepEqual(await listed(), []);

  const posted = await reader.client.POST("/api/v1/articles/{id_or_slug}/comments", {
    params: { path },
    body: { author_name: "SDK 读者", body: "测试评论：写得清楚。" },
  });
  assert.equal(posted.response.status, 201);
  const comment = posted.data;
  assert.ok(comment);
  assert.equal(comment.status, "pending");
  assert.deepEqual(await listed(), [], "a pending comment is not public");

  const approved = await unwrap(
    staff.client.PATCH("/api/v1/comments/{id}", {
      params: { path: { id: comment.id } },
      body: { status: "approved" },
    }),
  );
  assert.equal(approved.status, "approved");
  const after = await listed();
  assert.deepEqual(
    after.map((c) => [c.id, c.body]),
    [[comment.id, "测试评论：写得清楚。"]],
  );
});

step("sends a tip anonymously and gets a receipt", async () => {
  const sent = await reader.client.POST("/api/v1/tips", {
    body: { channel_id: pingxiang.id, content: "测试爆料：公园路灯不亮。", contact: "13800000000" },
  });
  assert.equal(sent.response.status, 202);
  assert.ok(sent.data);
  assert.equal(typeof sent.data.id, "number");
  assert.equal(sent.data.status, "new");
  const inbox = await unwrap(staff.client.GET("/api/v1/tips/{id}", { params: { path: { id: sent.data.id } } }));
  assert.equal(inbox.content, "测试爆料：公园路灯不亮。");
});

step("refreshes an expired access token once for concurrent calls, rotating the refresh token", async () => {
  const before = await staffTokens.get();
  assert.ok(before);
  await staffTokens.set({ ...before, access_token: "expired.access.token" });
  const mark = staffWire.wire.length;

  const answers = await Promise.all([1, 2, 3].map(() => unwrap(staff.client.GET("/api/v1/auth/me"))));
  assert.deepEqual(
    answers.map((me) => me.email),
    [adminEmail, adminEmail, adminEmail],
  );

  const wire = staffWire.wire.slice(mark);
  const refreshes = wire.filter((x) => x.path === "/api/v1/auth/refresh");
  assert.equal(refreshes.length, 1, "one refresh for all concurrent 401s");
  assert.equal(refreshes[0]!.status, 200);
  assert.ok(wire.some((x) => x.path === "/api/v1/auth/me" && x.status === 401), "the stale token was refused");
  assert.equal(wire.filter((x) => x.path === "/api/v1/auth/me" && x.status === 200).length, 3);

  const after = await staffTokens.get();
  assert.ok(after);
  // Compared as booleans, so that a failure never prints a token.
  assert.ok(after.refresh_token !== before.refresh_token, "the refresh token was rotated");
  assert.ok(after.access_token !== "expired.access.token", "a new access token is held");
  const me = await unwrap(staff.client.GET("/api/v1/auth/me"));
  assert.equal(me.email, adminEmail, "the new pair keeps working");
});

step("lists the seeded draft only with a token", async () => {
  const query = { status: "draft" as const, per_page: 100 };
  const slugs = async (nd: typeof staff) => {
    const found: string[] = [];
    for await (const a of nd.items("/api/v1/articles", { params: { query } })) found.push(a.slug);
    return found;
  };
  assert.ok((await slugs(staff)).includes("night-market-draft"));
  assert.deepEqual(await slugs(reader), [], "anonymous readers see no drafts");
  await assert.rejects(
    unwrap(reader.client.GET("/api/v1/articles/{id_or_slug}", { params: { path: { id_or_slug: "night-market-draft" } } })),
    (error: unknown) => error instanceof NewsdeskError && error.status === 404,
  );
});

step("answers a repeated GET from the SDK cache after the server's 304, per audience", async () => {
  const wire = recorder();
  const tokens = memoryTokenStore();
  const nd = createNewsdesk({ baseUrl, fetch: wire.fetch, tokenStore: tokens });
  const channel = () => nd.client.GET("/api/v1/channels/{id_or_slug}", { params: { path: { id_or_slug: "pingxiang" } } });

  const first = await channel();
  const second = await channel();
  assert.equal(second.response.status, 200);
  assert.deepEqual(second.data, first.data);
  assert.equal(second.response.headers.get("ETag"), first.response.headers.get("ETag"));
  assert.deepEqual(
    wire.wire.map((x) => [x.status, x.conditional]),
    [
      [200, false],
      [304, true],
    ],
    "the server said 304 and the SDK served its copy",
  );

  // The same URL signed in is another answer: the anonymous copy is never offered for it.
  await nd.signIn(adminEmail, adminPassword);
  const held = await tokens.get();
  await tokens.set(null);
  await channel(); // anonymous again, cached under the anonymous key
  await tokens.set(held);
  wire.wire.length = 0;
  const signedIn = await channel();
  const again = await channel();
  assert.deepEqual(signedIn.data?.tip_lines.length, first.data?.tip_lines.length);
  assert.deepEqual(again.data, signedIn.data);
  assert.deepEqual(
    wire.wire.map((x) => [x.status, x.conditional, x.bearer]),
    [
      [200, false, true],
      [304, true, true],
    ],
  );
  await nd.signOut();
  assert.equal(await nd.signedIn(), false);
});
