// One LoRA pair on one projection, as peft holds it (tuners/lora/layer.py): y = W·x + s·B·(A·x) with
// A [r, in], B [out, r] and s = alpha/r (rsLoRA: alpha/sqrt(r); rank_pattern/alpha_pattern per
// module). The runtime applies it unmerged; the trainer trains a and b in place.
export interface LoraPair {
  r: number;
  scaling: number;
  a: Float32Array; // [r, in]
  b: Float32Array; // [out, r]
  inFeatures: number;
  outFeatures: number;
}
