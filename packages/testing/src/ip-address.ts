import { isIPv4 } from 'node:net';

/**
 * DRF's IPAddressField with protocol 'both' (what authentik's GenericIPAddressField becomes):
 * anything with a colon goes through Django's clean_ipv6_address with unpack_ipv4, so
 * "::ffff:203.0.113.7" is stored as "203.0.113.7" and other IPv6 addresses in Python's
 * compressed lower-case form; everything else is trimmed and must be a dotted IPv4 address
 * without leading zeros (Python's ipaddress rule, which node:net's isIPv4 shares).
 * Returns the stored form, or undefined when the address is invalid.
 */
export function cleanIpAddress(value: string): string | undefined {
  if (value.includes(':')) return cleanIpv6(value);
  const trimmed = value.trim();
  return isIPv4(trimmed) ? trimmed : undefined;
}

const IPV6_CHARS = /^[0-9A-Fa-f:.]+$/;
const MAPPED = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

function cleanIpv6(value: string): string | undefined {
  // Python accepts a scope id ("fe80::1%eth0") and Django drops it when it converts via int().
  const percent = value.indexOf('%');
  const address = percent === -1 ? value : value.slice(0, percent);
  if (percent !== -1 && percent === value.length - 1) return undefined;
  // Checked first so that nothing but an address can reach the URL parser below.
  if (!IPV6_CHARS.test(address)) return undefined;
  let host: string;
  try {
    // The WHATWG URL parser compresses IPv6 exactly as Python's ipaddress does (RFC 5952).
    host = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const mapped = MAPPED.exec(host);
  if (!mapped) return host;
  const high = Number.parseInt(mapped[1] ?? '0', 16);
  const low = Number.parseInt(mapped[2] ?? '0', 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}
