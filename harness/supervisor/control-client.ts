// The trainer side of the control protocol, for trainers written in TypeScript (the embedded
// `evalfirst finetune`): report a saved checkpoint and learn whether to continue.
import { CONTROL_ENV } from './control-server.js';

export interface ControlClient {
  /** `saveS`: the seconds the save took (the supervisor's deadline reserve counts it). */
  report(step: number, path: string, servingUrl?: string, saveS?: number): Promise<'continue' | 'stop'>;
}

/** A client from the environment evalfirst train sets, or null outside a supervised run. */
export function controlClientFromEnv(env: NodeJS.ProcessEnv = process.env): ControlClient | null {
  const url = env[CONTROL_ENV.url];
  const token = env[CONTROL_ENV.token];
  if (!url || !token) return null;
  return {
    async report(step, path, servingUrl, saveS) {
      const res = await fetch(`${url}/checkpoint`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ step, path, serving_url: servingUrl, save_s: saveS }),
      });
      const body = (await res.json().catch(() => null)) as { action?: string; error?: string } | null;
      if (!res.ok || (body?.action !== 'continue' && body?.action !== 'stop')) {
        throw new Error(`control endpoint ${url} answered HTTP ${res.status} ${JSON.stringify(body)} for checkpoint step ${step}`);
      }
      return body.action as 'continue' | 'stop';
    },
  };
}
