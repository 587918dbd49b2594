import { cleanString } from './payload/sanitize.js';

/**
 * The `action` values authentik's create endpoint accepts (EventActions in its OpenAPI schema,
 * release 2026.2.2). Anything else is refused by the server with a 400, so it is refused here
 * at `emit` instead. `configuration_warning` and `review_*` need authentik 2026.2 or newer,
 * `export_ready` 2025.12 or newer.
 */
export const AUTHENTIK_ACTIONS = [
  'login',
  'login_failed',
  'logout',
  'user_write',
  'suspicious_request',
  'password_set',
  'secret_view',
  'secret_rotate',
  'invitation_used',
  'authorize_application',
  'source_linked',
  'impersonation_started',
  'impersonation_ended',
  'flow_execution',
  'policy_execution',
  'policy_exception',
  'property_mapping_exception',
  'system_task_execution',
  'system_task_exception',
  'system_exception',
  'configuration_error',
  'configuration_warning',
  'model_created',
  'model_updated',
  'model_deleted',
  'email_sent',
  'update_available',
  'export_ready',
  'review_initiated',
  'review_overdue',
  'review_attested',
  'review_completed',
  'custom_',
] as const;

/** An action exactly as authentik's API accepts it. */
export type AuthentikAction = (typeof AUTHENTIK_ACTIONS)[number];

/** An app's own action: sent as `custom_` with the name in `context.custom_action`. */
export type CustomAction = `custom_${string}`;

/** What `emit` takes: one of authentik's actions, or `custom_<name>`. */
export type EventAction = AuthentikAction | CustomAction;

const KNOWN_ACTIONS: ReadonlySet<string> = new Set(AUTHENTIK_ACTIONS);
const CUSTOM_PREFIX = 'custom_';

/** Why an action is refused, or `undefined` when it is acceptable. */
export function checkAction(action: unknown): string | undefined {
  if (typeof action !== 'string') return `action must be a string, got ${typeof action}`;
  if (KNOWN_ACTIONS.has(action)) return undefined;
  // The name goes into context.custom_action, cleaned like every context string: a name that
  // is nothing once NUL and lone surrogates are taken out is no name.
  if (action.startsWith(CUSTOM_PREFIX) && customNameOf(action).trim() !== '') return undefined;
  return `unknown action "${action.slice(0, 80)}": use one of authentik's actions or custom_<name>`;
}

/**
 * The custom name, without NUL (PostgreSQL refuses it in jsonb: authentik answers 500, forever)
 * and lone surrogates (psycopg cannot encode them).
 */
function customNameOf(action: string): string {
  return cleanString(action.slice(CUSTOM_PREFIX.length));
}

/**
 * The action as it goes on the wire, and the custom name to carry in the context. authentik's
 * EventActions enum (authentik/events/models.py) has only the bare `custom_`, so the name
 * travels in `context.custom_action`.
 */
export function toWireAction(action: string): { action: AuthentikAction; customName?: string } {
  if (KNOWN_ACTIONS.has(action)) return { action: action as AuthentikAction };
  return { action: 'custom_', customName: customNameOf(action) };
}
