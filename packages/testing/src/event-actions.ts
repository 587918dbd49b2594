/**
 * authentik's EventActions enum at 2026.2.2, in the schema's order (events-openapi.json,
 * `components.schemas.EventActions`). A test compares this list with the schema, so a schema
 * update that adds a value fails loudly instead of the fake silently refusing it.
 */
export const EVENT_ACTIONS = [
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

export type EventAction = (typeof EVENT_ACTIONS)[number];

const ACTION_SET: ReadonlySet<string> = new Set(EVENT_ACTIONS);

/** Exact, case-sensitive match, as DRF's ChoiceField does. */
export function isEventAction(value: string): value is EventAction {
  return ACTION_SET.has(value);
}
