// A column (社会聚焦) has no newsroom of its own: its tip lines, WeChat account and forum are
// its city channel's. These find, along an article's or a channel's breadcrumbs, the
// nearest channel that has them.

import { channel, linksOf, type Channel, type ChannelRef } from "./api";

export interface Newsroom {
  /** The nearest channel with active tip lines (the channel itself when none has any). */
  tips: Channel;
  /** The nearest channel with outside links other than newspapers, if any. */
  links: Channel | null;
}

/** `trail` is root first, the channel itself last; `known` answers already fetched. */
export async function newsroom(trail: ChannelRef[], known: Channel[] = []): Promise<Newsroom> {
  const deepestFirst = [...trail].reverse();
  const details = await Promise.all(
    deepestFirst.map((ref) => known.find((c) => c.id === ref.id) ?? channel(ref.slug)),
  );
  const own = details[0];
  if (!own) throw new Error("a channel without breadcrumbs");
  const tips = details.find((c) => c.tip_lines.length > 0) ?? own;
  const links = details.find((c) => linksOf(c).some((l) => l.kind !== "website")) ?? null;
  return { tips, links };
}
