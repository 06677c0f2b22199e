// The portal (examples/portal) as a reader uses it, in Debian's Chromium, against the real
// newsdesk binary on a seed-demo database (run.sh sets it all up): home, the 萍乡 channel,
// the two-page article, a comment and a tip, and what must never show (drafts, scheduled
// articles). What the page shows is compared with what the API answers.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { chromium } from "playwright-core";

const PORTAL = need("PORTAL_URL");
const API = need("PORTAL_API");
const SCREENSHOT = need("PORTAL_SCREENSHOT");
const TWO_PAGES = "pingxiang-industry-turns-green";

function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run tests/portal/run.sh`);
  return value;
}

/** The API as an anonymous reader (or with a token) sees it. */
async function api(path, token) {
  const response = await fetch(`${API}/api/v1${path}`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  assert.equal(response.status, 200, `GET ${path}`);
  return response.json();
}

async function adminToken() {
  const response = await fetch(`${API}/api/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: need("NEWSDESK_ADMIN_EMAIL"), password: need("NEWSDESK_ADMIN_PASSWORD") }),
  });
  assert.equal(response.status, 200, "the start-up admin signs in");
  return (await response.json()).access_token;
}

/** `2026-03-01 09:30:00` in Beijing time, as the portal shows times. */
function beijing(rfc3339) {
  const t = new Date(Date.parse(rfc3339) + 8 * 3600 * 1000).toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, 19)}`;
}

const text = (locator) => locator.innerText().then((s) => s.replace(/\s+/g, " ").trim());

describe("the reference portal in Chromium", () => {
  let context;
  let page;
  let profile;
  const pageErrors = [];
  const apiAnswers = [];

  before(async () => {
    profile = mkdtempSync(join(tmpdir(), "portal-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: need("PORTAL_CHROMIUM"),
      headless: true,
      viewport: { width: 1100, height: 900 },
      locale: "zh-CN",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("response", async (response) => {
      if (!response.url().startsWith(`${API}/api/`)) return;
      const request = response.request();
      apiAnswers.push({
        method: request.method(),
        url: response.url(),
        status: response.status(),
        ifNoneMatch: (await request.allHeaders())["if-none-match"] ?? null,
      });
    });
  });

  after(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("home shows the city directory in menu order and the channel tree", async () => {
    await page.goto(`${PORTAL}/#/`);
    const [portal] = await api("/channels?tree=true&per_page=100").then((l) => l.data);
    const cities = portal.children.map((c) => c.name.replace(/频道$/, ""));
    assert.deepEqual(cities, ["南昌", "九江", "景德镇", "赣州", "新余", "上饶", "吉安", "抚州", "宜春", "萍乡", "鹰潭"]);
    const directory = page.locator("nav.cities");
    await directory.getByRole("link", { name: "鹰潭" }).waitFor();
    assert.match(await text(directory), /^地市频道/);
    assert.deepEqual(await directory.locator("a").allInnerTexts(), cities);
    const tree = page.locator(".channel-tree");
    for (const column of ["时政要闻", "社会聚焦", "县区动态"]) {
      await tree.getByRole("link", { name: column }).waitFor();
    }
    assert.equal(await page.locator(".brand .site-name").innerText(), "大江网");
    // The group's newspapers: the portal's outside links, when the API has them.
    const root = await api(`/channels/${portal.slug}`);
    for (const link of (root.links ?? []).filter((l) => l.kind === "website")) {
      await page.locator("nav.papers").getByText(link.label).waitFor();
    }
  });

  it("萍乡 shows its articles (its columns' included), its tip lines and a tip form", async () => {
    await page.locator("nav.cities").getByRole("link", { name: "萍乡" }).click();
    await page.waitForURL(/#\/channel\/pingxiang$/);
    await page.getByRole("heading", { level: 1, name: "萍乡频道" }).waitFor();
    const listed = await api("/articles?channel=pingxiang&include_descendants=true");
    assert.equal(listed.meta.total, 4, "the four published demo stories, not the draft nor the scheduled one");
    const titles = await page.locator(".listing .article-list li > a").allInnerTexts();
    assert.deepEqual(titles, listed.data.map((a) => a.title));
    const lines = await text(page.locator("aside .tip-lines"));
    assert.equal(lines, "新闻热线：0799-6123456 QQ爆料：800012345 短信(微信)爆料：13900000000");
    await page.locator("aside form.tip-form").waitFor();
  });

  it("a channel's list pages as the Link header says", async () => {
    await page.goto(`${PORTAL}/#/channel/pingxiang?per_page=3`);
    await page.getByText("第 1/2 页").waitFor();
    assert.equal(await page.locator(".listing .article-list li").count(), 3);
    await page.locator(".listing .pager").getByRole("link", { name: "下一页" }).click();
    await page.getByText("第 2/2 页").waitFor();
    assert.match(page.url(), /#\/channel\/pingxiang\?page=2&per_page=3$/);
    assert.equal(await page.locator(".listing .article-list li").count(), 1);
    assert.equal(await page.locator(".listing .pager .disabled").allInnerTexts().then((t) => t.join(" ")), "下一页 尾页");
  });

  it("the two-page article shows its page navigation, and 下一页 opens page 2", async () => {
    await page.goto(`${PORTAL}/#/channel/pingxiang`);
    await page.getByRole("link", { name: "老工业城市的绿色转身" }).click();
    await page.waitForURL(new RegExp(`#/article/${TWO_PAGES}$`));
    await page.getByRole("heading", { level: 1, name: "老工业城市的绿色转身" }).waitFor();
    const nav = page.locator("nav.article-pager");
    assert.equal(await text(nav), "[1] [2] 下一页 尾页");
    assert.match(await text(page.locator(".body")), /安源工业遗址公园/);
    await nav.getByRole("link", { name: "下一页" }).click();
    await page.waitForURL(new RegExp(`#/article/${TWO_PAGES}\\?page=2$`));
    await page.getByRole("heading", { level: 2, name: "园区里的新工厂" }).waitFor();
    assert.doesNotMatch(await text(page.locator(".body")), /安源工业遗址公园/);
    assert.equal(await text(page.locator("nav.article-pager")), "首页 上一页 [1] [2]");
  });

  it("the article shows breadcrumbs, time, source, bylines with roles, comments and related news", async () => {
    const article = await api(`/articles/${TWO_PAGES}`);
    assert.equal(await text(page.locator("nav.crumbs")), "您当前的位置：大江网 > 萍乡频道 > 社会聚焦");
    assert.equal(await text(page.locator("p.meta")), `${beijing(article.published_at)} 来源：萍乡日报`);
    assert.equal(await text(page.locator("p.bylines")), "作者：周晓明 编辑：刘芳");
    assert.equal(await text(page.locator("p.tools .to-comments")), `评论(${article.comment_count})`);
    assert.equal(article.comment_count, 3);
    assert.equal(await text(page.locator(".comment-count")), "已审核留言 3 条");
    const comments = page.locator(".comments-section .comment");
    assert.equal(await comments.count(), 3);
    // The reply sits under the comment it answers.
    assert.match(await text(page.locator(".comment .replies .comment")), /^安源居民 .* 周末带孩子去过/);
    const related = await api(`/articles/${TWO_PAGES}/related`);
    assert.ok(related.data.length > 0, "the demo article has related news");
    assert.equal(await page.getByRole("heading", { name: "相关新闻" }).count(), 1);
    assert.deepEqual(await page.locator(".related li a").allInnerTexts(), related.data.map((a) => a.title));
    // The newsroom of the article's city channel: tip lines on the page and beside it.
    assert.match(await text(page.locator("article .tip-lines")), /^新闻热线：0799-6123456/);
    // The city channel's outside links (WeChat account, forum…), when its answer has them.
    const city = await api("/channels/pingxiang");
    for (const link of city.links ?? []) {
      if (link.kind === "wechat_official_account") {
        assert.match(await text(page.locator("p.wechat")), new RegExp(`关注微信公众号.*${link.label}`));
      } else if (link.kind === "forum") {
        await page.locator("p.tools").getByText(link.label).waitFor();
      } else {
        await page.locator("article .channel-links").getByText(link.label).waitFor();
      }
    }
  });

  it("a comment is sent anonymously and waits for moderation; a bad one is explained", async () => {
    await page.locator("nav.article-pager").getByRole("link", { name: "[1]" }).click();
    await page.waitForURL(new RegExp(`#/article/${TWO_PAGES}$`));
    const form = page.locator("form.comment-form");
    // Going back to page 1 renders the article again; a click that lands on the form it
    // replaces is lost, so an empty submission is sent until its problem shows (or fails).
    for (let attempt = 1; ; attempt++) {
      await form.getByRole("button", { name: "发表留言" }).click();
      try {
        await form.getByText("请检查填写的内容").waitFor({ timeout: 2000 });
        break;
      } catch (error) {
        if (attempt === 5) throw error;
      }
    }
    assert.match(await text(form.locator(".problem")), /昵称：/);

    await form.getByLabel("昵称").fill("浏览器读者");
    await form.getByLabel("留言").fill("在 Chromium 里留言：<b>不是 HTML</b>");
    await form.getByRole("button", { name: "发表留言" }).click();
    await form.getByText("awaiting moderation").waitFor();
    assert.match(await text(form.locator(".notice")), /等待审核/);
    // Not public yet: still three approved comments, and the new one is in the moderation queue.
    assert.equal(await page.locator(".comments-section .comment").count(), 3);
    assert.equal((await api(`/articles/${TWO_PAGES}`)).comment_count, 3);
    const queue = await api(`/comments?status=pending&article=${TWO_PAGES}`, await adminToken());
    assert.deepEqual(
      queue.data.map((c) => [c.author_name, c.body]),
      [["浏览器读者", "在 Chromium 里留言：<b>不是 HTML</b>"]],
    );
  });

  it("a tip reaches the channel's newsroom", async () => {
    const form = page.locator("aside form.tip-form");
    await form.getByLabel("爆料内容").fill("安源路口的路灯一周没亮了。");
    await form.getByLabel("联系方式（选填）").fill("13900000002");
    await form.getByRole("button", { name: "向萍乡频道爆料" }).click();
    const receipt = await text(form.locator(".notice"));
    const id = Number(/编号 (\d+)/.exec(receipt)?.[1]);
    assert.ok(id > 0, receipt);
    const inbox = await api("/tips?per_page=100", await adminToken());
    const tip = inbox.data.find((t) => t.id === id);
    assert.equal(tip?.content, "安源路口的路灯一周没亮了。");
    assert.equal(tip?.channel_id, (await api("/channels/pingxiang")).id);

    await page.locator("h1").scrollIntoViewIfNeeded();
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it("uses the SDK's ETag cache: navigations revalidate with If-None-Match and get 304", async () => {
    const revalidated = apiAnswers.filter((a) => a.method === "GET" && a.status === 304);
    assert.ok(revalidated.length > 0, JSON.stringify(apiAnswers.slice(-10)));
    assert.ok(revalidated.every((a) => a.ifNoneMatch));
    assert.ok(revalidated.some((a) => a.url.includes("/api/v1/channels?")));
  });

  it("a draft's URL, a scheduled article's and an unknown one show 'not found'", async () => {
    for (const slug of ["night-market-draft", "water-maintenance-notice", "no-such-story"]) {
      await page.goto(`${PORTAL}/#/`);
      await page.locator(".page.home").waitFor();
      await page.goto(`${PORTAL}/#/article/${slug}`);
      await page.getByText("页面不存在 (not found)").waitFor();
      assert.equal(await page.locator("article").count(), 0);
    }
    const body = await page.locator("body").innerText();
    assert.doesNotMatch(body, /夜市调查|停水/);
  });

  it("raised no script error on any page", () => {
    assert.deepEqual(pageErrors, []);
  });
});
