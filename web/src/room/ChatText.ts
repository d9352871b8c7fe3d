// A chat line cut into plain text and web links, so that links can be made clickable
// without ever putting the sender's text into HTML. Pure: no DOM.

export type ChatPiece = { text: string } | { text: string; href: string };

// http(s) addresses and bare www. ones; what ends a sentence is not part of the link.
const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
const TRAILING = /[.,;:!?)\]}»’'"]+$/;

export function splitLinks(text: string): ChatPiece[] {
  const pieces: ChatPiece[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    let raw = match[0];
    // A closing bracket that the link opened stays (wikipedia.org/wiki/Foo_(bar)).
    const trailing = TRAILING.exec(raw)?.[0] ?? '';
    let cut = trailing.length;
    if (trailing.startsWith(')') && raw.slice(0, -cut).includes('(')) cut -= 1;
    raw = raw.slice(0, raw.length - cut);
    const href = safeHref(raw);
    if (!href) continue;
    const start = match.index ?? 0;
    if (start > last) pieces.push({ text: text.slice(last, start) });
    pieces.push({ text: raw, href });
    last = start + raw.length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last) });
  return pieces;
}

// Only http and https leave the page; anything the URL parser rejects stays text.
function safeHref(raw: string): string | null {
  try {
    const url = new URL(raw.toLowerCase().startsWith('www.') ? `https://${raw}` : raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
