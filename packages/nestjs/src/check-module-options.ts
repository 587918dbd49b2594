import { ConfigError } from '@authentik-events/core';
import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';
import { PACKAGE_NAME } from './nest-recorder.js';

const ASYNC_OPTION_NAMES = ['imports', 'inject', 'useFactory', 'isGlobal'];
/** Forms of Nest's other async modules that this one does not take, and what to do instead. */
const NOT_TAKEN: Record<string, string> = {
  useClass: 'is not supported: give useFactory, which returns the options',
  useExisting: 'is not supported: give useFactory, which returns the options',
  useValue: 'is not supported: give the options to forRoot() instead',
};

function read(options: object, name: string): unknown {
  try {
    return (options as Record<string, unknown>)[name];
  } catch (error) {
    throw new ConfigError(name, `of ${PACKAGE_NAME} cannot be read: ${String(error)}`);
  }
}

function checkIsGlobal(value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'boolean') {
    throw new ConfigError('isGlobal', `of ${PACKAGE_NAME} is invalid: must be true or false`);
  }
  return value;
}

/**
 * forRoot's `isGlobal` (true unless it is false). The rest of the options is checked when Nest
 * creates the module, with the environment (`AUTHENTIK_URL`), by the same checks as every
 * adapter's.
 */
export function isGlobalOf(options: unknown): boolean {
  if (options === null || typeof options !== 'object') return true;
  return checkIsGlobal(read(options, 'isGlobal'));
}

export interface CheckedAsyncOptions {
  imports: NonNullable<ModuleMetadata['imports']>;
  inject: NonNullable<FactoryProvider['inject']>;
  useFactory: (...args: unknown[]) => unknown;
  isGlobal: boolean;
}

/** forRootAsync's own options, checked at once: a `ConfigError` names a wrong one. */
export function checkAsyncOptions(options: unknown): CheckedAsyncOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError(
      'options',
      `of ${PACKAGE_NAME}'s forRootAsync must be an object: { useFactory, inject, imports }`,
    );
  }
  let keys: string[];
  try {
    keys = Object.keys(options);
  } catch (error) {
    throw new ConfigError('options', `of ${PACKAGE_NAME} cannot be read: ${String(error)}`);
  }
  for (const key of keys) {
    if (ASYNC_OPTION_NAMES.includes(key)) continue;
    throw new ConfigError(
      key.slice(0, 60),
      NOT_TAKEN[key] ??
        `is not an option of forRootAsync (it takes ${ASYNC_OPTION_NAMES.join(', ')}); adapter options are what useFactory returns`,
    );
  }
  const useFactory = read(options, 'useFactory');
  if (typeof useFactory !== 'function') {
    throw new ConfigError(
      'useFactory',
      `of ${PACKAGE_NAME}'s forRootAsync must be a function that returns the options`,
    );
  }
  const imports = read(options, 'imports') ?? [];
  const inject = read(options, 'inject') ?? [];
  for (const [name, value] of [
    ['imports', imports],
    ['inject', inject],
  ] as const) {
    if (!Array.isArray(value))
      throw new ConfigError(name, `of ${PACKAGE_NAME}'s forRootAsync must be an array`);
  }
  return {
    imports: imports as CheckedAsyncOptions['imports'],
    inject: inject as CheckedAsyncOptions['inject'],
    useFactory: useFactory as CheckedAsyncOptions['useFactory'],
    isGlobal: checkIsGlobal(read(options, 'isGlobal')),
  };
}
