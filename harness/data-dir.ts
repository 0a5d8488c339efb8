// Where benchmark files live: --data-dir, else $EVALFIRST_DATA, else <user cache>/evalfirst/data.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.EVALFIRST_DATA) return env.EVALFIRST_DATA;
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'evalfirst', 'data');
}

export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? defaultDataDir(env);
}
