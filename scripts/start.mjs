#!/usr/bin/env node
// `npm start [-- express|koa|fastify|hono|node-http] [--watch]` (or EXAMPLE=koa): runs one example
// app against the embedded fake (or AUTHENTIK_URL/AUTHENTIK_TOKEN), drives a short session over
// real HTTP, then shows the events as the server stored them and the client's counters. Needs no
// configuration and exits by itself: 0 when everything was recorded as expected. With --watch
// it then keeps the server and the app up and prints the live event page's address.
import { randomUUID } from 'node:crypto';
import { checkIdentity, formatStats, totalDropped } from './lib/accounting.mjs';
import { checkRows, DEMO_CLIENT_IP } from './lib/check-run.mjs';
import { FORGED_IP, runSession, STEPS } from './lib/demo-session.mjs';
import { openEventsTarget } from './lib/events-target.mjs';
import { describeEvent, readRunEvents } from './lib/read-events.mjs';
import { formatTable } from './lib/table.mjs';
import { watchUntilStopped } from './lib/watch.mjs';

const FRAMEWORKS = ['express', 'koa', 'fastify', 'hono', 'node-http'];
/** A safety net: the demo must finish by itself even if a server stops answering. */
const GIVE_UP_AFTER_MS = 60_000;
const COLUMNS = [
  { key: 'action', title: 'action', max: 24 },
  { key: 'user', title: 'user', max: 12 },
  { key: 'ip', title: 'client IP', max: 24 },
  { key: 'brand', title: 'brand', max: 18 },
  { key: 'path', title: 'path', max: 16 },
  { key: 'status', title: 'status', max: 6 },
];

/** An error's message, with the cause that fetch hides behind "fetch failed". */
function describe(error) {
  const cause = error?.cause?.message;
  return cause ? `${error.message} (${cause})` : String(error?.message ?? error);
}

/** Messages of the client's reported errors, without repeats; degraded states are only warnings. */
function splitClientErrors(errors) {
  const messages = (degraded) =>
    new Set(
      errors
        .filter((error) => (error.name === 'DegradedError') === degraded)
        .map((error) => error.message),
    );
  return { failures: messages(false), warnings: messages(true) };
}

/** Starts the example, sends the session, closes the app (flushing); what happened, and problems. */
async function runExample(framework, target, runId, problems) {
  const { createApp } = await import(`../examples/${framework}/app.mjs`);
  const clientErrors = [];
  const example = await createApp({
    url: target.url,
    token: target.token,
    app: `authentik-events-example-${framework}`,
    // The run id tells this run's events from others when they are read back.
    context: () => ({ demo_run: runId }),
    // One request at a time, so the server stores the events in the order they were sent: the
    // audit events (logins, the exception) the client holds go before the request logs.
    concurrency: 1,
    // Fail fast against a server that is down, instead of retrying for minutes.
    retry: { retries: 2, minDelayMs: 250 },
    onError: (error) => clientErrors.push(error),
  });
  const baseUrl = await example.listen(0, DEMO_CLIENT_IP);
  console.log(`example-${framework} listening on ${baseUrl}\n\nscripted session:`);
  const width = Math.max(...STEPS.map((step) => step.path.length));
  try {
    await runSession(baseUrl, (step, status) => {
      console.log(
        `  ${step.method.padEnd(4)} ${step.path.padEnd(width)}  ${status}  ${step.label}`,
      );
    });
  } catch (error) {
    problems.push(`the session failed: ${describe(error)}`);
  }

  const report = await example.close();
  console.log(
    `\nclosed the app; its final flush delivered ${report.delivered} events, ${report.pending} pending`,
  );
  const stats = example.client.stats();
  if (!report.complete) problems.push('the final flush did not finish in time');
  if (totalDropped(stats) > 0) problems.push('some events were dropped (see the client stats)');
  const { failures, warnings } = splitClientErrors(clientErrors);
  for (const message of failures) problems.push(`client: ${message}`);
  return { stats, warnings };
}

/** Reads this run's events back from the server and prints them as a table; the rows, or undefined. */
async function showStoredEvents(target, framework, runId, delivered, startedAt, problems) {
  try {
    const app = `authentik-events-example-${framework}`;
    const events = await readRunEvents({ ...target, app, runId, expected: delivered, startedAt });
    const rows = events.map(describeEvent);
    console.log(`\nevents stored on the server for this run (${rows.length}, oldest first):`);
    console.log(formatTable(COLUMNS, rows));
    return rows;
  } catch (error) {
    problems.push(`could not read the events back: ${describe(error)}`);
    return undefined;
  }
}

/** The example and whether to keep watching, from the command line (and EXAMPLE). */
function readArguments(argv) {
  const flags = argv.filter((arg) => arg.startsWith('-'));
  const unknown = flags.find((flag) => flag !== '--watch');
  if (unknown) throw new Error(`unknown option "${unknown}": the only option is --watch`);
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: read by this script only, which turbo never runs
  const framework = argv.find((arg) => !arg.startsWith('-')) ?? process.env.EXAMPLE ?? 'express';
  if (!FRAMEWORKS.includes(framework)) {
    throw new Error(`unknown example "${framework}": choose one of ${FRAMEWORKS.join(', ')}`);
  }
  return { framework, watch: flags.includes('--watch') };
}

function printProblems(problems) {
  if (problems.length === 0) return;
  console.error(`\nFAILED:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  process.exitCode = 1;
}

async function main() {
  const { framework, watch } = readArguments(process.argv.slice(2));
  const runId = randomUUID().slice(0, 8);
  const startedAt = Date.now();
  console.log(`authentik-events demo: the ${framework} example (run ${runId})`);
  const target = await openEventsTarget();
  console.log(`events go to ${target.description}`);
  for (const note of target.notes ?? []) console.log(`  (${note})`);

  const problems = [];
  try {
    const { stats, warnings } = await runExample(framework, target, runId, problems);
    const rows = await showStoredEvents(
      target,
      framework,
      runId,
      stats.delivered,
      startedAt,
      problems,
    );
    console.log(`\n${formatStats(stats)}`);
    const identity = checkIdentity(stats);
    console.log(identity.text);
    for (const warning of warnings) console.log(`client warning: ${warning}`);
    if (!identity.holds) problems.push('the accounting identity does not hold');
    if (rows) problems.push(...checkRows(rows, stats.delivered));
    if (problems.length === 0) {
      console.log(
        `\nOK: all ${rows.length} events as expected; the forged X-Forwarded-For ${FORGED_IP} was ignored.`,
      );
    }
    if (watch) {
      // From here on the demo runs until it is stopped: no time limit.
      clearTimeout(watchdog);
      printProblems(problems.splice(0));
      const appName = `authentik-events-example-${framework}`;
      await watchUntilStopped({ framework, target, appName, context: () => ({ demo_run: runId }) });
    }
  } finally {
    await target.close();
  }
  return problems;
}

const watchdog = setTimeout(() => {
  console.error(
    `\nstart: gave up after ${GIVE_UP_AFTER_MS / 1000} s (a server stopped answering?)`,
  );
  process.exit(1);
}, GIVE_UP_AFTER_MS);
watchdog.unref();

main().then(
  (problems) => printProblems(problems),
  (error) => {
    console.error(`\nFAILED: ${describe(error)}`);
    process.exitCode = 1;
  },
);
