import { connectionProblem } from '../transport/connection-problem.js';
import type { Exchange } from './check-request.js';
import type { CheckProblem } from './check-types.js';

/** The server's words are quoted at most this long (and never with the token in them). */
const MAX_QUOTED = 200;

/** The first message of a DRF error body: `detail`, else the first field's first error. */
function firstMessage(json: Record<string, unknown>): string | undefined {
  if (typeof json.detail === 'string') return json.detail;
  for (const [field, errors] of Object.entries(json)) {
    if (Array.isArray(errors) && typeof errors[0] === 'string') return `${field}: ${errors[0]}`;
  }
  return undefined;
}

/** authentik's `detail` (or DRF's first field error), masked and cut: what the server said. */
export function serverSaid(json: unknown, mask: (text: string) => string): string | undefined {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const message = firstMessage(json as Record<string, unknown>);
  if (message === undefined) return undefined;
  const masked = mask(message);
  return JSON.stringify(
    masked.length > MAX_QUOTED ? `${masked.slice(0, MAX_QUOTED)}…[truncated]` : masked,
  );
}

const TOKEN_FIX =
  'use an API token (intent "API", not the app password a service account is created with) that has not expired (API tokens expire after a day unless created without expiry), and check that AUTHENTIK_TOKEN / the token option holds all of it';

/** Why no HTTP answer came back, by the network error's code. */
export function networkProblem(
  failed: Extract<Exchange, { kind: 'failed' }>,
  url: URL,
  timeoutMs: number,
  mask: (text: string) => string,
): { problem: CheckProblem; reachable: boolean } {
  const detail = mask(failed.detail);
  if (failed.timedOut) {
    return {
      reachable: false,
      problem: {
        code: 'ERR_AUTHENTIK_EVENTS_TIMEOUT',
        message: `no answer from ${url.origin} within ${timeoutMs} ms`,
        fix: 'check the url and that this machine can reach that host: a firewall that drops packets, or an authentik too busy to answer, looks like this',
      },
    };
  }
  const known = connectionProblem(failed.code);
  const code = known?.code ?? 'ERR_AUTHENTIK_EVENTS_UNREACHABLE';
  const message = `cannot talk to ${url.origin} (${detail})`;
  switch (code) {
    case 'ERR_AUTHENTIK_EVENTS_CONNECTION_REFUSED':
      return {
        reachable: false,
        problem: {
          code,
          message: `connection refused at ${url.origin} (${detail})`,
          fix: "nothing listens there: start authentik, or correct the url's host and port",
        },
      };
    case 'ERR_AUTHENTIK_EVENTS_UNKNOWN_HOST':
      return {
        reachable: false,
        problem: {
          code,
          message: `unknown host "${url.hostname}" (${detail})`,
          fix: "check the url's host name, and the DNS this machine uses",
        },
      };
    case 'ERR_AUTHENTIK_EVENTS_CERTIFICATE':
      return { reachable: true, problem: { code, message, fix: certificateFix(failed.code) } };
    case 'ERR_AUTHENTIK_EVENTS_TLS':
      return {
        reachable: true,
        problem: {
          code,
          message: `the TLS handshake with ${url.origin} failed (${detail})`,
          fix: "check the url's scheme (https: to a port that speaks plain http, or the reverse?) and that the server accepts TLS 1.2 or newer",
        },
      };
    default:
      return {
        reachable: false,
        problem: {
          code,
          message,
          fix: 'check the url, and that this machine can reach that host (network, firewall, proxy)',
        },
      };
  }
}

function certificateFix(code: string | undefined): string {
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return 'the certificate is issued for another name: use a host name the certificate names in the url';
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return "the certificate is expired or not yet valid: renew authentik's certificate, or check this machine's clock";
  return 'if authentik uses a private CA or a self-signed certificate, pass that CA\'s certificate as the ca option (ca: fs.readFileSync("ca.pem")) or start Node with NODE_EXTRA_CA_CERTS=ca.pem; certificates are always verified';
}

/** `GET /api/v3/core/users/me/` did not answer with the token's user: why, and what to do. */
export function tokenReadProblem(
  answer: Extract<Exchange, { kind: 'answer' }>,
  path: string,
  said: string | undefined,
): { problem: CheckProblem; api: boolean } {
  const { status } = answer;
  const what = `GET ${path} answered ${status}${said ? ` ${said}` : ''}`;
  if (status >= 300 && status < 400) {
    return {
      api: false,
      problem: {
        code: 'ERR_AUTHENTIK_EVENTS_REDIRECT',
        message: `${what}, a redirect to ${answer.location ?? 'nowhere'}`,
        fix: 'set the url to where it redirects (https: instead of http:, another host or sub-path); redirects are not followed, so that the token goes to the configured URL only',
      },
    };
  }
  if (status === 403 && answer.json !== undefined) {
    const missing = said?.includes('not provided');
    return {
      api: true,
      problem: {
        code: 'ERR_AUTHENTIK_EVENTS_UNAUTHORIZED',
        message: `the token was refused: ${what}`,
        fix: missing
          ? 'the Authorization header did not reach authentik: a proxy in front of it removes it; let it through'
          : TOKEN_FIX,
      },
    };
  }
  if (status === 401) {
    return {
      api: true,
      problem: {
        code: 'ERR_AUTHENTIK_EVENTS_UNAUTHORIZED',
        message: `${what}: authentik answers 403, so a proxy in front of it asks for credentials of its own`,
        fix: 'let requests with an "Authorization: Bearer" header through the proxy to authentik',
      },
    };
  }
  if (status >= 500) {
    return {
      api: answer.json !== undefined,
      problem: {
        code: 'ERR_AUTHENTIK_EVENTS_SERVER_ERROR',
        message: what,
        fix: 'authentik (or a proxy in front of it) is failing or starting: check its logs and health; events are retried meanwhile',
      },
    };
  }
  return {
    api: false,
    problem: {
      code: 'ERR_AUTHENTIK_EVENTS_NOT_AUTHENTIK',
      message: `${what}${answer.json === undefined ? ' with a page that is not JSON' : ' without a user'}: this is not authentik's API`,
      fix: "set the url to authentik's base URL (https://auth.example.com) or the sub-path it is served under (https://example.com/authentik/), not a page of it",
    },
  };
}

/** The answer to the permission probe (an empty event): 400 means allowed, 403 not. */
export function createProblem(
  answer: Extract<Exchange, { kind: 'answer' }>,
  path: string,
  said: string | undefined,
  user: string,
): CheckProblem | undefined {
  const { status, json } = answer;
  const code = (json as { code?: unknown } | undefined)?.code;
  if (status === 400 && code === 'denied_license') {
    return {
      code: 'ERR_AUTHENTIK_EVENTS_LICENSE',
      message: `POST ${path} answered 400 ${said ?? ''}: authentik refuses to create objects`,
      fix: "authentik's enterprise licence is expired or exceeded: renew it (Admin → Enterprise → Licenses)",
    };
  }
  // DRF checks permissions before it validates: a 400 naming the missing fields says "allowed".
  if (status === 400 && json !== null && typeof json === 'object' && 'action' in json)
    return undefined;
  if (status === 201) return undefined;
  if (status === 403) {
    return {
      code: 'ERR_AUTHENTIK_EVENTS_FORBIDDEN',
      message: `the token's user ${user} may not create events: POST ${path} answered 403${said ? ` ${said}` : ''}`,
      fix: 'give that user or service account the permission authentik_events.add_event (Directory → Users → the user → Permissions, or through a role)',
    };
  }
  return {
    code: 'ERR_AUTHENTIK_EVENTS_REJECTED',
    message: `POST ${path} with an empty event answered ${status}${said ? ` ${said}` : ''} instead of authentik's 400 or 403`,
    fix: 'a proxy in front of authentik may block or change POST requests: let JSON POSTs to the events API through',
  };
}
