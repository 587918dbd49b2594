import { parseCliArgs, USAGE } from './cli-args.js';
import { startFakeAuthentik } from './fake-authentik.js';
import type { FakeAuthentik } from './types.js';

/**
 * The command line without the process around it (signals, exit codes), so tests can run it
 * in-process. Output lines, in order: the listening line with the token, the event page's
 * address (unless it is off), `READY <url>` for scripts that wait on it, then one JSON line
 * per stored event with --print-events.
 * Resolves with the running fake, or undefined after --help.
 */
export async function runCli(
  argv: string[],
  print: (line: string) => void,
): Promise<FakeAuthentik | undefined> {
  const options = parseCliArgs(argv);
  if (options.help) {
    print(USAGE);
    return undefined;
  }
  const fake = await startFakeAuthentik({
    port: options.port,
    host: options.host,
    token: options.token,
    quiet: options.quiet,
    page: options.page,
    onEvent: options.printEvents ? (event) => print(JSON.stringify(event)) : undefined,
  });
  if (options.rateLimit !== undefined) fake.faults.rateLimit(options.rateLimit);
  if (options.latency !== undefined) fake.faults.latency(options.latency);
  if (options.capacity !== undefined) fake.faults.capacity(options.capacity);
  print(`authentik-events-fake listening on ${fake.url} token=${fake.token}`);
  if (fake.pageUrl) print(`event page: ${fake.pageUrl} (live, no token needed)`);
  print(`READY ${fake.url}`);
  return fake;
}
