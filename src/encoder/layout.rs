//! The tensor layout of the e5-small encoder: names, shapes and storage types.
//!
//! The package's binary derives every shape from the tensor *name* (its directory stores only
//! an element count), so the importer and the model loader must agree on one table. Keeping
//! that table here, in one place, is what lets the importer reject a file whose directory does
//! not describe exactly this network, and lets the loader trust `encoder.gguf` afterwards.
//! The names are e5.c's own, so a tensor can be traced back to the reference engine.

/// Number of weights in one Q4_0 block.
pub const Q4_0_BLOCK_LEN: usize = 32;
/// Bytes in one Q4_0 block: an f16 scale followed by 16 bytes of packed nibbles.
pub const Q4_0_BLOCK_BYTES: usize = 18;

/// How a tensor is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageType {
    /// Little-endian IEEE 754 single precision.
    F32,
    /// ggml's Q4_0: blocks of 32 weights sharing one f16 scale.
    Q4_0,
}

impl StorageType {
    /// Bytes needed for `elements` values, or `None` if the count cannot be stored in this
    /// type (Q4_0 needs whole blocks) or overflows.
    pub fn byte_len(self, elements: usize) -> Option<usize> {
        match self {
            Self::F32 => elements.checked_mul(4),
            Self::Q4_0 => {
                if !elements.is_multiple_of(Q4_0_BLOCK_LEN) {
                    return None;
                }
                (elements / Q4_0_BLOCK_LEN).checked_mul(Q4_0_BLOCK_BYTES)
            }
        }
    }
}

/// The dimensions that fix every tensor shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dims {
    pub hidden: usize,
    pub layers: usize,
    pub intermediate: usize,
    pub vocab_rows: usize,
    pub max_positions: usize,
    pub type_vocab: usize,
}

/// One expected tensor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorSpec {
    pub name: String,
    pub storage: StorageType,
    /// Row-major shape; linear weights are `[out, in]` as in PyTorch.
    pub shape: Vec<usize>,
}

impl TensorSpec {
    fn new(name: String, storage: StorageType, shape: Vec<usize>) -> Self {
        Self {
            name,
            storage,
            shape,
        }
    }

    /// Product of the shape.
    pub fn elements(&self) -> usize {
        self.shape.iter().product()
    }
}

/// Names of the six linear layers of one encoder block, in e5.c's order.
pub const LINEARS: [&str; 6] = ["q", "k", "v", "ao", "fi", "fo"];

/// Name of a per-layer tensor, e.g. `layer_tensor(3, "fi.w") == "l3.fi.w"`.
pub fn layer_tensor(layer: usize, suffix: &str) -> String {
    format!("l{layer}.{suffix}")
}

/// Every tensor of the network, in the order e5.c's converter writes them.
pub fn expected_tensors(d: &Dims) -> Vec<TensorSpec> {
    use StorageType::{F32, Q4_0};
    let h = d.hidden;
    let mut specs = vec![
        TensorSpec::new("emb.word".into(), Q4_0, vec![d.vocab_rows, h]),
        TensorSpec::new("emb.pos".into(), F32, vec![d.max_positions, h]),
        TensorSpec::new("emb.type".into(), F32, vec![d.type_vocab, h]),
        TensorSpec::new("emb.ln.w".into(), F32, vec![h]),
        TensorSpec::new("emb.ln.b".into(), F32, vec![h]),
    ];
    for l in 0..d.layers {
        for lin in LINEARS {
            let (out, inp) = match lin {
                "fi" => (d.intermediate, h),
                "fo" => (h, d.intermediate),
                _ => (h, h),
            };
            specs.push(TensorSpec::new(
                layer_tensor(l, &format!("{lin}.w")),
                Q4_0,
                vec![out, inp],
            ));
            specs.push(TensorSpec::new(
                layer_tensor(l, &format!("{lin}.b")),
                F32,
                vec![out],
            ));
            let norm = match lin {
                "ao" => Some("aln"),
                "fo" => Some("oln"),
                _ => None,
            };
            if let Some(norm) = norm {
                for p in ["w", "b"] {
                    specs.push(TensorSpec::new(
                        layer_tensor(l, &format!("{norm}.{p}")),
                        F32,
                        vec![h],
                    ));
                }
            }
        }
    }
    specs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e5_small_has_the_197_tensors_of_the_package_directory() {
        let dims = Dims {
            hidden: 384,
            layers: 12,
            intermediate: 1536,
            vocab_rows: 250_037,
            max_positions: 512,
            type_vocab: 2,
        };
        let specs = expected_tensors(&dims);
        assert_eq!(specs.len(), 197);
        assert_eq!(specs[0].elements(), 96_014_208);
        assert_eq!(specs[5].name, "l0.q.w");
        assert_eq!(specs.last().map(|s| s.name.as_str()), Some("l11.oln.b"));
    }

    #[test]
    fn q4_0_sizes_need_whole_blocks() {
        assert_eq!(StorageType::Q4_0.byte_len(64), Some(36));
        assert_eq!(StorageType::Q4_0.byte_len(33), None);
        assert_eq!(StorageType::F32.byte_len(3), Some(12));
    }
}
