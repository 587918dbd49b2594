import { context, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { connect, startFake } from '../integration/helpers.js';
import { idsOf, tracer, useRealTracer } from './tracer.js';

useRealTracer();

describe('trace ids in events emitted inside a span', () => {
  it('an event emitted in an active span carries its trace_id and span_id', async () => {
    const fake = await startFake();
    const { client } = connect(fake);
    const expected = tracer().startActiveSpan('checkout', (span) => {
      client.emit({ action: 'custom_order_placed', context: { order: 'A-1' } });
      client.emit({ action: 'login' }); // no context of its own
      span.end();
      return idsOf(span);
    });
    await client.flush();
    expect(fake.events).toHaveLength(2);
    for (const event of fake.events) expect(event.context).toMatchObject(expected);
    expect(fake.events[0]?.context.order).toBe('A-1');
    expect(expected.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('across awaits inside the span, and a child span gives its own span_id', async () => {
    const fake = await startFake();
    const { client } = connect(fake);
    const [parent, child] = await tracer().startActiveSpan('handler', async (span) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      client.emit({ action: 'login' });
      const childIds = tracer().startActiveSpan('db', (inner) => {
        client.emit({ action: 'logout' });
        inner.end();
        return idsOf(inner);
      });
      span.end();
      return [idsOf(span), childIds] as const;
    });
    await client.flush();
    expect(fake.events.find((e) => e.action === 'login')?.context).toMatchObject(parent);
    expect(fake.events.find((e) => e.action === 'logout')?.context).toMatchObject(child);
    expect(child.trace_id).toBe(parent.trace_id);
  });

  it('no span active: no ids; ids the app set itself are kept', async () => {
    const fake = await startFake();
    const { client } = connect(fake);
    client.emit({ action: 'login' });
    tracer().startActiveSpan('op', (span) => {
      client.emit({ action: 'logout', context: { trace_id: 'mine', span_id: 'also-mine' } });
      span.end();
    });
    // A span that exists but is not active where the event is emitted does not count.
    const idle = tracer().startSpan('not-active');
    client.emit({ action: 'login_failed' });
    idle.end();
    // An invalid span context (all zeros) is no trace.
    context.with(
      trace.setSpan(
        context.active(),
        trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 }),
      ),
      () => client.emit({ action: 'user_write' }),
    );
    await client.flush();
    const byAction = new Map(fake.events.map((e) => [e.action, e.context]));
    expect(byAction.get('login')).not.toHaveProperty('trace_id');
    expect(byAction.get('login_failed')).not.toHaveProperty('trace_id');
    expect(byAction.get('user_write')).not.toHaveProperty('trace_id');
    expect(byAction.get('logout')).toMatchObject({ trace_id: 'mine', span_id: 'also-mine' });
  });
});
