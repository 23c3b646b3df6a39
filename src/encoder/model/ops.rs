//! candle custom ops wrapping the fused kernels.
//!
//! Running the kernels as candle `InplaceOp`/`CustomOp`s keeps activations in candle tensors
//! between the products (no copies in or out) while the kernels themselves mutate the
//! storage in place. Each op runs on the calling thread unless `parallel` is set: a batch is
//! already spread over the cores one group of sequences per thread (see
//! [`super::E5Model::forward_packed`]), so only a lone large group splits its row-wise work.

use super::kernels::{self, AttentionScratch, HeadLayout};
use candle_core::backend::BackendStorage;
use candle_core::{bail, CpuStorage, CustomOp1, InplaceOp1, InplaceOp2, Layout, Result, Shape};
use rayon::prelude::*;
use std::ops::Range;

/// Fewer rows than this run on the calling thread.
const PAR_MIN_ROWS: usize = 32;

fn f32_slice<'a>(storage: &'a CpuStorage, layout: &Layout) -> Result<&'a [f32]> {
    let CpuStorage::F32(data) = storage else {
        bail!("expected an f32 tensor, got {:?}", storage.dtype())
    };
    match layout.contiguous_offsets() {
        Some((start, end)) => Ok(&data[start..end]),
        None => bail!("expected a contiguous tensor"),
    }
}

fn f32_slice_mut<'a>(storage: &'a mut CpuStorage, layout: &Layout) -> Result<&'a mut [f32]> {
    let dtype = storage.dtype();
    let CpuStorage::F32(data) = storage else {
        bail!("expected an f32 tensor, got {dtype:?}")
    };
    match layout.contiguous_offsets() {
        Some((start, end)) => Ok(&mut data[start..end]),
        None => bail!("expected a contiguous tensor"),
    }
}

/// Rows per rayon task: about four tasks per thread, for load balance.
fn rows_per_task(rows: usize) -> usize {
    rows.div_ceil(4 * rayon::current_num_threads()).max(8)
}

/// `x = layer_norm(x + y + bias)` row by row (BERT's post-LN residual).
pub(crate) struct ResidualLayerNorm<'a> {
    pub parallel: bool,
    pub bias: &'a [f32],
    pub weight: &'a [f32],
    pub beta: &'a [f32],
    pub eps: f32,
}

impl InplaceOp2 for ResidualLayerNorm<'_> {
    fn name(&self) -> &'static str {
        "e5-residual-layer-norm"
    }

    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<()> {
        let x = f32_slice_mut(s1, l1)?;
        let y = f32_slice(s2, l2)?;
        let h = self.weight.len();
        if x.len() != y.len() || !x.len().is_multiple_of(h) {
            bail!(
                "residual layer norm: {} vs {} values, hidden {h}",
                x.len(),
                y.len()
            )
        }
        let rows = x.len() / h;
        let run = |x: &mut [f32], y: &[f32]| {
            for (xr, yr) in x.chunks_exact_mut(h).zip(y.chunks_exact(h)) {
                kernels::residual_layer_norm(xr, yr, self.bias, self.weight, self.beta, self.eps);
            }
        };
        if !self.parallel || rows < PAR_MIN_ROWS {
            run(x, y);
        } else {
            let chunk = rows_per_task(rows) * h;
            x.par_chunks_mut(chunk)
                .zip(y.par_chunks(chunk))
                .for_each(|(x, y)| run(x, y));
        }
        Ok(())
    }
}

/// `x = gelu(x + bias)` row by row.
pub(crate) struct BiasGelu<'a> {
    pub parallel: bool,
    pub bias: &'a [f32],
}

impl InplaceOp1 for BiasGelu<'_> {
    fn name(&self) -> &'static str {
        "e5-bias-gelu"
    }

    fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout) -> Result<()> {
        let x = f32_slice_mut(storage, layout)?;
        let w = self.bias.len();
        if !x.len().is_multiple_of(w) {
            bail!("bias gelu: {} values, width {w}", x.len())
        }
        let rows = x.len() / w;
        let run = |x: &mut [f32]| {
            for row in x.chunks_exact_mut(w) {
                kernels::bias_gelu(row, self.bias);
            }
        };
        if !self.parallel || rows < PAR_MIN_ROWS {
            run(x);
        } else {
            x.par_chunks_mut(rows_per_task(rows) * w).for_each(run);
        }
        Ok(())
    }
}

/// Multi-head self-attention over packed sequences, reading fused `[q | k | v]` rows and
/// adding their biases on the fly. Each sequence attends only to its own tokens, so a batch
/// needs no padding and no mask.
pub(crate) struct PackedAttention<'a> {
    pub parallel: bool,
    pub sequences: &'a [Range<usize>],
    pub bias: &'a [f32],
    pub layout: HeadLayout,
}

impl CustomOp1 for PackedAttention<'_> {
    fn name(&self) -> &'static str {
        "e5-packed-attention"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let qkv = f32_slice(storage, layout)?;
        let HeadLayout {
            hidden,
            heads,
            head_dim,
        } = self.layout;
        let row = 3 * hidden;
        let tokens = self.sequences.last().map_or(0, |r| r.end);
        if qkv.len() != tokens * row {
            bail!(
                "attention: {} values for {tokens} tokens of width {row}",
                qkv.len()
            )
        }
        let mut ctx = vec![0f32; tokens * hidden];
        let threads = rayon::current_num_threads();

        if !self.parallel {
            let mut scratch = AttentionScratch::default();
            for r in self.sequences {
                let src = &qkv[r.start * row..r.end * row];
                let out = &mut ctx[r.start * hidden..r.end * hidden];
                for h in 0..heads {
                    kernels::attention_head(
                        src,
                        r.len(),
                        h,
                        self.layout,
                        self.bias,
                        &mut scratch,
                        &mut out[h * head_dim..],
                        hidden,
                    );
                }
            }
        } else if self.sequences.len() >= 2 * threads {
            // Many sequences: one task per sequence, writing its own rows directly.
            let mut parts = Vec::with_capacity(self.sequences.len());
            let mut rest = ctx.as_mut_slice();
            for r in self.sequences {
                let (part, tail) = rest.split_at_mut(r.len() * hidden);
                parts.push((r.clone(), part));
                rest = tail;
            }
            parts
                .into_par_iter()
                .for_each_init(AttentionScratch::default, |scratch, (r, out)| {
                    let src = &qkv[r.start * row..r.end * row];
                    for h in 0..heads {
                        kernels::attention_head(
                            src,
                            r.len(),
                            h,
                            self.layout,
                            self.bias,
                            scratch,
                            &mut out[h * head_dim..],
                            hidden,
                        );
                    }
                });
        } else {
            // Few sequences (a single query): split by head instead, then scatter.
            let jobs: Vec<(usize, usize)> = (0..self.sequences.len())
                .flat_map(|s| (0..heads).map(move |h| (s, h)))
                .collect();
            let results: Vec<Vec<f32>> = jobs
                .par_iter()
                .map_init(AttentionScratch::default, |scratch, &(s, h)| {
                    let r = &self.sequences[s];
                    let mut out = vec![0f32; r.len() * head_dim];
                    kernels::attention_head(
                        &qkv[r.start * row..r.end * row],
                        r.len(),
                        h,
                        self.layout,
                        self.bias,
                        scratch,
                        &mut out,
                        head_dim,
                    );
                    out
                })
                .collect();
            for (&(s, h), out) in jobs.iter().zip(&results) {
                let r = &self.sequences[s];
                for (t, src) in r.clone().zip(out.chunks_exact(head_dim)) {
                    let dst = t * hidden + h * head_dim;
                    ctx[dst..dst + head_dim].copy_from_slice(src);
                }
            }
        }
        Ok((CpuStorage::F32(ctx), Shape::from((tokens, hidden))))
    }
}
