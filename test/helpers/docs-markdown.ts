// Markdown reading for test/package/docs.test.ts: fenced code blocks with the line they start on
// and an optional `<!-- no-run: reason -->` marker, relative links with their line, and
// the anchors GitHub generates for a file's headings. Pure functions over the text.

/** A fenced code block of a Markdown file. */
export interface FencedBlock {
  /** The info string's first word, lower-cased ('' for none): 'js', 'ts', 'sh', … */
  lang: string;
  /** The block's text, without the fences. */
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The reason of a `<!-- no-run: reason -->` comment on the line(s) just above the fence, or null. */
  noRun: string | null;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)?.*$/;
const NO_RUN = /^\s*<!--\s*no-run:\s*(.*?)\s*-->\s*$/;

/** Every fenced block of `text`, in order. An unclosed block runs to the end (as on GitHub). */
export function fencedBlocks(text: string): FencedBlock[] {
  const lines = text.split('\n');
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '');
    if (open === null) continue;
    const fence = open[1] ?? '```';
    const lang = (open[2] ?? '').toLowerCase();
    let prev = i - 1;
    while (prev >= 0 && (lines[prev] ?? '').trim() === '') prev--;
    const marker = prev >= 0 && prev >= i - 2 ? NO_RUN.exec(lines[prev] ?? '') : null;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j] ?? '';
      if (l.trimStart().startsWith(fence[0]!.repeat(fence.length)) && l.trim().replace(/[`~]/g, '') === '') break;
      body.push(l);
    }
    blocks.push({ lang, code: body.join('\n'), line: i + 1, noRun: marker === null ? null : (marker[1] ?? '') });
    i = j;
  }
  return blocks;
}

/** `text`'s lines with fenced blocks blanked out (line numbers kept) and, unless kept, inline code spans removed. */
export function proseOnly(text: string, keepInlineCode = false): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  let fence: string | null = null;
  for (const l of lines) {
    const open = FENCE.exec(l);
    if (fence === null && open !== null) { fence = (open[1] ?? '```'); out.push(''); continue; }
    if (fence !== null) {
      if (l.trimStart().startsWith(fence) && l.trim().replace(/[`~]/g, '') === '') fence = null;
      out.push('');
      continue;
    }
    out.push(keepInlineCode ? l : l.replace(/(`+)(?:(?!\1).)+?\1/g, ''));
  }
  return out;
}

/** A link of a Markdown file. */
export interface MarkdownLink { target: string; line: number }

/** Inline links and images `[text](target "title")`, and reference definitions `[x]: target`, outside code. */
export function links(text: string): MarkdownLink[] {
  const found: MarkdownLink[] = [];
  proseOnly(text).forEach((l, i) => {
    for (const m of l.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) found.push({ target: m[1] ?? '', line: i + 1 });
    const ref = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/.exec(l);
    if (ref !== null) found.push({ target: ref[1] ?? '', line: i + 1 });
    for (const m of l.matchAll(/<(?:a|img)\s[^>]*(?:href|src)="([^"]*)"/g)) found.push({ target: m[1] ?? '', line: i + 1 });
  });
  return found;
}

/**
 * GitHub's anchor for a heading text: the rendered text lower-cased, every character that is
 * not a letter, mark, number, connector punctuation, space or hyphen dropped, spaces turned
 * into hyphens (github-slugger's rule). Markdown syntax is rendered first: code spans keep
 * their text, links keep their text, emphasis markers and HTML tags go.
 */
export function githubSlug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`+/g, '');
  return rendered.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Every anchor a file offers: heading slugs (repeats get -1, -2, … as on GitHub) and explicit `id`/`name` attributes. */
export function anchors(text: string): Set<string> {
  const result = new Set<string>();
  const seen = new Map<string, number>();
  for (const l of proseOnly(text, true)) {
    const h = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(l);
    if (h !== null) {
      const base = githubSlug(h[1] ?? '');
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      result.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of l.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) result.add(m[1] ?? '');
  }
  return result;
}
