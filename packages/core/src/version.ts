/** Sent as User-Agent so authentik's logs show where events come from. */
export const USER_AGENT = `authentik-events/0.1.0 node/${process.versions.node}`;
