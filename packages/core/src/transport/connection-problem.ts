/**
 * Network failures that mean "authentik cannot be reached as configured", as opposed to the
 * passing ones (a reset, a timeout) every busy network has. Each is reported at once, once per
 * episode, with what to check; the permanent ones also hold delivery behind the circuit.
 */
export interface ConnectionProblem {
  /** Stable, for `onError` handlers and the warning's code. */
  code:
    | 'ERR_AUTHENTIK_EVENTS_CONNECTION_REFUSED'
    | 'ERR_AUTHENTIK_EVENTS_UNREACHABLE'
    | 'ERR_AUTHENTIK_EVENTS_UNKNOWN_HOST'
    | 'ERR_AUTHENTIK_EVENTS_CERTIFICATE'
    | 'ERR_AUTHENTIK_EVENTS_TLS';
  /**
   * Retrying cannot help until someone changes something (a DNS record, a certificate, the
   * url): the sender stops sending events one by one and probes instead (see deliver-one.ts).
   */
  permanent: boolean;
  /** What happened and what to check, for the message. */
  explain(url: URL, detail: string): string;
}

const HELD =
  'events are kept in the queue and sent once a probe gets through (they are dropped only at retry.maxRetryTimeMs or when the queue is full)';

const REFUSED: ConnectionProblem = {
  code: 'ERR_AUTHENTIK_EVENTS_CONNECTION_REFUSED',
  permanent: false,
  explain: (url, detail) =>
    `connection refused at ${url.origin} (${detail}): is authentik running, and are the url's host and port right? Retrying; ${HELD}`,
};

const UNREACHABLE: ConnectionProblem = {
  code: 'ERR_AUTHENTIK_EVENTS_UNREACHABLE',
  permanent: false,
  explain: (url, detail) =>
    `cannot reach ${url.origin} (${detail}): check the url, and that this machine can reach that host (network, firewall, proxy). Retrying; ${HELD}`,
};

const UNKNOWN_HOST: ConnectionProblem = {
  code: 'ERR_AUTHENTIK_EVENTS_UNKNOWN_HOST',
  permanent: true,
  explain: (url, detail) =>
    `unknown host "${url.hostname}" (${detail}): check the url's host name and this machine's DNS; ${HELD}`,
};

const UNTRUSTED: ConnectionProblem = {
  code: 'ERR_AUTHENTIK_EVENTS_CERTIFICATE',
  permanent: true,
  explain: (url, detail) =>
    `the TLS certificate of ${url.origin} is not trusted (${detail}): if authentik uses a private CA or a self-signed certificate, pass that CA's certificate as the ca option or set NODE_EXTRA_CA_CERTS (certificates are always verified); ${HELD}`,
};

const WRONG_NAME: ConnectionProblem = {
  ...UNTRUSTED,
  explain: (url, detail) =>
    `the TLS certificate of ${url.origin} is not issued for "${url.hostname}" (${detail}): use the host name the certificate names in the url; ${HELD}`,
};

const EXPIRED: ConnectionProblem = {
  ...UNTRUSTED,
  explain: (url, detail) =>
    `the TLS certificate of ${url.origin} is expired or not yet valid (${detail}): renew authentik's certificate, or check this machine's clock; ${HELD}`,
};

const HANDSHAKE: ConnectionProblem = {
  code: 'ERR_AUTHENTIK_EVENTS_TLS',
  permanent: true,
  explain: (url, detail) =>
    `the TLS handshake with ${url.origin} failed (${detail}): is the url's scheme right (https: to a port that speaks plain http, or the reverse?), and does the server accept TLS 1.2 or newer? ${HELD}`,
};

const BY_CODE: Record<string, ConnectionProblem> = {
  ECONNREFUSED: REFUSED,
  EHOSTUNREACH: UNREACHABLE,
  ENETUNREACH: UNREACHABLE,
  EHOSTDOWN: UNREACHABLE,
  ENETDOWN: UNREACHABLE,
  EADDRNOTAVAIL: UNREACHABLE,
  UND_ERR_CONNECT_TIMEOUT: UNREACHABLE,
  ENOTFOUND: UNKNOWN_HOST,
  EAI_AGAIN: UNKNOWN_HOST,
  EAI_FAIL: UNKNOWN_HOST,
  EAI_NONAME: UNKNOWN_HOST,
  EAI_NODATA: UNKNOWN_HOST,
  ERR_TLS_CERT_ALTNAME_INVALID: WRONG_NAME,
  CERT_HAS_EXPIRED: EXPIRED,
  CERT_NOT_YET_VALID: EXPIRED,
  EPROTO: HANDSHAKE,
};

/**
 * OpenSSL's verification errors (node's `tls` passes them on as the error's code), so that one
 * this list does not name still counts as a certificate problem.
 * https://docs.openssl.org/3.0/man3/X509_STORE_CTX_get_error/
 */
const CERTIFICATE_CODE =
  /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_[A-Z_]+|CERT_[A-Z_]+|CRL_[A-Z_]+|INVALID_CA|PATH_LENGTH_EXCEEDED|INVALID_PURPOSE|CERT_UNTRUSTED|CERT_REJECTED|HOSTNAME_MISMATCH)$/;

/** Every code a connection problem is reported under. */
export const CONNECTION_PROBLEM_CODES: ReadonlyArray<ConnectionProblem['code']> = [
  REFUSED.code,
  UNREACHABLE.code,
  UNKNOWN_HOST.code,
  UNTRUSTED.code,
  HANDSHAKE.code,
];

/** The problem a failure's code stands for; `undefined` for passing failures (resets, timeouts…). */
export function connectionProblem(code: string | undefined): ConnectionProblem | undefined {
  if (code === undefined) return undefined;
  const known = BY_CODE[code];
  if (known) return known;
  if (CERTIFICATE_CODE.test(code)) return UNTRUSTED;
  // ERR_SSL_WRONG_VERSION_NUMBER (https: to a plain-http port), ERR_SSL_TLSV1_ALERT_…: the
  // server refused the handshake.
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return HANDSHAKE;
  return undefined;
}
