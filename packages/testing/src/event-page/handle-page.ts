import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventStream } from './event-stream.js';
import { isDirectHost } from './host-check.js';
import { isAssetPath, readAsset } from './page-assets.js';

export const STREAM_PATH = '/_fake/stream';

/**
 * Every answer of the page. The script builds the page from text nodes only; should that ever
 * fail, the policy still refuses any script or style that is not one of the page's own files,
 * inline ones included.
 */
const PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    ...PAGE_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Answers the event page's own requests (GET or HEAD of `/`, its files and its stream) and
 * returns true; anything else is left to the API (false). The page needs no token: it is a
 * local tool, on by default only on a loopback address. It is refused to any Host but an IP
 * address or `localhost` (see `isDirectHost`).
 */
export function handlePage(
  stream: EventStream,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  warn: (message: string) => void,
): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (path !== STREAM_PATH && !isAssetPath(path)) return false;
  if (!isDirectHost(req.headers.host)) {
    plain(res, 403, 'the event page answers only under an IP address or localhost\n');
    return true;
  }
  if (!isAssetPath(path)) {
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...PAGE_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8' });
      res.end();
    } else stream.open(req, res, PAGE_HEADERS);
    return true;
  }
  let asset: ReturnType<typeof readAsset>;
  try {
    asset = readAsset(path);
  } catch (error) {
    warn(`event page: ${(error as Error).message}`);
    plain(res, 500, `${(error as Error).message}\n`);
    return true;
  }
  res.writeHead(200, {
    ...PAGE_HEADERS,
    'Content-Type': asset.type,
    'Content-Length': asset.body.length,
  });
  res.end(req.method === 'HEAD' ? undefined : asset.body);
  return true;
}
