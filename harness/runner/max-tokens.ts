// An answer longer than the request's max_tokens is cut to max_tokens tokens before it is scored,
// and flagged. HELM's own rule for providers that ignore max_tokens (truncate_sequence in
// src/helm/proxy/clients/client.py, its max_tokens part): not for echo_prompt requests, keep the
// first max_tokens tokens, the text their texts joined, the logprob their sum. HELM's challenge
// client (http_model_client.py) does not call it and would score the whole answer (challenge.md
// §3.1); evalfirst cuts and says so, in instances.jsonl, results.json and the eval summary, and
// `check-server` fails such a server.
import type { Completion, CompletionRequest } from '../../core/request.js';

export interface Capped {
  completion: Completion;
  /** Tokens the server returned, when more than max_tokens (null: within the limit). */
  returnedTokens: number | null;
}

export function capToMaxTokens(request: CompletionRequest, completion: Completion): Capped {
  const tokens = completion.tokens ?? [];
  if (request.echoPrompt || tokens.length <= request.maxTokens) return { completion, returnedTokens: null };
  const kept = tokens.slice(0, request.maxTokens);
  return {
    completion: { ...completion, tokens: kept, text: kept.map((t) => t.text).join(''), logprob: kept.reduce((s, t) => s + t.logprob, 0) },
    returnedTokens: tokens.length,
  };
}
