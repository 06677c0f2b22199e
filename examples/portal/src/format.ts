// How values from the API read on the page.

import type { ChannelLink, TipLine } from "./api";
import { h } from "./dom";

const shown = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

/** `2026-03-01 09:30:00`, Beijing time (the portal's readers' clock, whatever the browser's). */
export function time(rfc3339: string | null | undefined): string {
  if (!rfc3339) return "";
  const parts = Object.fromEntries(shown.formatToParts(new Date(rfc3339)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** `2026-03-01`, for lists. */
export function day(rfc3339: string | null | undefined): string {
  return time(rfc3339).slice(0, 10);
}

const ROLES: Record<string, string> = {
  author: "作者",
  editor: "编辑",
  photographer: "摄影",
  reporter: "记者",
  translator: "翻译",
  illustrator: "插图",
};

export function role(name: string): string {
  return ROLES[name] ?? name;
}

/** A tip line's value, as a link where the kind has one (a phone number, an address). */
export function tipLineValue(line: TipLine): Node {
  switch (line.kind) {
    case "hotline":
      return h("a", { href: `tel:${line.value.replace(/[^0-9+]/g, "")}` }, line.value);
    case "email":
      return h("a", { href: `mailto:${line.value}` }, line.value);
    case "web":
      return /^https?:\/\//i.test(line.value)
        ? h("a", { href: line.value, rel: "noopener" }, line.value)
        : text(line.value);
    default:
      return text(line.value);
  }
}

/** An outside link: its label linked where it has a URL, its value (an account name) beside. */
export function outsideLink(link: ChannelLink): Node {
  const label = link.url && /^https?:\/\//i.test(link.url)
    ? h("a", { href: link.url, rel: "noopener", target: "_blank" }, link.label)
    : h("span", {}, link.label);
  if (!link.value) return label;
  return h("span", { class: "outside-link" }, label, `(${link.value})`);
}

function text(s: string): Node {
  return document.createTextNode(s);
}
