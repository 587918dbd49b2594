import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The demo's users. A real app keeps password hashes (scrypt, argon2) in its database, never
 * plain text; these are in memory so the example runs with nothing else installed.
 */
const USERS = [
  {
    id: 1,
    username: 'alice',
    email: 'alice@example.com',
    password: 'correct horse battery staple',
  },
  { id: 2, username: 'bob', email: 'bob@example.com', password: 'tr0ub4dor&3' },
];

// Digests have equal lengths, which timingSafeEqual needs; the comparison then leaks no timing.
const digest = (text) => createHash('sha256').update(String(text)).digest();

/** Users, password checks and bearer-token sessions, all in memory (one set per app instance). */
export function createAccounts() {
  const sessions = new Map();
  return {
    /** The user (without the password) when the credentials match, else undefined. */
    verify(username, password) {
      const found = USERS.find((user) => user.username === username);
      const matches = timingSafeEqual(digest(found?.password ?? ''), digest(password));
      if (!found || !matches) return undefined;
      const { password: _omitted, ...user } = found;
      return user;
    },
    /** A new opaque session token for the user. */
    startSession(user) {
      const token = randomBytes(24).toString('base64url');
      sessions.set(token, user);
      return token;
    },
    /** The user of an `Authorization: Bearer <token>` header, if the session exists. */
    userFor(authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
      return match ? sessions.get(match[1]) : undefined;
    },
  };
}
