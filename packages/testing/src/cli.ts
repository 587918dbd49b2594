#!/usr/bin/env node
import { CliUsageError, USAGE } from './cli-args.js';
import { runCli } from './cli-main.js';

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

runCli(process.argv.slice(2), print).then(
  (fake) => {
    if (!fake) return;
    const stop = (): void => {
      fake.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
  (error: unknown) => {
    process.stderr.write(`authentik-events-fake: ${(error as Error).message}\n`);
    if (error instanceof CliUsageError) process.stderr.write(`\n${USAGE}`);
    process.exit(error instanceof CliUsageError ? 2 : 1);
  },
);
