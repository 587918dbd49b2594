/** Largest JSON body the example accepts. */
const LIMIT_BYTES = 16 * 1024;

/** A body the app will not take; `status` is the answer. */
export class BodyError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * The request's JSON body (node:http has no body parser). Malformed JSON reads as null; a body
 * that is not JSON or is too large rejects with a BodyError (415, 413), before it is all read.
 */
export function readJson(req) {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    return Promise.reject(new BodyError(415, 'send Content-Type: application/json'));
  }
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    const onData = (chunk) => {
      size += chunk.length;
      if (size <= LIMIT_BYTES) {
        chunks.push(chunk);
        return;
      }
      // Stop reading (the answer closes the connection) instead of taking the rest in.
      req.off('data', onData);
      req.pause();
      reject(new BodyError(413, `the body is larger than ${LIMIT_BYTES} bytes`));
    };
    req.on('data', onData);
    req.once('error', reject);
    req.once('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        resolve(null);
      }
    });
  });
}
