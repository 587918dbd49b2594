import { parseArgs } from 'node:util';

export interface CliOptions {
  port: number;
  host: string;
  token: string | undefined;
  rateLimit: number | undefined;
  latency: number | undefined;
  capacity: { workers: number; serviceMs: number; queue: number } | undefined;
  printEvents: boolean;
  quiet: boolean;
  /** `--page` / `--no-page`; undefined: on only on a loopback address. */
  page: boolean | undefined;
  help: boolean;
}

/** A wrong command line; the CLI prints the message and the usage and exits with code 2. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

export const USAGE = `Usage: authentik-events-fake [options]

A local authentik-compatible events server (a test double, not authentik).

Options:
  --port <n>          port to listen on, 0 for a free one (default 9000)
  --host <host>       address to bind (default 127.0.0.1)
  --token <token>     the valid API token (default: random, printed at start)
  --rate-limit <n>    accept at most n events per second, holding the rest
  --latency <ms>      delay every response by ms
  --capacity <w>x<ms>[+<q>]
                      a server of limited capacity: w requests served at once, ms each,
                      q more waiting (default 0), 503 beyond; e.g. 16x5+8
  --print-events      print each stored event as one JSON line
  --no-page           do not serve the live event page at /
  --page              serve it even on a non-loopback --host (it needs no token:
                      anyone who reaches the port sees every event)
  --quiet             no notes on stderr about refused bodies and server errors
  -h, --help          show this help
`;

function number(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min) {
    throw new CliUsageError(`--${name} expects a number >= ${min}, got "${raw}"`);
  }
  return value;
}

/** `16x5+8`: 16 workers, 5 ms each, 8 waiting (`+8` optional; the ms may be fractional). */
function parseCapacity(raw: string): { workers: number; serviceMs: number; queue: number } {
  const match = /^(\d+)x(\d+(?:\.\d+)?)(?:ms)?(?:\+(\d+))?$/.exec(raw.trim());
  const workers = Number(match?.[1]);
  if (!match || workers < 1 || workers > 100_000) {
    throw new CliUsageError(
      `--capacity expects <workers>x<serviceMs>[+<queue>] with at least one worker, e.g. 16x5+8, got "${raw}"`,
    );
  }
  return { workers, serviceMs: Number(match[2]), queue: Number(match[3] ?? 0) };
}

export function parseCliArgs(argv: string[]): CliOptions {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  const port = number('port', values.port, 0) ?? 9000;
  if (!Number.isInteger(port) || port > 65535)
    throw new CliUsageError(`--port: no such port ${port}`);
  if (values.page && values['no-page']) throw new CliUsageError('--page and --no-page contradict');
  const rateLimit = number('rate-limit', values['rate-limit'], 0);
  const capacity = values.capacity === undefined ? undefined : parseCapacity(values.capacity);
  if (rateLimit === 0) throw new CliUsageError('--rate-limit must be above 0');
  return {
    port,
    host: values.host ?? '127.0.0.1',
    token: values.token,
    rateLimit,
    latency: number('latency', values.latency, 0),
    capacity,
    printEvents: values['print-events'] ?? false,
    quiet: values.quiet ?? false,
    page: values.page ? true : values['no-page'] ? false : undefined,
    help: values.help ?? false,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      token: { type: 'string' },
      'rate-limit': { type: 'string' },
      latency: { type: 'string' },
      capacity: { type: 'string' },
      'print-events': { type: 'boolean' },
      quiet: { type: 'boolean' },
      page: { type: 'boolean' },
      'no-page': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
