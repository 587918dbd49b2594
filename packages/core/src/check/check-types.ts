/** What `client.check()` takes. */
export interface CheckOptions {
  /**
   * Also create one real event in authentik (action `custom_`, `context.custom_action:
   * "authentik_events_check"`), to prove the whole way end to end. Without it, the check
   * creates nothing: it asks authentik to validate an empty event, which a token allowed to
   * create events gets refused as invalid (400), and one without the permission as forbidden
   * (403). @default false
   */
  sendTestEvent?: boolean;
  /** The whole check's deadline, in milliseconds (at most 60000). @default 5000 */
  timeoutMs?: number;
}

/** How one part of the check went; `skipped` when an earlier failure made it pointless or it was not asked for. */
export type CheckStatus = 'ok' | 'failed' | 'skipped';

/** One thing that stands between the app and its events in authentik, and what to do about it. */
export interface CheckProblem {
  /** Stable, machine-readable, e.g. `ERR_AUTHENTIK_EVENTS_UNAUTHORIZED`. */
  code: string;
  /** What is wrong, with what the server answered (never the token). */
  message: string;
  /** What to do about it. */
  fix: string;
}

/** What `client.check()` found. It never throws: every failure is a problem in here. */
export interface CheckResult {
  /** `true` when events will arrive: every part that ran is `ok`. */
  ok: boolean;
  /** authentik's base URL that was checked. */
  url: string;
  checks: {
    /** An HTTP answer came back from the URL. */
    reachable: CheckStatus;
    /** authentik's certificate is trusted (`skipped` for `http:`). */
    tls: CheckStatus;
    /** The URL leads to authentik's API (JSON answers, not a web page or a redirect). */
    api: CheckStatus;
    /** The token is valid: `GET /api/v3/core/users/me/` answered with its user. */
    token: CheckStatus;
    /** The token may create events (`authentik_events.add_event`). */
    createEvents: CheckStatus;
    /** The test event was created (only with `sendTestEvent: true`). */
    testEvent: CheckStatus;
  };
  /** authentik's version, when it tells this token (`GET /api/v3/admin/version/`). */
  authentikVersion?: string;
  /** The user or service account the token belongs to. */
  tokenUser?: { pk?: number | string; username?: string };
  /** The `context.event_id` of the test event, to find it in authentik's event log. */
  testEventId?: string;
  /** Empty when `ok`; each with what to do. */
  problems: CheckProblem[];
  durationMs: number;
}
