import { describe, expect, it } from 'vitest';
import { connectionProblem } from '../../src/transport/connection-problem.js';
import { workerHeapMb } from '../../src/transport/worker-heap.js';

const URL_ = new URL('https://auth.example.com/');

describe('first hour: each way of not reaching authentik has a stable code, a hint, and whether retrying can help', () => {
  it.each([
    ['ECONNREFUSED', 'ERR_AUTHENTIK_EVENTS_CONNECTION_REFUSED', false, 'is authentik running'],
    ['EHOSTUNREACH', 'ERR_AUTHENTIK_EVENTS_UNREACHABLE', false, 'firewall'],
    ['UND_ERR_CONNECT_TIMEOUT', 'ERR_AUTHENTIK_EVENTS_UNREACHABLE', false, 'firewall'],
    ['ENOTFOUND', 'ERR_AUTHENTIK_EVENTS_UNKNOWN_HOST', true, 'unknown host "auth.example.com"'],
    ['EAI_AGAIN', 'ERR_AUTHENTIK_EVENTS_UNKNOWN_HOST', true, 'DNS'],
    [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'ERR_AUTHENTIK_EVENTS_CERTIFICATE',
      true,
      'NODE_EXTRA_CA_CERTS',
    ],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'ERR_AUTHENTIK_EVENTS_CERTIFICATE', true, 'ca option'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_AUTHENTIK_EVENTS_CERTIFICATE', true, 'ca option'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'ERR_AUTHENTIK_EVENTS_CERTIFICATE', true, 'ca option'],
    ['CERT_HAS_EXPIRED', 'ERR_AUTHENTIK_EVENTS_CERTIFICATE', true, 'renew'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_AUTHENTIK_EVENTS_CERTIFICATE', true, 'not issued for'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_AUTHENTIK_EVENTS_TLS', true, "url's scheme"],
    ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'ERR_AUTHENTIK_EVENTS_TLS', true, 'TLS 1.2'],
    ['EPROTO', 'ERR_AUTHENTIK_EVENTS_TLS', true, 'handshake'],
  ])('%s', (code, errorCode, permanent, hint) => {
    const problem = connectionProblem(code);
    expect(problem).toMatchObject({ code: errorCode, permanent });
    expect(problem?.explain(URL_, code)).toContain(hint);
    expect(problem?.explain(URL_, code)).toContain(code);
  });

  it.each(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', undefined])(
    '%s is a passing failure: not reported at once, retried as usual',
    (code) => {
      expect(connectionProblem(code)).toBeUndefined();
    },
  );
});

describe('resource limits: the worker heap grows with what can be in flight', () => {
  it('keeps the old 64 MiB for the defaults and grows for concurrency x maxEventBytes', () => {
    expect(workerHeapMb(4, 64 * 1024)).toBe(64);
    // 48 requests of 1.5 MB bodies held as UTF-16 need well over 64 MiB.
    expect(workerHeapMb(48, 2 * 2 ** 20)).toBeGreaterThan(48 * 2 * 2 * 1.5);
    expect(workerHeapMb(96, 2 * 2 ** 20)).toBeGreaterThan(workerHeapMb(48, 2 * 2 ** 20));
  });

  it('sizes the default configuration (the adaptive limit up to 32) within the old 64 MiB', () => {
    expect(workerHeapMb(32, 64 * 1024)).toBe(64);
  });
});
