/** What a masked token (or a long piece of it) becomes in text the client hands out. */
export const TOKEN_MASK = '[token masked]';

/** Masks the API token in one text; returns the text itself when there is nothing to mask. */
export type TextMask = (text: string) => string;

/**
 * Tokens shorter than this are not masked: masking a 3-letter token would garble every message,
 * and no real authentik token is that short (authentik generates 60 characters).
 */
const MIN_MASKED_TOKEN = 8;
/** A piece of the token this long (or a third of it, if longer) is masked on its own. */
const MIN_MASKED_PIECE = 12;

/**
 * A view of a text in which the token is searched: its characters, and for each the span of
 * the original text it stands for. Separators (whitespace, escaped line breaks, short HTML
 * tags) stand for nothing and are left out.
 */
interface View {
  text: string;
  starts: Int32Array;
  ends: Int32Array;
}

/** What a decoder read: the UTF-16 unit(s) it stands for; `code` -1 for a separator. */
interface Decoded {
  code: number;
  /** The second unit of a surrogate pair, or -1. */
  low: number;
}

/** Reads an encoded character at `i`: its length, or 0 when this encoding has none there. */
type Decoder = (text: string, i: number, out: Decoded) => number;

const BACKSLASH = 92;
const PERCENT = 37;
const AMPERSAND = 38;
const LESS_THAN = 60;

const SPACE = /\s/;

/** Whitespace as regular expressions see it (the quick views below drop the same). */
function isSpace(code: number): boolean {
  return (
    code === 32 ||
    (code >= 9 && code <= 13) ||
    (code > 127 && SPACE.test(String.fromCharCode(code)))
  );
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

function hexAt(text: string, at: number, length: number): number {
  if (at + length > text.length) return -1;
  let value = 0;
  for (let k = 0; k < length; k++) {
    const digit = hexDigit(text.charCodeAt(at + k));
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

function emit(out: Decoded, codePoint: number): void {
  if (codePoint > 0xffff) {
    out.code = 0xd800 + ((codePoint - 0x10000) >> 10);
    out.low = 0xdc00 + ((codePoint - 0x10000) & 0x3ff);
  } else {
    out.code = codePoint;
    out.low = -1;
  }
}

/** `%41`. */
const percent: Decoder = (text, i, out) => {
  if (text.charCodeAt(i) !== PERCENT) return 0;
  const code = hexAt(text, i + 1, 2);
  if (code < 0) return 0;
  emit(out, code);
  return 3;
};

/** `\u0041`, `\x41`, `\"`, `\\`, `\/`; escaped line breaks are separators. */
const backslash: Decoder = (text, i, out) => {
  if (text.charCodeAt(i) !== BACKSLASH || i + 1 >= text.length) return 0;
  const next = text[i + 1];
  if (next === 'u' || next === 'x') {
    const length = next === 'u' ? 4 : 2;
    const code = hexAt(text, i + 2, length);
    if (code < 0) return 0;
    emit(out, code);
    return 2 + length;
  }
  if (next === 'n' || next === 'r' || next === 't') emit(out, -1);
  else emit(out, text.charCodeAt(i + 1));
  return 2;
};

const NAMED_ENTITIES: ReadonlyArray<[string, number]> = [
  ['&amp;', AMPERSAND],
  ['&quot;', 34],
  ['&lt;', LESS_THAN],
  ['&gt;', 62],
  ['&apos;', 39],
];

/**
 * `&#65;`, `&#x41;`, `&quot;` and the like; `<br>`, `<wbr>`, `</span>`… are separators (in
 * HTML, a `<` of the token itself would be escaped; a raw token with one is found unescaped).
 */
const html: Decoder = (text, i, out) => {
  const first = text.charCodeAt(i);
  if (first === LESS_THAN) {
    const tag = /^<\/?[a-zA-Z]{1,8}\s*\/?>/.exec(text.slice(i, i + 12));
    if (!tag) return 0;
    emit(out, -1);
    return tag[0].length;
  }
  if (first !== AMPERSAND) return 0;
  const entity = /^&#(x[0-9a-fA-F]{1,6}|[0-9]{1,7});/.exec(text.slice(i, i + 11));
  if (entity) {
    const body = entity[1] as string;
    const code = body[0] === 'x' ? Number.parseInt(body.slice(1), 16) : Number(body);
    if (code <= 0x10ffff) {
      emit(out, code);
      return entity[0].length;
    }
  }
  for (const [name, code] of NAMED_ENTITIES) {
    if (text.startsWith(name, i)) {
      emit(out, code);
      return name.length;
    }
  }
  return 0;
};

function fromCodes(codes: Uint16Array, length: number): string {
  let text = '';
  for (let at = 0; at < length; at += 4096) {
    const part = codes.subarray(at, Math.min(length, at + 4096));
    text += String.fromCharCode.apply(null, part as unknown as number[]);
  }
  return text;
}

/**
 * `source` (or a view of it) read with `decoders`, whitespace dropped, each character still
 * mapped to its span of the original text. Linear, and allocates three arrays per view.
 */
function through(source: string, view: View | undefined, decoders: readonly Decoder[]): View {
  const text = view ? view.text : source;
  const n = text.length;
  // A decoded character never takes fewer units than it stands for (a pair comes from 8+).
  const codes = new Uint16Array(n);
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  const out: Decoded = { code: -1, low: -1 };
  let m = 0;
  for (let i = 0; i < n; ) {
    let length = 0;
    for (let d = 0; d < decoders.length && length === 0; d++)
      length = (decoders[d] as Decoder)(text, i, out);
    if (length === 0) {
      const code = text.charCodeAt(i);
      emit(out, isSpace(code) ? -1 : code);
      length = 1;
    }
    if (out.code >= 0) {
      const start = view ? (view.starts[i] as number) : i;
      const end = view ? (view.ends[i + length - 1] as number) : i + length;
      codes[m] = out.code;
      starts[m] = start;
      ends[m++] = end;
      if (out.low >= 0) {
        codes[m] = out.low;
        starts[m] = start;
        ends[m++] = end;
      }
    }
    i += length;
  }
  return { text: fromCodes(codes, m), starts, ends };
}

/**
 * The views a reader could find the token in: the text with whitespace dropped (a token can
 * contain none, so this cannot make a match out of text without the token), and the text
 * decoded once, twice and three times (a header echoed in JSON, inside JSON, inside a URL…),
 * by each encoding alone (a token with a `\\` or a `%` in it reads right only in its own) and
 * by all of them at once (a JSON body quoting a URL).
 */
function views(text: string): View[] {
  const found = [through(text, undefined, [])];
  // Most texts (a stack, a short message) have nothing an encoding would decode.
  const present = ENCODINGS.filter(([marks]) => marks.test(text));
  const encodings =
    present.length > 1 ? [...present, [ANY_MARK, present.flatMap(([, d]) => d)] as const] : present;
  for (const [marks, decoders] of encodings) {
    let decoded: View | undefined;
    for (let pass = 0; pass < 3; pass++) {
      const next = through(text, decoded, decoders);
      if (next.text === (decoded ? decoded.text : text)) break;
      found.push(next);
      decoded = next;
      if (!marks.test(next.text)) break;
    }
  }
  return found;
}

const BACKSLASH_MARK = /\\./;
const PERCENT_MARK = /%[0-9a-fA-F]{2}/;
const HTML_MARK = /&#|&[a-z]{2,4};|<\/?[a-zA-Z]{1,8}\s*\/?>/;
const ANY_MARK = new RegExp(`${BACKSLASH_MARK.source}|${PERCENT_MARK.source}|${HTML_MARK.source}`);

const ENCODINGS: ReadonlyArray<readonly [marks: RegExp, decoders: readonly Decoder[]]> = [
  [BACKSLASH_MARK, [backslash]],
  [PERCENT_MARK, [percent]],
  [HTML_MARK, [html]],
];

/**
 * The texts of the same views, made with the engine's own replace: several times faster than
 * `views`, without the map back to the original text. Used to tell at once that a text does not
 * show the token (nearly always); each drops at least what its view drops, so it misses nothing.
 */
type Replacer = (match: string, ...groups: Array<string | undefined>) => string;

const fromHex = (hex: string): string => String.fromCharCode(Number.parseInt(hex, 16));
const NAMED: Record<string, string> = { amp: '&', quot: '"', lt: '<', gt: '>', apos: "'" };

const quickBackslash: Replacer = (_match, u, x, lineBreak, escaped) => {
  if (u !== undefined) return fromHex(u);
  if (x !== undefined) return fromHex(x);
  return lineBreak !== undefined ? '' : (escaped ?? '');
};
const quickPercent: Replacer = (_match, hex) => fromHex(hex ?? '');
const quickHtml: Replacer = (match, numeric, named) => {
  if (numeric !== undefined) {
    const code = numeric[0] === 'x' ? Number.parseInt(numeric.slice(1), 16) : Number(numeric);
    return code <= 0x10ffff ? String.fromCodePoint(code) : match;
  }
  return named !== undefined ? (NAMED[named] ?? match) : ''; // a tag
};

const QUICK: ReadonlyArray<readonly [marks: RegExp, pattern: RegExp, replace: Replacer]> = [
  [BACKSLASH_MARK, /\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|([nrt])|([\s\S]))/g, quickBackslash],
  [PERCENT_MARK, /%([0-9a-fA-F]{2})/g, quickPercent],
  [
    HTML_MARK,
    /&#(x[0-9a-fA-F]{1,6}|[0-9]{1,7});|&(amp|quot|lt|gt|apos);|<\/?[a-zA-Z]{1,8}\s*\/?>/g,
    quickHtml,
  ],
];
/** All three at once, in the same order as `views` tries them at one position. */
const QUICK_ALL = new RegExp(QUICK.map(([, pattern]) => pattern.source).join('|'), 'g');
const quickAll: Replacer = (match, u, x, lineBreak, escaped, hex, numeric, named) => {
  if (match[0] === '\\') return quickBackslash(match, u, x, lineBreak, escaped);
  if (hex !== undefined) return quickPercent(match, hex);
  return quickHtml(match, numeric, named);
};
const SPACES = /\s+/g;

/**
 * The texts of the same views, made with the engine's own replace: many times faster than
 * `views`, but without the map back to the original text. They tell at once that a text does
 * not show the token (nearly always so); each drops at least what its view drops, so they
 * miss nothing `views` would find.
 */
function quickViews(text: string): string[] {
  const found = [text.replace(SPACES, '')];
  const present = QUICK.filter(([marks]) => marks.test(text));
  const passes: Array<readonly [RegExp, Replacer]> = present.map(([, p, r]) => [p, r] as const);
  if (present.length > 1) passes.push([QUICK_ALL, quickAll]);
  for (const [pattern, replace] of passes) {
    let decoded = text;
    for (let pass = 0; pass < 3; pass++) {
      const next = decoded.replace(
        pattern,
        replace as (match: string, ...rest: unknown[]) => string,
      );
      if (next === decoded) break;
      found.push(next.replace(SPACES, ''));
      decoded = next;
    }
  }
  return found;
}

/**
 * Spans of `view.text` that are the token, or a piece of it at least `minPiece` long (a token
 * cut where an echoed body was shortened, or quoted in part). Every such piece contains one of
 * the token's aligned chunks of `minPiece / 2` characters, so finding those chunks with indexOf
 * and growing each hit to its longest run finds them all, in time linear in the text.
 */
function tokenSpans(decoded: string, token: string, minPiece: number): Array<[number, number]> {
  const chunk = Math.max(1, Math.floor(minPiece / 2));
  const spans: Array<[number, number]> = [];
  for (let offset = 0; offset + chunk <= token.length; offset += chunk) {
    const piece = token.slice(offset, offset + chunk);
    for (let at = decoded.indexOf(piece); at >= 0; at = decoded.indexOf(piece, at + 1)) {
      let left = 0;
      while (
        offset - left > 0 &&
        at - left > 0 &&
        decoded[at - left - 1] === token[offset - left - 1]
      )
        left++;
      let right = chunk;
      while (offset + right < token.length && decoded[at + right] === token[offset + right])
        right++;
      if (left + right >= minPiece) spans.push([at - left, at + right]);
    }
  }
  return spans;
}

/**
 * A mask for `token`: every occurrence in a text (raw, percent-encoded, JSON-escaped, as HTML
 * character references, split by whitespace or line breaks, or cut short), and any piece of it
 * of 12 characters or a third of its length, is replaced by `[token masked]`.
 */
export function createTokenMask(token: string): TextMask {
  if (token.length < MIN_MASKED_TOKEN) return (text) => text;
  const minPiece = Math.min(token.length, Math.max(MIN_MASKED_PIECE, Math.ceil(token.length / 3)));
  return (text) => {
    if (typeof text !== 'string' || text.length < minPiece) return text;
    if (quickViews(text).every((view) => tokenSpans(view, token, minPiece).length === 0))
      return text;
    // Spans of the original text, from every view.
    const spans: Array<[number, number]> = [];
    for (const view of views(text)) {
      for (const [from, to] of tokenSpans(view.text, token, minPiece))
        spans.push([view.starts[from] as number, view.ends[to - 1] as number]);
    }
    if (spans.length === 0) return text;
    spans.sort((a, b) => a[0] - b[0]);
    let out = '';
    let copied = 0;
    for (const [start, end] of spans) {
      if (end <= copied) continue;
      // Overlapping the span masked last: mask on to this one's end.
      if (start < copied) {
        copied = end;
        continue;
      }
      out += text.slice(copied, start) + TOKEN_MASK;
      copied = end;
    }
    return out + text.slice(copied);
  };
}
