//! Products of a few tokens with the linear weights kept packed in Q4_0.
//!
//! One customer message is 5–40 tokens. For so few rows the f32 product is bound by memory:
//! every message streams all 85 MB of expanded linear weights from DRAM, because they do not
//! fit in the last-level cache. Packed, the same weights take 14 MB and stay cached between
//! messages. Each block of 32 weights is expanded in registers, once per tile of up to eight
//! tokens, and multiplied with f32 activations into f32 sums. The weights are exactly the f32
//! values the expanded matrices hold (a 4-bit integer times an f16 scale is exact in f32), so
//! results differ from the f32 product only in the order of the additions.
//!
//! The kernel needs AVX2 and FMA, checked at run time through `pulp`'s safe target-feature
//! tokens; without them [`PackedQ4::product`] returns `None` and the caller uses the f32 path.

use pulp::x86::V3;
use pulp::{f32x8, u8x16, Simd};
use rayon::prelude::*;

use super::kernels::dequantize_q4_0;
use crate::encoder::layout::{Q4_0_BLOCK_BYTES, Q4_0_BLOCK_LEN};

/// Tokens that share one expansion of a weight block. Eight accumulators plus four expanded
/// weight vectors fit the sixteen AVX2 registers.
const TILE: usize = 8;

/// A `[rows, cols]` Q4_0 matrix split into scales (as f32) and nibbles, block by block.
pub struct PackedQ4 {
    rows: usize,
    cols: usize,
    scales: Vec<f32>,
    nibbles: Vec<[u8; 16]>,
}

impl std::fmt::Debug for PackedQ4 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PackedQ4")
            .field("rows", &self.rows)
            .field("cols", &self.cols)
            .finish_non_exhaustive()
    }
}

impl PackedQ4 {
    /// Reads ggml Q4_0 blocks (`rows * cols / 32` of them, row-major). Returns `None` if the
    /// byte count does not fit the shape.
    pub fn from_blocks(bytes: &[u8], rows: usize, cols: usize) -> Option<Self> {
        if !cols.is_multiple_of(Q4_0_BLOCK_LEN)
            || bytes.len() != rows * cols / Q4_0_BLOCK_LEN * Q4_0_BLOCK_BYTES
        {
            return None;
        }
        let blocks = bytes.chunks_exact(Q4_0_BLOCK_BYTES);
        let scales = blocks
            .clone()
            .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect();
        let nibbles = blocks
            .map(|b| {
                let mut q = [0u8; 16];
                q.copy_from_slice(&b[2..]);
                q
            })
            .collect();
        Some(Self {
            rows,
            cols,
            scales,
            nibbles,
        })
    }

    /// Stacks matrices with the same number of columns (Q, K and V into one QKV).
    pub fn stack(parts: &[Self]) -> Option<Self> {
        let cols = parts.first()?.cols;
        if parts.iter().any(|p| p.cols != cols) {
            return None;
        }
        Some(Self {
            rows: parts.iter().map(|p| p.rows).sum(),
            cols,
            scales: parts
                .iter()
                .flat_map(|p| p.scales.iter().copied())
                .collect(),
            nibbles: parts
                .iter()
                .flat_map(|p| p.nibbles.iter().copied())
                .collect(),
        })
    }

    /// Output rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The matrix expanded to f32, row-major (what the f32 path multiplies with).
    pub fn to_f32(&self) -> Vec<f32> {
        let mut block = [0u8; Q4_0_BLOCK_BYTES];
        let mut out = vec![0f32; self.rows * self.cols];
        for ((d, q), o) in self
            .scales
            .iter()
            .zip(&self.nibbles)
            .zip(out.chunks_exact_mut(Q4_0_BLOCK_LEN))
        {
            block[..2].copy_from_slice(&half::f16::from_f32(*d).to_le_bytes());
            block[2..].copy_from_slice(q);
            dequantize_q4_0(&block, o);
        }
        out
    }

    /// `x[tokens, cols] @ selfᵀ` as a `[tokens, rows]` row-major matrix, with the output rows
    /// divided into `split` contiguous parts run on the rayon pool. `None` without AVX2/FMA.
    pub fn product(&self, x: &[f32], tokens: usize, split: usize) -> Option<Vec<f32>> {
        let simd = V3::try_new()?;
        assert_eq!(
            x.len(),
            tokens * self.cols,
            "activations do not fit the matrix"
        );
        let padded_tokens = tokens.div_ceil(TILE) * TILE;
        let mut xs = vec![0f32; padded_tokens * self.cols];
        xs[..x.len()].copy_from_slice(x);
        // Transposed output (`[rows, padded_tokens]`) so each part writes one contiguous run.
        let mut yt = vec![0f32; self.rows * padded_tokens];
        let part_rows = self.rows.div_ceil(split.max(1));
        yt.par_chunks_mut(part_rows * padded_tokens)
            .enumerate()
            .for_each(|(i, out)| {
                simd.vectorize(|| self.rows_kernel(simd, i * part_rows, &xs, padded_tokens, out));
            });
        let mut y = vec![0f32; tokens * self.rows];
        for (r, row) in yt.chunks_exact(padded_tokens).enumerate() {
            for (t, &v) in row[..tokens].iter().enumerate() {
                y[t * self.rows + r] = v;
            }
        }
        Some(y)
    }

    /// Fills `out` (`[n, tokens]`, rows `first..first + n`) with the transposed product.
    #[inline(always)]
    fn rows_kernel(&self, simd: V3, first: usize, xs: &[f32], tokens: usize, out: &mut [f32]) {
        let per_row = self.cols / Q4_0_BLOCK_LEN;
        let xs: &[[f32; Q4_0_BLOCK_LEN]] = pulp::as_arrays::<Q4_0_BLOCK_LEN, f32>(xs).0;
        let low = pulp::cast::<u8x16, _>(u8x16(
            15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
        ));
        let eight = simd.avx._mm256_set1_epi32(8);
        for (r, out) in out.chunks_exact_mut(tokens).enumerate() {
            let row = (first + r) * per_row;
            let scales = &self.scales[row..row + per_row];
            let nibbles = &self.nibbles[row..row + per_row];
            for (tile, out) in out.chunks_exact_mut(TILE).enumerate() {
                let mut acc = [simd.splat_f32x8(0.0); TILE];
                for (b, (&d, q)) in scales.iter().zip(nibbles).enumerate() {
                    let d = simd.avx._mm256_set1_ps(d);
                    let q = pulp::cast::<[u8; 16], _>(*q);
                    let lo = simd.sse2._mm_and_si128(q, low);
                    let hi = simd
                        .sse2
                        ._mm_and_si128(simd.sse2._mm_srli_epi16::<4>(q), low);
                    let expand = |v| {
                        let ints = simd
                            .avx2
                            ._mm256_sub_epi32(simd.avx2._mm256_cvtepu8_epi32(v), eight);
                        pulp::cast::<_, f32x8>(
                            simd.avx._mm256_mul_ps(simd.avx._mm256_cvtepi32_ps(ints), d),
                        )
                    };
                    let w = [
                        expand(lo),
                        expand(simd.sse2._mm_srli_si128::<8>(lo)),
                        expand(hi),
                        expand(simd.sse2._mm_srli_si128::<8>(hi)),
                    ];
                    for (t, acc) in acc.iter_mut().enumerate() {
                        let x = &xs[(tile * TILE + t) * per_row + b];
                        let x: [f32x8; 4] = pulp::cast(*x);
                        let mut a = *acc;
                        for (x, w) in x.into_iter().zip(w) {
                            a = simd.mul_add_f32x8(x, w, a);
                        }
                        *acc = a;
                    }
                }
                for (o, acc) in out.iter_mut().zip(acc) {
                    *o = simd.reduce_sum_f32s(acc);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random_blocks(rows: usize, cols: usize, seed: u32) -> Vec<u8> {
        let mut state = seed;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        };
        let mut bytes = Vec::new();
        for _ in 0..rows * cols / Q4_0_BLOCK_LEN {
            let scale = (next() % 1000) as f32 / 20_000.0;
            bytes.extend_from_slice(&half::f16::from_f32(scale).to_le_bytes());
            bytes.extend((0..16).map(|_| next() as u8));
        }
        bytes
    }

    #[test]
    fn packed_product_matches_the_f32_product() {
        let (rows, cols) = (40, 96);
        let w = PackedQ4::from_blocks(&random_blocks(rows, cols, 7), rows, cols).unwrap();
        let dense = w.to_f32();
        for tokens in [1, 7, 8, 13] {
            let x: Vec<f32> = (0..tokens * cols)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) / 25.0)
                .collect();
            let Some(y) = w.product(&x, tokens, 3) else {
                return; // no AVX2 on this machine: the f32 path is used instead
            };
            for t in 0..tokens {
                for r in 0..rows {
                    let expected: f32 = (0..cols)
                        .map(|i| x[t * cols + i] * dense[r * cols + i])
                        .sum();
                    let got = y[t * rows + r];
                    assert!(
                        (got - expected).abs() <= 1e-4 * (1.0 + expected.abs()),
                        "token {t}, row {r}: {got} vs {expected}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_shape_the_bytes_do_not_fill_is_refused() {
        assert!(PackedQ4::from_blocks(&[0; 18], 2, 32).is_none());
        assert!(PackedQ4::from_blocks(&[0; 18], 1, 16).is_none());
        let a = PackedQ4::from_blocks(&[0; 18], 1, 32).unwrap();
        let b = PackedQ4::from_blocks(&[0; 36], 1, 64).unwrap();
        assert!(PackedQ4::stack(&[a, b]).is_none());
    }
}
