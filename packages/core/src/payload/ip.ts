import { isIP } from 'node:net';

/**
 * The client IP as authentik accepts it: a bare IPv4 or IPv6 address. IPv4-mapped IPv6
 * (`::ffff:1.2.3.4`, what Node reports on dual-stack sockets) becomes plain IPv4 and an IPv6
 * zone (`%eth0`) is removed; anything else that is not an address becomes `null`, because the
 * server refuses the whole event for a bad `client_ip` (authentik/events/api/events.py).
 */
export function normalizeIp(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return null;
  let ip = value.trim();
  const zone = ip.indexOf('%');
  if (zone !== -1) ip = ip.slice(0, zone);
  const family = isIP(ip);
  if (family === 0) return null;
  if (family === 6 && /^::ffff:/i.test(ip)) {
    const mapped = ip.slice(7);
    if (isIP(mapped) === 4) return mapped;
  }
  return ip;
}
