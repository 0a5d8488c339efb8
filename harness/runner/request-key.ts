// The identity of a request for the cache and the journal: sha256 over the backend's identity
// and the canonical JSON of the request. Equal keys mean "this exact question to this exact model".
import { canonicalJson } from '../../core/canonical-json.js';
import { sha256Hex } from '../../core/sha256.js';
import type { CompletionRequest } from '../../core/request.js';

export function requestKey(backendId: string, request: CompletionRequest): string {
  return sha256Hex(`${backendId}\n${canonicalJson(request)}`);
}
