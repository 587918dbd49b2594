import { randomUUID } from 'node:crypto';

/**
 * A request id as an app holds one (read from a header, or made by the plugin): one flat
 * string. randomUUID() returns a rope of ~15 concatenated pieces (~480 heap bytes until it is
 * read); reading a character flattens it (~60 bytes), so the bench measures the client's
 * memory, not the rope of its own test data.
 */
function requestId() {
  const id = randomUUID();
  id.charCodeAt(0);
  return id;
}

/** The event a request in a hello-world app makes, as the app hands it to `client.emit`. */
export function typicalEvent(index = 0) {
  return {
    action: 'custom_http_request',
    clientIp: '127.0.0.1',
    context: {
      status: 200,
      duration_ms: 0.42,
      http_request: {
        path: index % 4 === 0 ? '/orders/42' : '/',
        method: 'GET',
        user_agent: 'autocannon',
        request_id: requestId(),
      },
    },
  };
}

/**
 * The same event for the official client (`EventRequest`): what our client puts on the wire
 * (`custom_` with the name in `context.custom_action`, an `event_id`), so both send as much.
 */
export function typicalEventRequest(index = 0) {
  const { context, clientIp } = typicalEvent(index);
  return {
    action: 'custom_',
    app: 'bench',
    clientIp,
    context: { ...context, event_id: requestId(), custom_action: 'http_request' },
  };
}
