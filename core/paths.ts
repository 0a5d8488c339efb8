// Where evalfirst keeps things on disk: benchmark files (--data-dir, else $EVALFIRST_DATA, else
// <user cache>/evalfirst/data) and the request cache ($EVALFIRST_CACHE, else <user cache>/evalfirst/
// requests.sqlite). The user cache is $XDG_CACHE_HOME, else ~/.cache.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'evalfirst');
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.EVALFIRST_DATA || join(userCacheDir(env), 'data');
}

export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? defaultDataDir(env);
}

export function defaultCachePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.EVALFIRST_CACHE || join(userCacheDir(env), 'requests.sqlite');
}
