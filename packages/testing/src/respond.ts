import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { RecordedRequest } from './types.js';

/** A response decided by a handler, sent (or deliberately not sent) by the caller. */
export interface Reply {
  status: number;
  contentType: string;
  text: string;
  headers?: OutgoingHttpHeaders;
}

const JSON_TYPE = 'application/json';
const HTML_TYPE = 'text/html; charset=utf-8';

export function jsonReply(status: number, body: unknown, headers?: OutgoingHttpHeaders): Reply {
  return { status, contentType: JSON_TYPE, text: JSON.stringify(body), headers };
}

export function htmlReply(status: number, text: string): Reply {
  return { status, contentType: HTML_TYPE, text };
}

/** Writes the reply in one go and notes its status on the recorded request. */
export function send(res: ServerResponse, record: RecordedRequest, reply: Reply): void {
  record.status = reply.status;
  if (res.destroyed) return;
  res.writeHead(reply.status, {
    ...reply.headers,
    'Content-Type': reply.contentType,
    'Content-Length': Buffer.byteLength(reply.text),
  });
  res.end(reply.text);
}

/**
 * Drops the connection with a TCP RST where the platform allows it, so the client sees
 * ECONNRESET as it would when a proxy or a crashing worker cuts it off.
 */
export function resetConnection(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket || socket.destroyed) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}
