// A column (社会聚焦) has no newsroom of its own: its tip lines, WeChat account and forum are
// its city channel's. These find, along an article's or a channel's breadcrumbs, the
// nearest channel that has them.

import { channel, linksOf, type Channel, type ChannelRef } from "./api";

export interface Newsroom {
  /** The nearest channel with active tip lines (the channel itself when none has any). */
  tips: Channel;
  /**
   * The nearest channel below the portal with outside links (its WeChat account, its
   * forum…), if any; the portal's own links are in the masthead and the footer.
   */
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
  const belowPortal = details.slice(0, -1);
  const links = belowPortal.find((c) => linksOf(c).length > 0) ?? null;
  return { tips, links };
}
