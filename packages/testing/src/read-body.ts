import type { IncomingMessage } from 'node:http';

export const TOO_LARGE = Symbol('too large');

/**
 * Reads the whole request body as UTF-8. Resolves TOO_LARGE as soon as more than `limit` bytes
 * are announced or received (the rest is not buffered), and null when the client goes away
 * before the body is complete.
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
): Promise<string | typeof TOO_LARGE | null> {
  const announced = Number(req.headers['content-length']);
  if (announced > limit) return Promise.resolve(TOO_LARGE);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (value: string | typeof TOO_LARGE | null) => {
      if (settled) return;
      settled = true;
      req.removeListener('data', onData);
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish(TOO_LARGE);
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      const only = chunks.length === 1 ? chunks[0] : undefined;
      finish(only ? only.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    });
    req.once('close', () => finish(null));
    req.once('error', () => finish(null));
  });
}
