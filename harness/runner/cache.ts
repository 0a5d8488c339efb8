// The request cache: completions in SQLite keyed by requestKey(backend id, request), shared across
// runs so a re-run sends nothing already answered. WAL mode lets concurrent runs read while one writes.
// Writes are batched into one transaction per FLUSH_EVERY rows or FLUSH_MS (a commit per row cost
// about a millisecond each); the run's own journal, not the cache, is what makes a run resumable.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Completion } from '../../core/request.js';
import { UserError } from '../../core/errors.js';

const FLUSH_EVERY = 128;
const FLUSH_MS = 250;

type PendingRow = { table: 'completions'; args: [string, string, string, string, number] } | { table: 'tokenizer_calls'; args: [string, string] };

export class RequestCache {
  private pending = new Map<string, PendingRow>();
  private timer: NodeJS.Timeout | undefined;
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
    const p = this.pending.get(`c:${key}`);
    const text = p ? (p.args[3] as string) : this.getStmt.get(key)?.completion;
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as Completion;
    } catch {
      return undefined; // a damaged row is a miss: the request is simply sent again
    }
  }

  put(key: string, backendId: string, requestJson: string, completion: Completion): void {
    this.queue(`c:${key}`, { table: 'completions', args: [key, backendId, requestJson, JSON.stringify(completion), Date.now()] });
  }

  private queue(id: string, row: PendingRow): void {
    this.pending.set(id, row);
    if (this.pending.size >= FLUSH_EVERY) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes the queued rows in one transaction. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const rows = [...this.pending.values()];
    this.pending.clear();
    this.db.transaction(() => {
      for (const r of rows) {
        if (r.table === 'completions') this.putStmt.run(...r.args);
        else this.putTokStmt.run(...r.args);
      }
    })();
  }

  /** A remembered /tokenize or /decode answer (JSON), keyed by backend, operation and arguments. */
  getTokenizerCall(key: string): unknown {
    const p = this.pending.get(`t:${key}`);
    const text = p ? (p.args[1] as string) : this.getTokStmt.get(key)?.result;
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }

  putTokenizerCall(key: string, result: unknown): void {
    this.queue(`t:${key}`, { table: 'tokenizer_calls', args: [key, JSON.stringify(result)] });
  }

  count(): number {
    this.flush();
    return (this.db.prepare('SELECT COUNT(*) AS n FROM completions').get() as { n: number }).n;
  }

  close(): void {
    this.flush();
    this.db.close();
  }
}
