import { Agent } from 'undici';
import { describeError } from '../errors.js';
import { flatRandomUUID } from '../flat-uuid.js';
import { contextTrusting } from '../transport/trusted-certificates.js';
import { createProblem, networkProblem, serverSaid, tokenReadProblem } from './check-advice.js';
import { type Exchange, exchange } from './check-request.js';
import type { CheckOptions, CheckResult } from './check-types.js';

const ME_PATH = 'api/v3/core/users/me/';
const VERSION_PATH = 'api/v3/admin/version/';
const EVENTS_PATH = 'api/v3/events/events/';
const DEFAULT_TIMEOUT_MS = 5000;
const MAX_TIMEOUT_MS = 60_000;
/** The `custom_action` of the test event: what to search authentik's event log for. */
export const CHECK_EVENT_ACTION = 'authentik_events_check';

export interface CheckTarget {
  baseUrl: URL;
  token: string;
  app: string;
  userAgent: string;
  ca?: readonly string[];
  /** Masks the token in whatever the server said. */
  mask: (text: string) => string;
}

type Answer = Extract<Exchange, { kind: 'answer' }>;

function deadlineOf(timeoutMs: unknown): number {
  return typeof timeoutMs === 'number' && timeoutMs > 0
    ? Math.min(timeoutMs, MAX_TIMEOUT_MS)
    : DEFAULT_TIMEOUT_MS;
}

/** A short, printable version string, or nothing: the server's words are not trusted. */
function versionOf(answer: Exchange, mask: (text: string) => string): string | undefined {
  if (answer.kind !== 'answer' || answer.status !== 200) return undefined;
  const version = (answer.json as { version_current?: unknown } | undefined)?.version_current;
  return typeof version === 'string' && /^[\w.+-]{1,64}$/.test(version) ? mask(version) : undefined;
}

/**
 * Whether events will arrive, in a few seconds: one read with the token (reachable, TLS, the
 * API, the token), then the version and the permission to create events side by side, then
 * the test event if asked for. Never throws, never quotes the token.
 */
export async function runCheck(
  target: CheckTarget,
  options: CheckOptions = {},
): Promise<CheckResult> {
  const startedAt = Date.now();
  const url = target.baseUrl;
  const result: CheckResult = {
    ok: false,
    url: url.href,
    checks: {
      reachable: 'skipped',
      tls: 'skipped',
      api: 'skipped',
      token: 'skipped',
      createEvents: 'skipped',
      testEvent: 'skipped',
    },
    problems: [],
    durationMs: 0,
  };
  const timeoutMs = deadlineOf(options?.timeoutMs);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
  let dispatcher: Agent | undefined;
  try {
    dispatcher = new Agent(
      target.ca ? { connect: { secureContext: contextTrusting(target.ca) } } : {},
    );
    const settings = { ...target, baseUrl: url.href, dispatcher, signal: controller.signal };
    await checkSteps(result, target, settings, options?.sendTestEvent === true, timeoutMs);
  } catch (error) {
    // Unreachable by design; a check must never throw into a readiness probe.
    result.problems.push({
      code: 'ERR_AUTHENTIK_EVENTS_CHECK',
      message: `the check itself failed: ${target.mask(describeError(error))}`,
      fix: 'report this as a bug of @authentik-events/core',
    });
  } finally {
    clearTimeout(timer);
    dispatcher?.destroy().catch(() => undefined);
  }
  // Whatever reached a message from the server (a redirect's path, a detail) goes out masked.
  for (const problem of result.problems) problem.message = target.mask(problem.message);
  result.ok = result.problems.length === 0;
  result.durationMs = Date.now() - startedAt;
  return result;
}

async function checkSteps(
  result: CheckResult,
  target: CheckTarget,
  settings: Parameters<typeof exchange>[0],
  sendTestEvent: boolean,
  timeoutMs: number,
): Promise<void> {
  const { checks, problems } = result;
  const url = target.baseUrl;
  const tls = url.protocol === 'https:';
  const me = await exchange(settings, 'GET', ME_PATH);
  if (me.kind === 'failed') {
    const { problem, reachable } = networkProblem(me, url, timeoutMs, target.mask);
    checks.reachable = reachable ? 'ok' : 'failed';
    if (tls && reachable) checks.tls = 'failed';
    problems.push(problem);
    return;
  }
  checks.reachable = 'ok';
  if (tls) checks.tls = 'ok';
  const user = (me.json as { user?: unknown } | undefined)?.user;
  if (me.status !== 200 || user === null || typeof user !== 'object') {
    const { problem, api } = tokenReadProblem(
      me,
      new URL(ME_PATH, url).pathname,
      serverSaid(me.json, target.mask),
    );
    checks.api = api ? 'ok' : 'failed';
    if (api) checks.token = 'failed';
    problems.push(problem);
    return;
  }
  checks.api = 'ok';
  checks.token = 'ok';
  const { pk, username } = user as { pk?: unknown; username?: unknown };
  result.tokenUser = {};
  if (typeof pk === 'number') result.tokenUser.pk = pk;
  else if (typeof pk === 'string') result.tokenUser.pk = target.mask(pk.slice(0, 64));
  if (typeof username === 'string') result.tokenUser.username = target.mask(username.slice(0, 150));
  const who = result.tokenUser.username === undefined ? '' : `"${result.tokenUser.username}"`;

  // Nothing is created: without `action` and `app`, authentik refuses the event as invalid,
  // after it checked the permission (DRF checks permissions before it validates).
  const [version, probe] = await Promise.all([
    exchange(settings, 'GET', VERSION_PATH),
    exchange(settings, 'POST', EVENTS_PATH, {}),
  ]);
  const found = versionOf(version, target.mask);
  if (found !== undefined) result.authentikVersion = found;
  if (probe.kind === 'failed') {
    problems.push(networkProblem(probe, url, timeoutMs, target.mask).problem);
    return;
  }
  const denied = createProblem(
    probe,
    new URL(EVENTS_PATH, url).pathname,
    serverSaid(probe.json, target.mask),
    who,
  );
  checks.createEvents = denied ? 'failed' : 'ok';
  if (denied) problems.push(denied);
  if (!sendTestEvent || denied) return;

  const eventId = flatRandomUUID();
  const sent = await exchange(settings, 'POST', EVENTS_PATH, {
    action: 'custom_',
    app: target.app,
    context: {
      custom_action: CHECK_EVENT_ACTION,
      event_id: eventId,
      message: 'a test event sent by check({ sendTestEvent: true }) of @authentik-events/core',
    },
  });
  if (sent.kind === 'answer' && sent.status === 201) {
    checks.testEvent = 'ok';
    result.testEventId = eventId;
    return;
  }
  checks.testEvent = 'failed';
  problems.push(
    sent.kind === 'failed'
      ? networkProblem(sent, url, timeoutMs, target.mask).problem
      : testEventProblem(
          sent,
          new URL(EVENTS_PATH, url).pathname,
          serverSaid(sent.json, target.mask),
        ),
  );
}

function testEventProblem(answer: Answer, path: string, said: string | undefined) {
  return {
    code: 'ERR_AUTHENTIK_EVENTS_REJECTED',
    message: `the test event was not created: POST ${path} answered ${answer.status}${said ? ` ${said}` : ''}`,
    fix: 'an older authentik may not know an action or field the event carries, or a proxy refuses the request: see what the server said',
  };
}
