import type { IncomingHttpHeaders } from 'node:http';

function split(text: string, every: number, by: string): string {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += every) parts.push(text.slice(i, i + every));
  return parts.join(by);
}

/** How a server, a proxy or a debug page echoes the request's Authorization header back. */
export const ECHOES: Array<[string, (headers: IncomingHttpHeaders) => string]> = [
  ['the headers as JSON', (headers) => JSON.stringify({ detail: 'denied', headers })],
  [
    'percent-encoded in a URL',
    (headers) => `{"next": "/login?auth=${encodeURIComponent(String(headers.authorization))}"}`,
  ],
  [
    'folded over lines',
    (headers) => `denied; authorization: ${split(String(headers.authorization), 6, '\r\n ')}`,
  ],
  [
    'where the quoted 500 characters end',
    (headers) => `${'x'.repeat(450)} authorization: ${headers.authorization} and more`,
  ],
  [
    'every character \\u-escaped',
    (headers) =>
      `{"auth": "${[...String(headers.authorization)].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"}`,
  ],
  [
    'HTML-escaped in a plain-text debug dump',
    (headers) =>
      `Authorization: ${String(headers.authorization).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}`,
  ],
  ['a piece of it', (headers) => `token starts ${String(headers.authorization).slice(7, 32)}`],
];

/**
 * The texts decoded the usual ways, so that a leak in any encoding shows as the token: raw,
 * whitespace removed, percent-decoded, JSON/\u-unescaped, HTML-unescaped.
 */
export function readings(texts: readonly string[]): string[] {
  return texts.flatMap((text) => {
    const compact = text.replace(/\s+/g, '');
    const unescaped = compact
      .replace(/\\u([0-9a-fA-F]{4})/g, (_m, hex) => String.fromCharCode(Number.parseInt(hex, 16)))
      .replace(/\\(.)/g, '$1');
    const percent = compact.replace(/%([0-9a-fA-F]{2})/g, (_m, hex) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
    const html = compact.replace(/&#(\d+);/g, (_m, code) => String.fromCharCode(Number(code)));
    return [text, compact, unescaped, percent, html];
  });
}
