import { describe, expect, it } from 'vitest';
import { maskError } from '../../src/secrets/mask-error.js';
import { createTokenMask, TOKEN_MASK } from '../../src/secrets/token-mask.js';

/** Special characters on purpose: each encoding then differs from the raw token. */
const TOKEN = 'canary"TOKEN\\/+=&<x>0123456789abcdef0123456789abcdef';
const mask = createTokenMask(TOKEN);

function htmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function unicodeEscape(text: string): string {
  return [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
}

function split(text: string, every: number, by: string): string {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += every) parts.push(text.slice(i, i + every));
  return parts.join(by);
}

describe('hostile echo: the token is masked in every form a server can echo it in', () => {
  const forms: Array<[string, string]> = [
    ['raw', TOKEN],
    ['Bearer header', `Bearer ${TOKEN}`],
    ['JSON-escaped', JSON.stringify(TOKEN).slice(1, -1)],
    ['percent-encoded', encodeURIComponent(TOKEN)],
    [
      'percent-encoded, lower-case hex',
      encodeURIComponent(TOKEN).replace(/%[0-9A-F]{2}/g, (code) => code.toLowerCase()),
    ],
    ['HTML character references', htmlEscape(TOKEN)],
    ['\\u escapes', unicodeEscape(TOKEN)],
    ['split by line breaks', split(TOKEN, 5, '\n')],
    ['folded by CRLF, then JSON-escaped', JSON.stringify(split(TOKEN, 7, '\r\n')).slice(1, -1)],
    ['HTML-escaped, wrapped with <wbr>', split(htmlEscape(TOKEN), 9, '<wbr>')],
    [
      'HTML named entities',
      TOKEN.replace(/&/g, '&amp;')
        .replace(/"/g, '&quot;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;'),
    ],
    ['JSON-escaped inside a JSON string, twice', JSON.stringify(JSON.stringify(TOKEN))],
  ];

  it.each(forms)('%s', (_name, form) => {
    const text = `{"detail": "bad request", "headers": {"authorization": "${form}"}} trailing`;
    const masked = mask(text);
    expect(masked).toContain(TOKEN_MASK);
    expect(masked.startsWith('{"detail": "bad request"')).toBe(true);
    expect(masked.endsWith(' trailing')).toBe(true);
    // Nothing of the token's distinctive part is left.
    expect(masked).not.toMatch(/0123456789abcdef/);
    expect(masked).not.toContain('canary');
  });

  it('masks a piece of the token cut off where a body was shortened', () => {
    const cut = `…authorization: Bearer ${TOKEN.slice(0, 20)}`;
    expect(mask(cut)).toBe(`…authorization: Bearer ${TOKEN_MASK}`);
    const tail = `${TOKEN.slice(-20)} and the rest`;
    expect(mask(tail)).toBe(`${TOKEN_MASK} and the rest`);
  });

  it('masks every occurrence and leaves the text around them as it was', () => {
    const text = `a ${TOKEN} b ${encodeURIComponent(TOKEN)} c`;
    expect(mask(text)).toBe(`a ${TOKEN_MASK} b ${TOKEN_MASK} c`);
  });

  it('leaves text without the token alone, also text that shares short pieces with it', () => {
    const text = 'authentik answered 503 {"detail": "canary 0123 abcdef"} \\u0041 %41 &amp;';
    expect(mask(text)).toBe(text);
  });

  it('does not mask a token too short to be masked without garbling every message', () => {
    expect(createTokenMask('t')('authentik answered 503')).toBe('authentik answered 503');
  });

  it('leaves a long text full of near-matches as it was', () => {
    const near = `${TOKEN.slice(0, 11)}!`.repeat(20_000);
    expect(mask(near)).toBe(near);
  });
});

describe('hostile echo: an error handed out is masked along its whole cause chain', () => {
  it('message, stack, own properties, causes, AggregateError members and plain-object causes', () => {
    const inner = Object.assign(new Error(`reset after ${TOKEN}`), { headers: `Bearer ${TOKEN}` });
    const aggregate = new AggregateError([new Error(TOKEN)], 'several');
    const middle = new Error('wrapped', { cause: inner });
    const outer = new Error(`echo ${TOKEN}`, { cause: middle });
    Object.assign(outer, { details: { authorization: `Bearer ${TOKEN}` }, more: aggregate });
    maskError(outer, mask);
    const seen = [
      outer.message,
      outer.stack,
      inner.message,
      inner.stack,
      (inner as Error & { headers: string }).headers,
      String((outer as Error & { details: unknown }).details),
      (aggregate.errors[0] as Error).message,
      (aggregate.errors[0] as Error).stack,
    ];
    for (const text of seen) expect(text).not.toContain('0123456789abcdef');
    expect(outer.message).toBe(`echo ${TOKEN_MASK}`);
  });

  it('replaces a frozen cause it cannot change by a masked copy', () => {
    const frozen = Object.freeze(new Error(`frozen ${TOKEN}`));
    const outer = new Error('outer', { cause: frozen });
    maskError(outer, mask);
    expect((outer.cause as Error).message).toBe(`frozen ${TOKEN_MASK}`);
  });

  it('survives a cycle in the cause chain', () => {
    const a = new Error(`a ${TOKEN}`);
    const b = new Error('b', { cause: a });
    (a as Error & { cause: unknown }).cause = b;
    expect(() => maskError(a, mask)).not.toThrow();
    expect(a.message).toBe(`a ${TOKEN_MASK}`);
  });
});
