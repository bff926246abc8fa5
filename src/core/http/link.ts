/** Parses an RFC 8288 `Link` header into rel → absolute URL (GitHub's pagination). */
export function parseLinkHeader(header: string | undefined, base: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (!m) continue;
    const rel = /rel\s*=\s*"?([^";]+)"?/i.exec(m[2] ?? '')?.[1];
    if (!rel) continue;
    try {
      const href = new URL(m[1] ?? '', base).href;
      for (const r of rel.trim().split(/\s+/)) out[r.toLowerCase()] = href;
    } catch {
      // an unparsable target is ignored: pagination then simply stops
    }
  }
  return out;
}
