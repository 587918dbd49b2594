import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, createEventClient } from '@authentik-events/core';
import { authentikEvents as expressEvents } from '@authentik-events/express';
import { describe, expect, it } from 'vitest';

const PACKAGES = fileURLToPath(new URL('../../packages/', import.meta.url));
const base = { token: 'a-token', app: 'transport-test' };

function refusal(construct: () => unknown): unknown {
  try {
    construct();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('a plain-http URL to a host that is not loopback', () => {
  const insecure = [
    'http://auth.example.com',
    'http://10.0.0.5:9000',
    'http://127.0.0.1.nip.io',
    'http://localhost.example.com',
    'http://[2001:db8::1]',
  ];

  it.each(insecure)('%s is refused unless opted in', (url) => {
    for (const construct of [
      () => createEventClient({ ...base, url }),
      () => expressEvents({ ...base, url }),
    ]) {
      const error = refusal(construct);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).option).toBe('url');
      expect((error as ConfigError).message).toContain('allowInsecureHttp');
    }
    expect(() =>
      createEventClient({ ...base, url, allowInsecureHttp: true }).close(),
    ).not.toThrow();
  });

  it.each([
    'http://127.0.0.1:9000',
    'http://localhost:9000',
    'http://[::1]:9000',
    'https://auth.example.com',
  ])('%s is accepted (loopback, or TLS)', (url) => {
    expect(() => createEventClient({ ...base, url }).close()).not.toThrow();
  });
});

describe('TLS verification is never turned off by the library', () => {
  const built = readdirSync(PACKAGES).flatMap((pkg) => {
    const dist = join(PACKAGES, pkg, 'dist');
    let files: string[];
    try {
      files = readdirSync(dist);
    } catch {
      return [];
    }
    return files.map((file) => join(dist, file));
  });

  it('the built packages exist', () => {
    const names = built.map((file) => file.slice(PACKAGES.length));
    for (const pkg of ['core', 'express', 'koa', 'fastify'])
      expect(names).toContain(join(pkg, 'dist', 'index.js'));
  });

  it.each(['rejectUnauthorized', 'NODE_TLS_REJECT_UNAUTHORIZED'])(
    'no built file mentions %s',
    (word) => {
      const mentions = built.filter((file) => readFileSync(file, 'utf8').includes(word));
      expect(mentions).toEqual([]);
    },
  );
});
