/** This package's version (package.json's, checked by a test): the delivery worker must match it. */
export const VERSION = '0.1.0';

/** Sent as User-Agent so authentik's logs show where events come from. */
export const USER_AGENT = `authentik-events/${VERSION} node/${process.versions.node}`;
