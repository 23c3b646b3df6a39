//! The element-wise and attention kernels of the forward pass, on plain slices.
//!
//! The matrix products are in [`super::packed`]; everything between them is written here
//! as straight loops over fixed-width chunks so LLVM vectorises them without `unsafe` or
//! nightly SIMD. Each kernel fuses what e5.c does in separate passes (bias + residual +
//! layer norm; bias + GELU; bias + attention) to touch each activation once.

use half::f16;

/// Lanes used for the chunked reductions; 16 keeps two AVX2 (or one AVX-512) register busy.
const LANES: usize = 16;

/// Sum with `LANES` independent accumulators, so the loop vectorises without fast-math.
#[inline]
pub fn sum(xs: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    let mut chunks = xs.chunks_exact(LANES);
    for c in &mut chunks {
        for (a, &x) in acc.iter_mut().zip(c) {
            *a += x;
        }
    }
    acc.iter().sum::<f32>() + chunks.remainder().iter().sum::<f32>()
}

/// Dot product with `LANES` independent accumulators.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    let mut ca = a.chunks_exact(LANES);
    let mut cb = b.chunks_exact(LANES);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for ((s, &x), &y) in acc.iter_mut().zip(x).zip(y) {
            *s += x * y;
        }
    }
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    acc.iter().sum::<f32>() + tail
}

/// Expands one row of Q4_0 blocks (18 bytes per 32 weights) into `out`.
///
/// Byte `j` of a block holds weight `j` in its low nibble and weight `j + 16` in its high
/// nibble; the value is `(nibble - 8) * d`, exactly as e5.c's `deq_row`.
pub fn dequantize_q4_0(blocks: &[u8], out: &mut [f32]) {
    for (block, o) in blocks.chunks_exact(18).zip(out.chunks_exact_mut(32)) {
        let d = f16::from_le_bytes([block[0], block[1]]).to_f32();
        let (lo, hi) = o.split_at_mut(16);
        for ((&q, l), h) in block[2..18].iter().zip(lo).zip(hi) {
            *l = (i32::from(q & 0x0F) - 8) as f32 * d;
            *h = (i32::from(q >> 4) - 8) as f32 * d;
        }
    }
}

/// In-place layer norm of one row: `(x - mean) / sqrt(var + eps) * w + b`.
#[inline]
pub fn layer_norm(row: &mut [f32], w: &[f32], b: &[f32], eps: f32) {
    let n = row.len() as f32;
    let mean = sum(row) / n;
    let mut acc = [0f32; LANES];
    let mut chunks = row.chunks_exact(LANES);
    for c in &mut chunks {
        for (a, &x) in acc.iter_mut().zip(c) {
            let d = x - mean;
            *a += d * d;
        }
    }
    let tail: f32 = chunks
        .remainder()
        .iter()
        .map(|&x| (x - mean) * (x - mean))
        .sum();
    let var = (acc.iter().sum::<f32>() + tail) / n;
    let inv = 1.0 / (var + eps).sqrt();
    for ((x, &w), &b) in row.iter_mut().zip(w).zip(b) {
        *x = (*x - mean) * inv * w + b;
    }
}

/// `x = layer_norm(x + y + bias)` for one row: the post-LN residual step of BERT.
#[inline]
pub fn residual_layer_norm(x: &mut [f32], y: &[f32], bias: &[f32], w: &[f32], b: &[f32], eps: f32) {
    for ((x, &y), &c) in x.iter_mut().zip(y).zip(bias) {
        *x += y + c;
    }
    layer_norm(x, w, b, eps);
}

/// erf for f32 as a rational function on [-4, 4] (Eigen's `generic_fast_erf_float`, also
/// used by XLA and TVM), accurate to a few ULP. Unlike libm's erff it has no branches or
/// calls, so the GELU loop vectorises; with libm the GELU alone cost more than a matmul.
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    // Coefficients as published (f64 literals), rounded once to f32.
    const A13: f32 = -2.726_142_258_013_06e-10_f64 as f32;
    const A11: f32 = 2.770_681_424_959_02e-8_f64 as f32;
    const A9: f32 = -2.101_024_020_825_08e-6_f64 as f32;
    const A7: f32 = -5.692_506_394_623_46e-5_f64 as f32;
    const A5: f32 = -7.349_906_303_268_55e-4_f64 as f32;
    const A3: f32 = -2.954_599_808_540_25e-3_f64 as f32;
    const A1: f32 = -1.609_603_332_624_15e-2_f64 as f32;
    const B8: f32 = -1.456_607_184_649_96e-5_f64 as f32;
    const B6: f32 = -2.133_740_552_789_05e-4_f64 as f32;
    const B4: f32 = -1.682_826_974_382_03e-3_f64 as f32;
    const B2: f32 = -7.373_329_167_204_68e-3_f64 as f32;
    const B0: f32 = -1.426_473_905_141_89e-2_f64 as f32;
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let p = ((((((A13 * x2 + A11) * x2 + A9) * x2 + A7) * x2 + A5) * x2 + A3) * x2) + A1;
    let q = (((B8 * x2 + B6) * x2 + B4) * x2 + B2) * x2 + B0;
    x * p / q
}

/// Exact (erf) GELU: `0.5 * x * (1 + erf(x / sqrt(2)))`.
#[inline(always)]
pub fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// `row = gelu(row + bias)`.
#[inline]
pub fn bias_gelu(row: &mut [f32], bias: &[f32]) {
    for (x, &b) in row.iter_mut().zip(bias) {
        *x = gelu(*x + b);
    }
}

/// Geometry of the fused QKV activations: each token row is `[q | k | v]`, `3 * hidden` wide.
#[derive(Debug, Clone, Copy)]
pub struct HeadLayout {
    pub hidden: usize,
    pub heads: usize,
    pub head_dim: usize,
}

/// Reusable buffers for one attention head, so the hot loop never allocates.
#[derive(Debug, Default)]
pub struct AttentionScratch {
    k_t: Vec<f32>,
    v: Vec<f32>,
    scores: Vec<f32>,
    q: Vec<f32>,
}

/// Softmax attention of head `h` over one sequence whose QKV rows are `qkv` (`len` rows of
/// `3 * hidden`, biases not yet added). Writes `len` rows of `head_dim` into `out` with row
/// stride `out_stride`.
///
/// K is gathered transposed (`[head_dim][len]`) so the score loop runs along keys, and V
/// row-major so the weighted sum runs along the head dimension: both inner loops are then
/// contiguous and vectorise, with no horizontal sums per key.
#[allow(clippy::too_many_arguments)]
pub fn attention_head(
    qkv: &[f32],
    len: usize,
    h: usize,
    layout: HeadLayout,
    bias: &[f32],
    scratch: &mut AttentionScratch,
    out: &mut [f32],
    out_stride: usize,
) {
    let HeadLayout {
        hidden, head_dim, ..
    } = layout;
    let row = 3 * hidden;
    let (q_off, k_off, v_off) = (
        h * head_dim,
        hidden + h * head_dim,
        2 * hidden + h * head_dim,
    );
    let scale = 1.0 / (head_dim as f32).sqrt();

    scratch.k_t.clear();
    scratch.k_t.resize(head_dim * len, 0.0);
    scratch.v.clear();
    scratch.v.reserve(head_dim * len);
    for j in 0..len {
        let base = j * row;
        let k = &qkv[base + k_off..base + k_off + head_dim];
        for (e, (&kv, &kb)) in k.iter().zip(&bias[k_off..k_off + head_dim]).enumerate() {
            scratch.k_t[e * len + j] = kv + kb;
        }
        let v = &qkv[base + v_off..base + v_off + head_dim];
        scratch.v.extend(
            v.iter()
                .zip(&bias[v_off..v_off + head_dim])
                .map(|(a, b)| a + b),
        );
    }
    scratch.scores.resize(len, 0.0);
    scratch.q.resize(head_dim, 0.0);

    for i in 0..len {
        let base = i * row;
        for ((q, &x), &b) in scratch
            .q
            .iter_mut()
            .zip(&qkv[base + q_off..base + q_off + head_dim])
            .zip(&bias[q_off..q_off + head_dim])
        {
            *q = (x + b) * scale;
        }
        let scores = &mut scratch.scores[..len];
        scores.fill(0.0);
        for (e, &qe) in scratch.q.iter().enumerate() {
            let k_row = &scratch.k_t[e * len..(e + 1) * len];
            for (s, &k) in scores.iter_mut().zip(k_row) {
                *s += qe * k;
            }
        }
        let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut total = 0.0;
        for s in scores.iter_mut() {
            *s = (*s - max).exp();
            total += *s;
        }
        let inv = 1.0 / total;
        let o = &mut out[i * out_stride..i * out_stride + head_dim];
        o.fill(0.0);
        for (&p, v) in scores.iter().zip(scratch.v.chunks_exact(head_dim)) {
            let p = p * inv;
            for (o, &v) in o.iter_mut().zip(v) {
                *o += p * v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_erf_matches_libm_to_a_few_ulp() {
        let mut worst = 0f64;
        for i in -6000..=6000 {
            let x = i as f32 / 1000.0;
            let reference = libm::erf(f64::from(x));
            worst = worst.max((f64::from(erf(x)) - reference).abs());
        }
        assert!(worst < 5e-7, "max |erf error| {worst}");
    }

    #[test]
    fn dequantizes_low_then_high_nibbles() {
        let mut block = [0u8; 18];
        block[..2].copy_from_slice(&f16::from_f32(0.5).to_le_bytes());
        block[2] = 0x9F; // weight 0: 15 - 8 = 7; weight 16: 9 - 8 = 1
        let mut out = [0f32; 32];
        dequantize_q4_0(&block, &mut out);
        assert_eq!(out[0], 3.5);
        assert_eq!(out[16], 0.5);
        assert_eq!(out[1], -4.0);
    }

    #[test]
    fn layer_norm_centres_and_scales() {
        let mut row: Vec<f32> = (0..20).map(|i| i as f32).collect();
        layer_norm(&mut row, &[1.0; 20], &[0.0; 20], 1e-12);
        assert!(sum(&row).abs() < 1e-4);
        let var = row.iter().map(|x| x * x).sum::<f32>() / 20.0;
        assert!((var - 1.0).abs() < 1e-4);
    }

    #[test]
    fn attention_of_one_token_returns_its_value() {
        let layout = HeadLayout {
            hidden: 4,
            heads: 2,
            head_dim: 2,
        };
        let qkv = [
            1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0,
        ];
        let bias = [0.0; 12];
        let mut out = [0f32; 4];
        let mut scratch = AttentionScratch::default();
        for h in 0..2 {
            attention_head(
                &qkv,
                1,
                h,
                layout,
                &bias,
                &mut scratch,
                &mut out[h * 2..],
                4,
            );
        }
        assert_eq!(out, [9.0, 10.0, 11.0, 12.0]);
    }

    #[test]
    fn attention_matches_a_naive_softmax() {
        let layout = HeadLayout {
            hidden: 4,
            heads: 1,
            head_dim: 4,
        };
        let len = 3;
        let qkv: Vec<f32> = (0..len * 12)
            .map(|i| ((i * 7) % 5) as f32 * 0.3 - 0.5)
            .collect();
        let bias: Vec<f32> = (0..12).map(|i| i as f32 * 0.01).collect();
        let mut out = vec![0f32; len * 4];
        attention_head(
            &qkv,
            len,
            0,
            layout,
            &bias,
            &mut AttentionScratch::default(),
            &mut out,
            4,
        );
        let get = |t: usize, part: usize, e: usize| qkv[t * 12 + part * 4 + e] + bias[part * 4 + e];
        for i in 0..len {
            let scores: Vec<f32> = (0..len)
                .map(|j| (0..4).map(|e| get(i, 0, e) * get(j, 1, e)).sum::<f32>() / 2.0)
                .collect();
            let m = scores.iter().copied().fold(f32::MIN, f32::max);
            let w: Vec<f32> = scores.iter().map(|s| (s - m).exp()).collect();
            let z: f32 = w.iter().sum();
            for e in 0..4 {
                let expected: f32 = (0..len).map(|j| w[j] / z * get(j, 2, e)).sum();
                assert!((out[i * 4 + e] - expected).abs() < 1e-5);
            }
        }
    }
}
