import { expect } from 'chai';
import { parseHfConfig } from '../../../model/llama/config.js';
import { UserError } from '../../../core/errors.js';

describe('model/llama config', () => {
  it('reads LLaMA 2 configs: 7B defaults and 70B grouped-query attention', () => {
    const base = { architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 4096, intermediate_size: 11008, num_hidden_layers: 32, num_attention_heads: 32, vocab_size: 32000, max_position_embeddings: 4096, rms_norm_eps: 1e-5, bos_token_id: 1, eos_token_id: 2, hidden_act: 'silu', tie_word_embeddings: false, rope_scaling: null };
    const c7 = parseHfConfig('7b/config.json', base);
    expect(c7).to.deep.include({ dim: 4096, nHeads: 32, nKvHeads: 32, headDim: 128, hiddenDim: 11008, ropeTheta: 10000, normEps: 1e-5, maxSeqLen: 4096, bosId: 1, eosIds: [2], tieWordEmbeddings: false, slidingWindow: null });
    const c70 = parseHfConfig('70b/config.json', { ...base, hidden_size: 8192, intermediate_size: 28672, num_hidden_layers: 80, num_attention_heads: 64, num_key_value_heads: 8 });
    expect(c70).to.deep.include({ nHeads: 64, nKvHeads: 8, headDim: 128 });
  });

  it('reads a Mistral-style config (GQA, rope_theta, sliding window, list of eos ids)', () => {
    const c = parseHfConfig('mistral/config.json', { architectures: ['MistralForCausalLM'], model_type: 'mistral', hidden_size: 4096, intermediate_size: 14336, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, vocab_size: 32000, max_position_embeddings: 32768, rms_norm_eps: 1e-5, rope_theta: 1000000, sliding_window: 4096, eos_token_id: [2, 32000], hidden_act: 'silu' });
    expect(c).to.deep.include({ nKvHeads: 8, ropeTheta: 1e6, slidingWindow: 4096, eosIds: [2, 32000], normEps: 1e-5 });
  });

  it('refuses what the runtime does not implement, naming the file', () => {
    const ok = { hidden_size: 64, intermediate_size: 96, num_hidden_layers: 1, num_attention_heads: 8, vocab_size: 10 };
    expect(() => parseHfConfig('x/config.json', { ...ok, model_type: 'gpt2' })).to.throw(UserError, /x\/config\.json: model_type "gpt2" is not supported/);
    expect(() => parseHfConfig('x/config.json', { ...ok, hidden_act: 'gelu' })).to.throw(UserError, /hidden_act "gelu"/);
    expect(() => parseHfConfig('x/config.json', { ...ok, attention_bias: true })).to.throw(UserError, /attention_bias/);
    expect(() => parseHfConfig('x/config.json', { ...ok, num_key_value_heads: 3 })).to.throw(UserError, /8 attention heads is not a multiple of 3 key\/value heads/);
    expect(() => parseHfConfig('x/config.json', { ...ok, hidden_size: undefined })).to.throw(UserError, /missing "hidden_size"/);
    expect(() => parseHfConfig('x/config.json', { ...ok, vocab_size: '10' })).to.throw(UserError, /"vocab_size" must be a number/);
  });
});
