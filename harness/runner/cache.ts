// The request cache: completions in SQLite keyed by requestKey(backend id, request), shared across
// runs so a re-run sends nothing already answered. WAL mode lets concurrent runs read while one writes.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';
import type { Completion } from '../../model/request.js';
import { UserError } from '../user-error.js';

export function defaultCachePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.EVALFIRST_CACHE) return env.EVALFIRST_CACHE;
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'evalfirst', 'requests.sqlite');
}

export class RequestCache {
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string], { completion: string }>;
  private readonly putStmt: Database.Statement<[string, string, string, string, number]>;
  private readonly getTokStmt: Database.Statement<[string], { result: string }>;
  private readonly putTokStmt: Database.Statement<[string, string]>;

  constructor(readonly path: string) {
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(`CREATE TABLE IF NOT EXISTS completions (
        key TEXT PRIMARY KEY,
        backend TEXT NOT NULL,
        request TEXT NOT NULL,
        completion TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS tokenizer_calls (
        key TEXT PRIMARY KEY,
        result TEXT NOT NULL
      )`);
    } catch (err) {
      throw new UserError(`cannot open the request cache ${path}: ${(err as Error).message} (use --no-cache to run without it)`);
    }
    this.getStmt = this.db.prepare('SELECT completion FROM completions WHERE key = ?');
    this.putStmt = this.db.prepare('INSERT OR REPLACE INTO completions (key, backend, request, completion, created_at) VALUES (?, ?, ?, ?, ?)');
    this.getTokStmt = this.db.prepare('SELECT result FROM tokenizer_calls WHERE key = ?');
    this.putTokStmt = this.db.prepare('INSERT OR REPLACE INTO tokenizer_calls (key, result) VALUES (?, ?)');
  }

  get(key: string): Completion | undefined {
    const row = this.getStmt.get(key);
    if (!row) return undefined;
    try {
      return JSON.parse(row.completion) as Completion;
    } catch {
      return undefined; // a damaged row is a miss: the request is simply sent again
    }
  }

  put(key: string, backendId: string, requestJson: string, completion: Completion): void {
    this.putStmt.run(key, backendId, requestJson, JSON.stringify(completion), Date.now());
  }

  /** A remembered /tokenize or /decode answer (JSON), keyed by backend, operation and arguments. */
  getTokenizerCall(key: string): unknown {
    const row = this.getTokStmt.get(key);
    if (!row) return undefined;
    try {
      return JSON.parse(row.result) as unknown;
    } catch {
      return undefined;
    }
  }

  putTokenizerCall(key: string, result: unknown): void {
    this.putTokStmt.run(key, JSON.stringify(result));
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM completions').get() as { n: number }).n;
  }

  close(): void {
    this.db.close();
  }
}
