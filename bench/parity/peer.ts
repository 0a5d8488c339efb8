// node-llama-cpp (llama.cpp's CPU build) as the peer for parity and speed checks. It is NOT a
// dependency of evalfirst: it is installed on demand into .cache/node-llama-cpp, exactly 3.21.1,
// with only the linux-x64 CPU binaries (the npm package ships them prebuilt; no GPU builds, no
// compile, no download from GitHub).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const PEER_VERSION = '3.21.1';
export const PEER_DIR = resolve(process.env.EVALFIRST_PEER_DIR ?? join(process.cwd(), '.cache', 'node-llama-cpp'));
const ENTRY = join(PEER_DIR, 'node_modules', 'node-llama-cpp', 'dist', 'index.js');

export function peerInstalled(): boolean {
  return existsSync(ENTRY);
}

/** npm install --prefix .cache/node-llama-cpp node-llama-cpp@3.21.1 @node-llama-cpp/linux-x64@3.21.1 (no scripts, no optional GPU builds). */
export function installPeer(log: (s: string) => void = console.error): void {
  if (peerInstalled()) return;
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`the parity peer is set up for linux-x64 only (this is ${process.platform}-${process.arch})`);
  mkdirSync(PEER_DIR, { recursive: true });
  const pkg = join(PEER_DIR, 'package.json');
  if (!existsSync(pkg)) writeFileSync(pkg, JSON.stringify({ name: 'evalfirst-parity-peer', private: true, type: 'module' }, null, 2));
  log(`installing node-llama-cpp@${PEER_VERSION} (CPU binaries only) into ${PEER_DIR} ...`);
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=optional', '--save-exact', `node-llama-cpp@${PEER_VERSION}`, `@node-llama-cpp/linux-x64@${PEER_VERSION}`],
    { cwd: PEER_DIR, stdio: ['ignore', 'inherit', 'inherit'] },
  );
}

// the parts of node-llama-cpp's API these scripts use
export interface PeerToken {
  readonly __brand?: 'token';
}
export interface PeerModule {
  getLlama(o: { gpu: false; build: 'never'; logLevel?: string; maxThreads?: number }): Promise<PeerLlama>;
}
export interface PeerLlama {
  loadModel(o: { modelPath: string; gpuLayers?: number }): Promise<PeerModel>;
  dispose(): Promise<void>;
}
export interface PeerModel {
  createContext(o: Record<string, unknown>): Promise<PeerContext>;
  tokenize(text: string): ArrayLike<number>;
  dispose(): Promise<void>;
}
export interface PeerContext {
  getSequence(): PeerSequence;
  dispose(): Promise<void>;
}
export interface PeerSequence {
  controlledEvaluate(input: ReadonlyArray<number | [number, { generateNext?: { probabilities?: boolean; confidence?: boolean; token?: boolean } }]>): Promise<Array<undefined | { next: { token?: number | null; confidence?: number; probabilities?: Map<number, number> } }>>;
  evaluateWithMetadata(tokens: number[], metadata: { confidence?: boolean; probabilities?: boolean }, options?: Record<string, unknown>): AsyncGenerator<{ token: number; confidence?: number; probabilities?: Map<number, number> }, void, void>;
  evaluate(tokens: number[], options?: Record<string, unknown>): AsyncGenerator<number, void, void>;
  clearHistory(): Promise<void>;
}

export async function loadPeer(): Promise<PeerModule | null> {
  if (!peerInstalled()) return null;
  return (await import(pathToFileURL(ENTRY).href)) as PeerModule;
}
