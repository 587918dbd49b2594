import { isIP } from 'node:net';
import { z } from 'zod';
import { AUTHENTIK_ACTIONS } from './actions.js';

const jsonObject = z.record(z.string(), z.unknown());

/**
 * authentik's EventRequest as its server validates it (authentik/events/api/events.py): used to check what a
 * `beforeSend` hook returns, and in tests to pin every payload the client builds.
 */
export const wireEventSchema = z.object({
  action: z.enum(AUTHENTIK_ACTIONS),
  app: z
    .string()
    .refine((app) => app.trim().length > 0, 'app may not be blank')
    .refine((app) => !app.includes('\u0000'), 'app may not contain NUL characters')
    .refine((app) => app.isWellFormed(), 'app may not contain lone surrogates'),
  user: jsonObject.optional(),
  context: jsonObject,
  client_ip: z
    .string()
    .refine((ip) => isIP(ip) !== 0, 'client_ip must be a bare IPv4 or IPv6 address')
    .nullable()
    .optional(),
  expires: z.iso.datetime({ offset: true }).optional(),
  brand: jsonObject.optional(),
});
