import { unsupportedMediaType } from './drf-messages.js';

export type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

/** DRF's JSONParser. The message after the dash is V8's, not Python's json module's. */
export function parseJson(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: `JSON parse error - ${(error as Error).message}` };
  }
}

/**
 * DRF picks its JSON parser when the request's media type matches application/json, where
 * either part may be a wildcard and parameters such as charset do not matter. Returns the 415
 * detail when it does not match.
 */
export function checkMediaType(contentType: string | undefined): string | undefined {
  const header = contentType ?? '';
  const [type = ''] = header.split(';', 1);
  const [main = '', sub = ''] = type.trim().toLowerCase().split('/');
  const matches = (main === 'application' || main === '*') && (sub === 'json' || sub === '*');
  return matches ? undefined : unsupportedMediaType(header);
}
