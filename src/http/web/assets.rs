//! The page files: built into the binary, or read from a folder during development.

use axum::body::Bytes;
use axum::http::HeaderValue;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

use super::Source;

/// One file as served.
#[derive(Debug, Clone)]
pub struct Asset {
    pub mime: &'static str,
    pub body: Bytes,
    pub etag: String,
}

impl Asset {
    fn new(name: &str, body: Bytes) -> Option<Self> {
        let mime = mime_of(name)?;
        let digest = Sha256::digest(&body);
        let etag = format!("\"{}\"", hex::encode(&digest[..12]));
        Some(Self { mime, body, etag })
    }

    pub fn matches(&self, if_none_match: Option<&HeaderValue>) -> bool {
        if_none_match
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|tag| tag.trim() == self.etag))
    }
}

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("assets/", $name)) as &[u8])),*]
    };
}

/// Every file the pages use. A file must be listed here to be served at all.
const FILES: &[(&str, &[u8])] = embedded![
    "chat.html",
    "agent.html",
    "editor.html",
    "widget.js",
    "common.js",
    "staff.js",
    "chat.js",
    "agent.js",
    "agent-strings.js",
    "editor.js",
    "editor-strings.js",
    "base.css",
    "chat.css",
    "agent.css",
    "editor.css",
    "favicon.svg",
];

static EMBEDDED: LazyLock<Vec<(&'static str, Asset)>> = LazyLock::new(|| {
    FILES
        .iter()
        .filter_map(|(name, bytes)| Some((*name, Asset::new(name, Bytes::from_static(bytes))?)))
        .collect()
});

/// The file called `name`, if it is one of ours.
pub async fn load(source: &Source, name: &str) -> Option<Asset> {
    if !FILES.iter().any(|(known, _)| *known == name) {
        return None;
    }
    match source {
        Source::Embedded => EMBEDDED
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, asset)| asset.clone()),
        Source::Folder(dir) => {
            let body = tokio::fs::read(dir.join(name)).await.ok()?;
            Asset::new(name, Bytes::from(body))
        }
    }
}

fn mime_of(name: &str) -> Option<&'static str> {
    let (_, ext) = name.rsplit_once('.')?;
    Some(match ext {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_file_has_a_type() {
        for (name, _) in FILES {
            assert!(mime_of(name).is_some(), "{name}");
        }
    }

    #[tokio::test]
    async fn only_listed_files_are_served() {
        let source = Source::Folder(std::path::PathBuf::from("src/http/web/assets"));
        assert!(load(&source, "chat.js").await.is_some());
        assert!(load(&source, "../mod.rs").await.is_none());
        assert!(load(&Source::Embedded, "mod.rs").await.is_none());
    }

    #[test]
    fn an_unchanged_file_revalidates() {
        let asset = Asset::new("a.css", Bytes::from_static(b"body{}")).unwrap();
        let tag = HeaderValue::from_str(&format!("W/\"x\", {}", asset.etag)).unwrap();
        assert!(asset.matches(Some(&tag)));
        assert!(!asset.matches(Some(&HeaderValue::from_static("\"other\""))));
        assert!(!asset.matches(None));
    }
}
