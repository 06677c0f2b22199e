// RFC 8288 `Link` headers: the target of one relation.

/**
 * The target of `rel` in a `Link` header value, resolved against `base`, or `null`.
 *
 *     linkTarget('</a?page=2>; rel="next"', "next", "http://x/") // "http://x/a?page=2"
 */
export function linkTarget(header: string | null, rel: string, base: string): string | null {
  if (!header) return null;
  for (const match of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const params = match[2] ?? "";
    for (const param of params.split(";")) {
      const [name, raw] = param.split("=", 2).map((s) => s.trim());
      if (name?.toLowerCase() !== "rel" || raw === undefined) continue;
      const rels = raw.replace(/^"|"$/g, "").toLowerCase().split(/\s+/);
      if (rels.includes(rel)) return new URL(match[1] ?? "", base).toString();
    }
  }
  return null;
}
