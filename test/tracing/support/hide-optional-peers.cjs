// Preloaded (NODE_OPTIONS=--require) into a child process: makes the optional peers look
// uninstalled, as in an app that has neither, although this workspace has both.
const Module = require('node:module');
const HIDDEN = /^(@opentelemetry\/api|prom-client)(\/|$)/;
const resolve = Module._resolveFilename;
Module._resolveFilename = function resolveHiding(request, ...rest) {
  if (HIDDEN.test(request)) {
    const error = new Error(`Cannot find module '${request}'`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolve.call(this, request, ...rest);
};
