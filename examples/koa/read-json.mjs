/** Largest JSON body the example accepts. */
const LIMIT_BYTES = 16 * 1024;

/**
 * The request's JSON body, or undefined after answering 413 or 415 (Koa has no body parser
 * built in; a real app would use @koa/bodyparser). Malformed JSON reads as null.
 */
export async function readJson(ctx) {
  if (!ctx.is('application/json')) {
    ctx.status = 415;
    ctx.body = { error: 'send Content-Type: application/json' };
    return undefined;
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += chunk.length;
    if (size > LIMIT_BYTES) {
      ctx.status = 413;
      ctx.body = { error: `the body is larger than ${LIMIT_BYTES} bytes` };
      return undefined;
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return null;
  }
}
