// A tiny element builder: text is always set as text, never parsed as HTML. The one place
// HTML from the API is inserted is an article's body (`trustedBody`), which Newsdesk
// sanitises on write.

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/** `h("a", { href: "#/" }, "首页")`: attributes (`on…` ones as listeners), then children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
}

/** Items joined by a separator: `joined([a, b], " > ")`. */
export function joined(items: Child[], separator: string): Child[] {
  return items.flatMap((item, i) => (i === 0 ? [item] : [separator, item]));
}

/** An article page's HTML as Newsdesk serves it (sanitised there: no scripts, no handlers). */
export function trustedBody(html: string): HTMLElement {
  const div = h("div", { class: "body" });
  div.innerHTML = html;
  return div;
}
