// Errors in plain words: the API answers problem+json (RFC 9457), which the SDK turns into a
// `NewsdeskError`; a reader is told what happened and what to do, never shown a status code
// dump or a stack.

import { NewsdeskError } from "@newsdesk/client";
import { h } from "./dom";

export interface Plain {
  /** One line: what happened. */
  title: string;
  /** What to do about it, or which fields to fix. */
  detail: string;
  /** The fields to fix, for a form the reader sent. */
  fields: string[];
}

const FIELDS: Record<string, string> = {
  author_name: "昵称",
  body: "留言内容",
  parent_id: "回复的留言",
  content: "爆料内容",
  contact: "联系方式",
  name: "姓名",
  channel_id: "频道",
  page: "页码",
};

export function plainWords(error: unknown): Plain {
  if (error instanceof NotFound) {
    return { title: "页面不存在 (not found)", detail: "您要找的内容不存在，或者还没有发布。", fields: [] };
  }
  if (error instanceof NewsdeskError) {
    const fields = error.errors.map((e) => `${FIELDS[e.field] ?? e.field}：${e.message}`);
    switch (error.status) {
      case 404:
        return {
          title: "页面不存在 (not found)",
          detail: "您要找的内容不存在，或者还没有发布。",
          fields: [],
        };
      case 403:
        return { title: "无法提交", detail: error.detail || "这里不接受提交。", fields: [] };
      case 400:
      case 422:
        return { title: "请检查填写的内容", detail: fields.length ? "以下内容需要修改：" : error.detail, fields };
      case 413:
        return { title: "内容太长", detail: "请删减后再提交。", fields: [] };
      case 429: {
        const wait = Number(error.response.headers.get("Retry-After"));
        const when = Number.isFinite(wait) && wait > 0 ? `请 ${Math.ceil(wait)} 秒后再试。` : "请稍后再试。";
        return { title: "提交太频繁", detail: when, fields: [] };
      }
      case 503:
      case 507:
        return { title: "服务繁忙", detail: "新闻服务暂时无法处理，请稍后再试。", fields: [] };
      default:
        if (error.status >= 500) {
          return { title: "服务器出错了", detail: "请稍后再试。", fields: [] };
        }
        return { title: "请求没有成功", detail: error.detail || error.title, fields };
    }
  }
  // fetch rejects with a TypeError when the API cannot be reached (down, or CORS refused).
  return {
    title: "无法连接新闻服务",
    detail: "请检查网络连接，或稍后再试。",
    fields: [],
  };
}

/** The error as a block for the page or a form. */
export function problemBox(error: unknown): HTMLElement {
  const plain = plainWords(error);
  if (!(error instanceof NewsdeskError) && !(error instanceof NotFound)) console.error(error);
  return h(
    "div",
    { class: "problem", role: "alert" },
    h("strong", {}, plain.title),
    h("p", {}, plain.detail),
    plain.fields.length ? h("ul", {}, plain.fields.map((f) => h("li", {}, f))) : null,
  );
}

/** What the API would not show (or showed as anything but published): the reader sees "not found". */
export class NotFound extends Error {
  constructor(what: string) {
    super(`${what} is not public`);
    this.name = "NotFound";
  }
}
