// Hash routes, so the built portal works from any static file server:
//   #/                                  home
//   #/channel/<slug>[?page=N&per_page=M] a channel's articles
//   #/article/<slug>[?page=N]            an article, page N of its body

import { h } from "./dom";
import { footer, masthead, loadSite, type Site } from "./layout";
import { articlePage } from "./pages/article";
import { channelPage } from "./pages/channel";
import { home } from "./pages/home";
import { NotFound, problemBox, plainWords } from "./problems";

export interface Rendered {
  title: string;
  node: HTMLElement;
}

export interface Route {
  path: string[];
  query: URLSearchParams;
}

export function parse(hash: string): Route {
  const raw = hash.replace(/^#/, "");
  const [path = "", query = ""] = raw.split("?", 2);
  return {
    path: path
      .split("/")
      .filter((s) => s !== "")
      .map((s) => decodeURIComponent(s)),
    query: new URLSearchParams(query),
  };
}

function route(site: Site, r: Route): Promise<Rendered> {
  const [kind, slug, ...rest] = r.path;
  if (kind === undefined) return home(site);
  if (slug !== undefined && rest.length === 0) {
    if (kind === "channel") return channelPage(site, slug, r.query);
    if (kind === "article") return articlePage(site, slug, r.query);
  }
  return Promise.reject(new NotFound(`route ${r.path.join("/")}`));
}

/** Renders the route of `location.hash` into `root`; a newer navigation wins over a slower one. */
export function startRouter(root: HTMLElement): void {
  let generation = 0;
  let site: Site | null = null;

  async function show(): Promise<void> {
    const mine = ++generation;
    root.setAttribute("aria-busy", "true");
    let rendered: Rendered;
    try {
      // The tree and the portal are revalidated on each navigation (a 304 through the SDK's
      // ETag cache when nothing changed), so a new city channel shows up without a reload.
      site = await loadSite();
      rendered = await route(site, parse(location.hash));
    } catch (error) {
      const plain = plainWords(error);
      rendered = {
        title: plain.title,
        node: h(
          "div",
          { class: "page error" },
          site ? masthead(site) : null,
          h("main", {}, problemBox(error), h("p", {}, h("a", { href: "#/" }, "返回首页"))),
          site ? footer(site) : null,
        ),
      };
    }
    if (mine !== generation) return;
    document.title = rendered.title;
    root.replaceChildren(rendered.node);
    root.removeAttribute("aria-busy");
    window.scrollTo(0, 0);
  }

  window.addEventListener("hashchange", () => void show());
  void show();
}
