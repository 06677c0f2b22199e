"""Every RSS and Atom feed through feedparser, every JSON Feed by its specification's
rules, every sitemap through an XML parser: see run.sh.
Usage: check_feeds.py NEWSDESK_BINARY sqlite|POSTGRES_URL."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import feedparser

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "pylib"))
from newsdesk_http import call, free_port, wait_for  # noqa: E402

binary, backend = sys.argv[1], sys.argv[2]
SITE = "https://www.jxnews.com.cn"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
HOSTILE = [
    "萍乡 <b>突发</b> & 更新",
    "CDATA 结束符 ]]> 不能破坏 feed",
    "控制字符\x01\x08\x0b\x1b在标题里",
    "引号 \"双\" 与 '单' &amp; 实体",
]

work = tempfile.mkdtemp(prefix="newsdesk-feeds-")
api_port = free_port()
api = f"http://127.0.0.1:{api_port}"
password = os.urandom(12).hex()
schema = None
if backend == "sqlite":
    database_url = f"sqlite://{work}/newsdesk.db"
else:
    # A schema of its own in the given database, dropped at the end.
    schema = f"feeds_{os.getpid()}"
    subprocess.run(["psql", "-q", backend, "-c", f"CREATE SCHEMA {schema}"], check=True)
    separator = "&" if "?" in backend else "?"
    database_url = f"{backend}{separator}options=-csearch_path%3D{schema}"
env = dict(
    os.environ,
    DATABASE_URL=database_url,
    NEWSDESK_JWT_SECRET="feeds-check-" + "x" * 40,
    NEWSDESK_BIND=f"127.0.0.1:{api_port}",
    NEWSDESK_ADMIN_EMAIL="feeds-admin@example.com",
    NEWSDESK_ADMIN_PASSWORD=password,
    NEWSDESK_SITE_URL=SITE,
    NEWSDESK_SITE_UTC_OFFSET="+08:00",
    NEWSDESK_PUBLICATION_NAME="大江网",
    NEWSDESK_PUBLICATION_LANGUAGE="zh-cn",
    NEWSDESK_FEED_FULL_TEXT="true",
    NEWSDESK_SITEMAP_LIMIT="3",
    NEWSDESK_WORKERS="0",
    RUST_LOG="warn",
)
env.pop("NEWSDESK_TEST_POSTGRES_URL", None)
subprocess.run([binary, "seed-demo"], env=env, check=True, stdout=subprocess.DEVNULL)
server = subprocess.Popen([binary, "serve"], env=env)


def stop():
    server.terminate()
    server.wait()
    shutil.rmtree(work, ignore_errors=True)
    if schema:
        subprocess.run(["psql", "-q", backend, "-c", f"SET client_min_messages = warning; DROP SCHEMA {schema} CASCADE"], check=False)


def fetch(path):
    """Status, content type and bytes of an anonymous GET."""
    try:
        with urllib.request.urlopen(api + path, timeout=10) as res:
            return res.status, res.headers.get("content-type"), res.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("content-type"), err.read()


def api_path(url):
    """The API path of a URL the sitemap index lists under the public site."""
    assert url.startswith(SITE + "/api/v1/sitemaps/"), url
    return url[len(SITE):]


def json_feed(body, path):
    """A JSON Feed 1.1 read by its specification's rules (feedparser 6 reads only XML),
    in feedparser's shape for the checks below."""
    document = json.loads(body)
    assert document["version"] == "https://jsonfeed.org/version/1.1", path
    assert isinstance(document["title"], str) and document["title"], path
    entries = []
    for item in document["items"]:
        assert isinstance(item["id"], str) and item["id"], (path, item)
        assert "content_html" in item or "content_text" in item, (path, item)
        for field in ("date_published", "date_modified"):
            assert datetime.fromisoformat(item[field]).utcoffset() is not None, (path, item)
        for text in [item["title"], item.get("summary", "")] + item.get("tags", []):
            assert not any(c < " " and c not in "\t\n\r" for c in text), (path, text)
        entries.append(feedparser.FeedParserDict(
            title=item["title"], link=item["url"],
            published_parsed=datetime.fromisoformat(item["date_published"]).timetuple()))
    return feedparser.FeedParserDict(bozo=False, entries=entries)


def check_feed(path, expected_type, titles_expected=()):
    status, content_type, body = fetch(path)
    assert status == 200, f"{path}: {status} {body[:200]!r}"
    assert content_type == expected_type, f"{path}: {content_type}"
    parsed = json_feed(body, path) if path.endswith(".json") else feedparser.parse(body)
    assert not parsed.bozo, f"{path} is malformed: {parsed.bozo_exception}"
    titles = [entry.title for entry in parsed.entries]
    for entry in parsed.entries:
        assert entry.link.startswith(SITE + "/"), f"{path}: {entry.link}"
        assert entry.get("published_parsed"), f"{path}: an entry without a parsed date"
    for title in titles_expected:
        assert title in titles, f"{path}: {title!r} missing from {titles}"
    return parsed


try:
    wait_for(f"{api}/readyz")
    token = call("POST", f"{api}/api/v1/auth/login",
                 body={"email": "feeds-admin@example.com", "password": password})[2]["access_token"]
    status, _, society = call("GET", f"{api}/api/v1/channels/pingxiang-society")
    assert status == 200, society
    for n, title in enumerate(HOSTILE):
        status, _, article = call("POST", f"{api}/api/v1/articles", token, {
            "title": title, "slug": f"hostile-{n}", "channel_id": society["id"],
            "summary": title + " ]]> <i>摘要</i> &", "status": "published",
            "source": {"name": "萍乡日报 & <晚报>", "url": "https://example.cn/?a=1&b=2"},
            "cover_image_url": "https://img.example.cn/cover.jpg?w=1&h=2",
            "tags": ["<标签>", "A&B"], "pages": [f"<p>{n}: ]]&gt; &amp; 正文</p>", "<p>第二页</p>"]})
        assert status == 201, article
    # What feedparser reads back: the title without the characters XML cannot carry.
    readable = ["".join(c for c in t if c >= " ") for t in HOSTILE]

    status, _, channels = call("GET", f"{api}/api/v1/channels?per_page=100")
    assert status == 200, channels
    formats = [("rss.xml", "application/rss+xml; charset=utf-8"),
               ("atom.xml", "application/atom+xml; charset=utf-8"),
               ("feed.json", "application/feed+json; charset=utf-8")]
    feeds = 0
    for file, content_type in formats:
        parsed = check_feed(f"/api/v1/feeds/{file}", content_type, readable)
        assert len(parsed.entries) == 20 or len(parsed.entries) > len(HOSTILE), parsed.entries
        feeds += 1
        for channel in channels["data"]:
            in_society = channel["slug"] in ("portal", "pingxiang", "pingxiang-society")
            check_feed(f"/api/v1/channels/{channel['slug']}/feeds/{file}", content_type,
                       readable if in_society else ())
            feeds += 1
    print(f"read {feeds} feeds (the site's and every channel's; RSS and Atom by feedparser, "
          f"JSON Feed by its specification's rules) without error, hostile titles intact")

    status, content_type, body = fetch("/api/v1/sitemaps/index.xml")
    assert status == 200 and content_type == "application/xml; charset=utf-8", (status, content_type)
    index = ET.fromstring(body)
    assert index.tag == SM + "sitemapindex", index.tag
    urls = 0
    article_files = 0
    for loc in index.iter(SM + "loc"):
        path = api_path(loc.text)
        status, content_type, body = fetch(path)
        assert status == 200 and content_type == "application/xml; charset=utf-8", (path, status)
        urlset = ET.fromstring(body)
        assert urlset.tag == SM + "urlset", (path, urlset.tag)
        entries = urlset.findall(SM + "url")
        if "/articles-" in path:
            article_files += 1
            assert 0 < len(entries) <= 3, (path, len(entries))
        for url in entries:
            assert url.find(SM + "loc").text.startswith(SITE + "/"), path
            if "/news.xml" in path:
                news = url.find(NEWS + "news")
                assert news.find(f"{NEWS}publication/{NEWS}name").text == "大江网", path
                assert news.find(f"{NEWS}publication/{NEWS}language").text == "zh-cn", path
                assert news.find(NEWS + "publication_date").text, path
                assert news.find(NEWS + "title").text, path
            else:
                assert url.find(SM + "lastmod").text, path
            urls += 1
        if "/news.xml" in path:
            titles = [t.text for t in urlset.iter(NEWS + "title")]
            for title in readable:
                assert title in titles, f"news sitemap lacks {title!r}: {titles}"
    assert article_files >= 2, f"the limit of 3 should split the articles: {article_files} file(s)"
    print(f"the XML parser read the sitemap index and its {article_files + 2} sitemaps "
          f"({urls} URLs) without error")
    print(f"PASS ({backend.split('@')[-1] if backend != 'sqlite' else 'sqlite'})")
except AssertionError as err:
    stop()
    sys.exit(f"FAIL: {err}")
stop()
