// The identity of a request for the cache and the journal: sha256 over the backend's identity
// and the canonical JSON of the request. Equal keys mean "this exact question to this exact model".
import { canonicalJson, sha256Hex } from '../../model/backends/canonical-json.js';
import type { CompletionRequest } from '../../model/request.js';

export function requestKey(backendId: string, request: CompletionRequest): string {
  return sha256Hex(`${backendId}\n${canonicalJson(request)}`);
}
