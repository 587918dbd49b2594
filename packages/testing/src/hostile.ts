import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Timers } from './timers.js';
import type { HostileMode, RecordedRequest } from './types.js';

/** How much 'huge-body' streams before it ends: far more than any client should buffer. */
const HUGE_BODY_BYTES = 512 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'a');

/**
 * Answers like a broken or malicious server, for tests that check the client protects itself:
 * it must cap what it reads, time out, and not follow redirects carrying the token elsewhere.
 */
export function respondHostile(
  mode: HostileMode,
  req: IncomingMessage,
  res: ServerResponse,
  record: RecordedRequest,
  timers: Timers,
  /** The status of the answers that pretend success: 201 for an event POST, 200 for a read. */
  okStatus = 201,
): void {
  // Drain the request so the client can finish sending and start waiting for the answer.
  req.resume();
  if (mode === 'hang') return;
  record.status = mode === 'redirect' ? 307 : okStatus;
  if (mode === 'redirect') {
    res.writeHead(307, {
      Location: `http://other-host.invalid${req.url ?? '/'}`,
      'Content-Length': 0,
    });
    res.end();
  } else if (mode === 'invalid-json') {
    const text = '{"pk": "00000000-0000-0000-0000-000000000000", "action": <html>';
    res.writeHead(okStatus, { 'Content-Type': 'application/json', 'Content-Length': text.length });
    res.end(text);
  } else if (mode === 'slow-loris') {
    res.writeHead(okStatus, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    const stop = timers.every(1000, () => res.write(' '));
    res.once('close', stop);
  } else {
    streamHugeBody(res, okStatus);
  }
}

function streamHugeBody(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.write('{"pk": "00000000-0000-0000-0000-000000000000", "app": "');
  let sent = 0;
  const pump = (): void => {
    while (sent < HUGE_BODY_BYTES) {
      if (res.destroyed) return;
      sent += CHUNK.length;
      // Respect backpressure, so a client that stops reading does not fill the fake's memory.
      if (!res.write(CHUNK)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end('"}');
  };
  pump();
}
