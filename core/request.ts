// What goes to a model and what comes back, as HELM's Request / RequestResult / Sequence / Token.

export interface CompletionRequest {
  prompt: string;
  /** 0 means greedy; the challenge client sends 1e-7 in that case. */
  temperature: number;
  numCompletions: number;
  maxTokens: number;
  stopSequences: string[];
  topP: number;
  echoPrompt: boolean;
  /** Top-k log-probabilities wanted per token (HELM: 5 for MCQ-joint, 1 for generation). */
  topKPerToken: number;
  seed?: number;
}

export interface GeneratedToken {
  text: string;
  logprob: number;
  /** token text → logprob */
  topLogprobs: Record<string, number>;
  id?: number;
}

export interface Completion {
  text: string;
  /** Sum of the token logprobs of `tokens`. */
  logprob: number;
  tokens: GeneratedToken[];
  /** Seconds the server says it spent. */
  requestTime: number;
}

export const DEFAULT_REQUEST: Omit<CompletionRequest, 'prompt'> = {
  temperature: 0,
  numCompletions: 1,
  maxTokens: 1,
  stopSequences: [],
  topP: 1,
  echoPrompt: false,
  topKPerToken: 1,
};
