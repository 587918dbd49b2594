import { describe, expect, it } from 'vitest';
import { requestHeader } from './harness/request-access.js';
import { requestEvent, sendExpecting, settled, startScenario } from './harness/scenario.js';
import { FRAMEWORKS } from './harness/types.js';

describe.each(FRAMEWORKS)('%s: the user of an event', (framework) => {
  it('maps the conventional user to {pk, username, email} and nothing else', async () => {
    const sessionUser = {
      id: 42,
      username: 'jane',
      email: 'jane@example.com',
      password: 'hunter2-plaintext',
      passwordHash: '$2b$10$abcdefghijklmnopqrstuv',
      roles: ['admin'],
    };
    const scenario = await startScenario(framework, { harness: { sessionUser } });
    await sendExpecting(scenario.app, 200, { path: '/me' });

    const event = requestEvent(await settled(scenario, 1));
    expect(event.user).toEqual({ pk: 42, username: 'jane', email: 'jane@example.com' });
    // Not even masked: the fields never leave the app.
    const sent = scenario.fake.requests.map((request) => request.body).join('\n');
    expect(sent).not.toContain('hunter2');
    expect(sent).not.toContain('passwordHash');
  });

  it('maps OIDC claims (sub, preferred_username)', async () => {
    const sessionUser = {
      sub: '248289761001',
      preferred_username: 'jane.doe',
      email: 'jane@example.com',
      email_verified: true,
      name: 'Jane Doe',
    };
    const scenario = await startScenario(framework, { harness: { sessionUser } });
    await sendExpecting(scenario.app, 200, { path: '/me' });

    expect(requestEvent(await settled(scenario, 1)).user).toEqual({
      pk: '248289761001',
      username: 'jane.doe',
      email: 'jane@example.com',
    });
  });

  it('leaves the user empty when there is none', async () => {
    const scenario = await startScenario(framework);
    await sendExpecting(scenario.app, 200, { path: '/me' });

    expect(requestEvent(await settled(scenario, 1)).user).toEqual({});
  });

  it('takes the user from the user option instead of the session', async () => {
    const scenario = await startScenario(framework, {
      harness: { sessionUser: { id: 1, username: 'session-user' } },
      events: {
        user: (request) => ({ pk: 7, username: String(requestHeader(request, 'x-api-client')) }),
      },
    });
    await sendExpecting(scenario.app, 200, {
      path: '/me',
      headers: { 'x-api-client': 'billing-bot' },
    });

    expect(requestEvent(await settled(scenario, 1)).user).toEqual({
      pk: 7,
      username: 'billing-bot',
    });
  });
});

describe.each(FRAMEWORKS)('%s: a user object that cannot be read', (framework) => {
  it('a throwing getter on the session user: answered, recorded without the user, reported', async () => {
    const sessionUser = Object.defineProperty({ id: 42 }, 'username', {
      get() {
        throw new Error('session store offline');
      },
      enumerable: true,
    });
    const scenario = await startScenario(framework, { harness: { sessionUser } });
    await sendExpecting(scenario.app, 200, { path: '/me' });

    const event = requestEvent(await settled(scenario, 1));
    expect(event.user).toEqual({});
    expect(event.context.status).toBe(200);
    expect(scenario.errors.map((error) => error.message)).toEqual([
      "user: the request's user could not be read: Error: session store offline",
    ]);
  });
});
