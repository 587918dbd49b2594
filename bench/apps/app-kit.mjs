// What the three hello-world apps share: which variant to run, the plugin's options, and the
// protocol with bench/request-overhead.mjs (READY <port> when listening; on SIGTERM close the
// server and the plugin's client, then print RESULT with the client's final stats).
import pino from 'pino';

/** node <framework>-app.mjs <bare|autolog|no-autolog|pino|noop> <fake url> <fake token> */
const [variantArg, fakeUrl, fakeToken] = process.argv.slice(2);
export const variant = variantArg ?? 'bare';

/**
 * `noop` is a control: a middleware (Express, Koa) or the same four hooks (Fastify) hooked in
 * the way the plugin hooks in, doing nothing. What it costs is the framework's price for any
 * plugin of that shape, not the plugin's own work.
 */
export const VARIANTS = [
  'bare',
  'autolog',
  'autolog-worker',
  'autolog-in-process',
  'no-autolog',
  'pino',
  'noop',
];
if (!VARIANTS.includes(variant)) throw new Error(`unknown variant ${variant}`);

export const usesPlugin = variant.startsWith('autolog') || variant === 'no-autolog';

/** The plugin's options: defaults, except where the bench must control them. */
export function pluginOptions() {
  return {
    url: fakeUrl,
    token: fakeToken,
    app: 'bench',
    autoLog: variant.startsWith('autolog'),
    // `autolog-in-process`: the HTTP requests on the app's event loop, as before the worker;
    // `autolog-worker`: in a worker thread at the app's priority (the default is the lowest).
    ...(variant === 'autolog-in-process' ? { delivery: 'in-process' } : {}),
    ...(variant === 'autolog-worker' ? { delivery: 'worker' } : {}),
    // Drops at close (the isolation case ends with a full queue) are counted in stats(); the
    // once-per-episode warnings would only clutter the bench's output.
    onError: () => {},
  };
}

/** The usual alternative to an audit plugin: a pino request logger writing to /dev/null. */
export function nullLogger() {
  return pino(pino.destination('/dev/null'));
}

export function pinoDestination() {
  return pino.destination('/dev/null');
}

export function announce(port) {
  console.log(`READY ${port}`);
}

/** On SIGTERM: `close()` stops the server and the plugin and returns the client (or nothing). */
export function onTerminate(close) {
  process.once('SIGTERM', async () => {
    const startedAt = Date.now();
    const { client, report } = (await close()) ?? {};
    const result = {
      variant,
      closeMs: Date.now() - startedAt,
      stats: client ? client.stats() : null,
      closeReport: report ?? null,
      rss: process.memoryUsage.rss(),
    };
    console.log(`RESULT ${JSON.stringify(result)}`);
    process.exit(0);
  });
}

/** How long `close()` may flush at the end of a run; what is left is counted as dropped `closed`. */
export const CLOSE_TIMEOUT_MS = 2_000;
