// The two things a reader sends without an account: a comment on an article (held for
// moderation unless the channel approves automatically) and a news tip to a channel.
// Each form has a honeypot field (`website`) hidden from people; bots that fill it in are
// quietly ignored by the API.

import { postComment, sendTip, type Channel, type Comment } from "./api";
import { h } from "./dom";
import { problemBox } from "./problems";

function honeypot(): HTMLElement {
  return h(
    "div",
    { class: "hp", "aria-hidden": "true" },
    h("label", {}, "网站 ", h("input", { name: "website", tabindex: -1, autocomplete: "off" })),
  );
}

function field(form: HTMLFormElement, name: string): string {
  const el = form.elements.namedItem(name);
  return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement ? el.value : "";
}

/** Runs a submission: the button disabled meanwhile, the outcome (or the problem) in `status`. */
async function submitting(form: HTMLFormElement, status: HTMLElement, send: () => Promise<Node>): Promise<void> {
  const button = form.querySelector("button");
  if (button) button.disabled = true;
  status.replaceChildren(h("span", { class: "sending" }, "正在提交…"));
  try {
    status.replaceChildren(await send());
  } catch (error) {
    // What the reader typed stays in the form, to fix and send again.
    status.replaceChildren(problemBox(error));
  } finally {
    if (button) button.disabled = false;
  }
}

/** The comment form; `onApproved` runs when a comment is published at once (auto-approving channels). */
export function commentForm(slug: string, onApproved: (c: Comment) => void): HTMLElement {
  const status = h("div", { class: "form-status", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "comment-form", novalidate: true },
    h("label", {}, "昵称", h("input", { name: "author_name", maxlength: 50, required: true, placeholder: "网友" })),
    h(
      "label",
      {},
      "留言",
      h("textarea", { name: "body", rows: 4, maxlength: 2000, required: true, placeholder: "文明上网，理性发言" }),
    ),
    honeypot(),
    h("button", { type: "submit" }, "发表留言"),
    status,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submitting(form, status, async () => {
      const comment = await postComment(slug, {
        author_name: field(form, "author_name"),
        body: field(form, "body"),
        website: field(form, "website") || null,
      });
      const body = form.elements.namedItem("body");
      if (body instanceof HTMLTextAreaElement) body.value = "";
      if (comment.status === "approved") {
        onApproved(comment);
        return h("p", { class: "notice ok" }, "留言已发表。");
      }
      return h("p", { class: "notice pending" }, "留言已提交，等待审核后显示 (awaiting moderation)。");
    });
  });
  return form;
}

/** The tip form of a channel's newsroom. */
export function tipForm(owner: Channel): HTMLElement {
  const status = h("div", { class: "form-status", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "tip-form", novalidate: true },
    h(
      "label",
      {},
      "爆料内容",
      h("textarea", { name: "content", rows: 4, maxlength: 5000, required: true, placeholder: "发生了什么？在哪里？" }),
    ),
    h(
      "div",
      { class: "row" },
      h("label", {}, "姓名（选填）", h("input", { name: "name", maxlength: 50 })),
      h("label", {}, "联系方式（选填）", h("input", { name: "contact", maxlength: 100 })),
    ),
    honeypot(),
    h("button", { type: "submit" }, `向${owner.name}爆料`),
    status,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submitting(form, status, async () => {
      const receipt = await sendTip({
        channel_id: owner.id,
        content: field(form, "content"),
        name: field(form, "name") || null,
        contact: field(form, "contact") || null,
        website: field(form, "website") || null,
      });
      form.reset();
      return h("p", { class: "notice ok" }, `爆料已收到，编号 ${receipt.id}。谢谢您的线索！`);
    });
  });
  return form;
}
