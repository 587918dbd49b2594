import { isIP } from 'node:net';

/**
 * Whether a request's Host header names this machine the way a browser does when the page was
 * opened by address: an IP literal or `localhost`. A web page the developer visits can make
 * its own domain resolve to 127.0.0.1 (DNS rebinding) and then read a loopback server as if it
 * were its own origin; its requests carry that domain in Host, and are refused.
 */
export function isDirectHost(header: string | undefined): boolean {
  if (!header) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${header}/`).hostname;
  } catch {
    return false;
  }
  if (hostname === 'localhost') return true;
  const literal = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return isIP(literal) !== 0;
}

/** Loopback addresses (and `localhost`), where the page is on by default. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
