import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls, { type SecureContext } from 'node:tls';
import { ConfigError } from '../errors.js';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The `ca` option as PEM strings, one certificate each; `undefined` when not given. Buffers
 * are read as PEM text (what Node's own `ca` takes). Throws a `ConfigError` for anything that
 * is not a PEM certificate, so a wrong file fails at start-up rather than at the first request.
 */
export function resolveCa(raw: unknown): string[] | undefined {
  if (raw === undefined) return undefined;
  const items = Array.isArray(raw) ? raw : [raw];
  const certificates: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string' && !Buffer.isBuffer(item)) {
      throw new ConfigError(
        'ca',
        'must be a PEM certificate (string or Buffer) or an array of them',
      );
    }
    const text = typeof item === 'string' ? item : item.toString('utf8');
    const blocks = text.match(PEM_BLOCK) ?? [];
    if (blocks.length === 0) {
      throw new ConfigError(
        'ca',
        'holds no PEM certificate (-----BEGIN CERTIFICATE-----); pass the CA certificate file\'s content, e.g. fs.readFileSync("ca.pem")',
      );
    }
    for (const block of blocks) {
      try {
        new X509Certificate(block);
      } catch (error) {
        throw new ConfigError(
          'ca',
          `holds a certificate that cannot be read: ${(error as Error).message}`,
        );
      }
      certificates.push(block);
    }
  }
  return certificates;
}

/**
 * The CA certificates Node trusts by default, NODE_EXTRA_CA_CERTS included. TLS's own `ca`
 * option replaces them rather than adding to them, so they are passed along with the extra ones.
 */
function defaultCertificates(): string[] {
  // Node 22.15+ says exactly what it trusts (system store and NODE_EXTRA_CA_CERTS included).
  const getCACertificates = (tls as { getCACertificates?: (type: string) => string[] })
    .getCACertificates;
  if (typeof getCACertificates === 'function') return getCACertificates('default');
  const extra: string[] = [];
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (file) {
    try {
      extra.push(...(readFileSync(file, 'utf8').match(PEM_BLOCK) ?? []));
    } catch {
      // Node itself warned about an unreadable file at start-up; the rest still holds.
    }
  }
  return [...tls.rootCertificates, ...extra];
}

/** A TLS context that trusts Node's default CAs and `extra`, built once for every connection. */
export function contextTrusting(extra: readonly string[]): SecureContext {
  return tls.createSecureContext({ ca: [...defaultCertificates(), ...extra] });
}
