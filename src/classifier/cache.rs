//! Sentence vectors cached on disk by content hash, so `felsok train` and `felsok eval` embed
//! each example once and then run in seconds.
//!
//! The key hashes the encoder's fingerprint, the e5 prefix and the text, so a new encoder or a
//! changed example simply misses. The file is append-only: one header, then fixed-size records.

use std::collections::HashMap;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

const MAGIC: &[u8; 4] = b"FVC1";

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("vector cache {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("embedding failed: {0}")]
    Embed(String),
}

pub struct VectorCache {
    path: PathBuf,
    dim: usize,
    fingerprint: String,
    vectors: HashMap<[u8; 32], Vec<f32>>,
}

impl VectorCache {
    /// Opens (or starts) the cache at `path`. A file of another dimension, or one cut short
    /// by a crash, is read as far as it is whole.
    pub fn open(path: &Path, dim: usize, fingerprint: &str) -> Result<Self, CacheError> {
        let mut cache = Self {
            path: path.to_owned(),
            dim,
            fingerprint: fingerprint.to_owned(),
            vectors: HashMap::new(),
        };
        let Ok(file) = std::fs::File::open(path) else {
            return Ok(cache);
        };
        let mut reader = BufReader::new(file);
        let mut header = [0u8; 8];
        if reader.read_exact(&mut header).is_err()
            || &header[..4] != MAGIC
            || u32::from_le_bytes(header[4..8].try_into().expect("4 bytes")) as usize != dim
        {
            // Unusable: start over rather than fail a training run.
            let _ = std::fs::remove_file(path);
            return Ok(cache);
        }
        let mut record = vec![0u8; 32 + dim * 4];
        while reader.read_exact(&mut record).is_ok() {
            let key: [u8; 32] = record[..32].try_into().expect("32 bytes");
            let vector = record[32..]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
                .collect();
            cache.vectors.insert(key, vector);
        }
        Ok(cache)
    }

    fn key(&self, prefix: &str, text: &str) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(self.fingerprint.as_bytes());
        hasher.update([0]);
        hasher.update(prefix.as_bytes());
        hasher.update([0]);
        hasher.update(text.as_bytes());
        hasher.finalize().into()
    }

    pub fn len(&self) -> usize {
        self.vectors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vectors.is_empty()
    }

    /// The cached vector of `text`, if there is one.
    pub fn get(&self, prefix: &str, text: &str) -> Option<&[f32]> {
        self.vectors.get(&self.key(prefix, text)).map(Vec::as_slice)
    }

    /// Adds one vector, to memory and to the end of the file.
    pub fn put(&mut self, prefix: &str, text: &str, vector: &[f32]) -> Result<(), CacheError> {
        if vector.len() != self.dim {
            return Err(CacheError::Embed(format!(
                "a vector of {} numbers for a cache of {}",
                vector.len(),
                self.dim
            )));
        }
        let key = self.key(prefix, text);
        let mut file = self.appender()?;
        let mut bytes = Vec::with_capacity(32 + self.dim * 4);
        bytes.extend_from_slice(&key);
        for x in vector {
            bytes.extend_from_slice(&x.to_le_bytes());
        }
        file.write_all(&bytes).map_err(|source| CacheError::Io {
            path: self.path.clone(),
            source,
        })?;
        self.vectors.insert(key, vector.to_vec());
        Ok(())
    }

    /// The file opened for appending, created with its header first if it is new.
    fn appender(&self) -> Result<std::fs::File, CacheError> {
        if let Some(parent) = self.path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| CacheError::Io {
                path: parent.to_owned(),
                source,
            })?;
        }
        let io = |source| CacheError::Io {
            path: self.path.clone(),
            source,
        };
        if !self.path.exists() {
            // Header first, published atomically: two processes filling the cache at once
            // must never put a header after records.
            let tmp = self
                .path
                .with_extension(format!("tmp{}", std::process::id()));
            let mut header = MAGIC.to_vec();
            header.extend_from_slice(&(self.dim as u32).to_le_bytes());
            std::fs::write(&tmp, header).map_err(io)?;
            let _ = std::fs::hard_link(&tmp, &self.path);
            let _ = std::fs::remove_file(&tmp);
        }
        std::fs::OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(io)
    }

    /// Vectors for `texts`, embedding (in batches, reporting progress) only those not cached.
    pub fn get_or_embed(
        &mut self,
        prefix: &str,
        texts: &[&str],
        mut embed: impl FnMut(&[&str]) -> Result<Vec<Vec<f32>>, String>,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<Vec<Vec<f32>>, CacheError> {
        let keys: Vec<[u8; 32]> = texts.iter().map(|t| self.key(prefix, t)).collect();
        let mut missing: Vec<usize> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, key) in keys.iter().enumerate() {
            if !self.vectors.contains_key(key) && seen.insert(*key) {
                missing.push(i);
            }
        }
        if !missing.is_empty() {
            let io = |source| CacheError::Io {
                path: self.path.clone(),
                source,
            };
            let mut file = self.appender()?;
            let mut done = 0;
            for chunk in missing.chunks(64) {
                let batch: Vec<&str> = chunk.iter().map(|&i| texts[i]).collect();
                let vectors = embed(&batch).map_err(CacheError::Embed)?;
                // One write per chunk of whole records, so concurrent appenders interleave
                // records, never bytes.
                let mut bytes = Vec::with_capacity(chunk.len() * (32 + self.dim * 4));
                for (&i, vector) in chunk.iter().zip(vectors) {
                    bytes.extend_from_slice(&keys[i]);
                    for x in &vector {
                        bytes.extend_from_slice(&x.to_le_bytes());
                    }
                    self.vectors.insert(keys[i], vector);
                }
                file.write_all(&bytes).map_err(io)?;
                done += chunk.len();
                progress(done, missing.len());
            }
        }
        Ok(keys.iter().map(|k| self.vectors[k].clone()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_are_embedded_once_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.bin");
        let calls = std::cell::Cell::new(0);
        let embed = |texts: &[&str]| {
            calls.set(calls.get() + texts.len());
            Ok(texts.iter().map(|t| vec![t.len() as f32, 1.0]).collect())
        };
        let mut cache = VectorCache::open(&path, 2, "enc").unwrap();
        let first = cache
            .get_or_embed("query: ", &["hej", "nätet", "hej"], embed, |_, _| {})
            .unwrap();
        assert_eq!(first[0], vec![3.0, 1.0]);
        assert_eq!(first[2], first[0]);
        let mut reopened = VectorCache::open(&path, 2, "enc").unwrap();
        assert_eq!(reopened.len(), 2);
        let again = reopened
            .get_or_embed("query: ", &["nätet"], embed, |_, _| {})
            .unwrap();
        assert_eq!(again[0], vec!["nätet".len() as f32, 1.0]);
        assert_eq!(calls.get(), 2, "cached texts are not embedded again");
        // Another encoder fingerprint misses.
        let mut other = VectorCache::open(&path, 2, "other").unwrap();
        other
            .get_or_embed("query: ", &["hej"], embed, |_, _| {})
            .unwrap();
        assert_eq!(calls.get(), 3);
    }

    #[test]
    fn single_vectors_put_one_by_one_are_there_after_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("guides.bin");
        let mut cache = VectorCache::open(&path, 2, "enc").unwrap();
        assert_eq!(cache.get("passage: ", "Starta om routern"), None);
        cache
            .put("passage: ", "Starta om routern", &[0.5, 0.25])
            .unwrap();
        cache
            .put("query: ", "Starta om routern", &[1.0, 0.0])
            .unwrap();
        assert!(cache.put("query: ", "fel längd", &[1.0]).is_err());
        let reopened = VectorCache::open(&path, 2, "enc").unwrap();
        assert_eq!(
            reopened.get("passage: ", "Starta om routern"),
            Some(&[0.5, 0.25][..])
        );
        assert_eq!(
            reopened.get("query: ", "Starta om routern"),
            Some(&[1.0, 0.0][..])
        );
        assert_eq!(reopened.len(), 2);
    }
}
