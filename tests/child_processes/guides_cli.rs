//! `felsok guides check|import|export` and `felsok token create|list|revoke`, run as editors and
//! admins run them.

use std::path::Path;
use std::process::{Command, Output};

fn felsok(args: &[&str], database_url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_felsok"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RUST_LOG", "warn")
        .env("FELSOK_CACHE_DIR", crate::common::TEST_CACHE_DIR)
        .env("DATABASE_URL", database_url)
        .output()
        .expect("felsok runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn check_passes_the_committed_guides_and_names_file_line_and_problem_otherwise() {
    let work = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", work.path().join("db.sqlite").display());
    let ok = felsok(&["guides", "check"], &url);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("74 guides OK"), "{}", text(&ok));

    let dir = work.path().join("guides");
    std::fs::create_dir(&dir).unwrap();
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge/guides");
    let source = std::fs::read_to_string(committed.join("router-restart-sv.md")).unwrap();
    std::fs::write(
        dir.join("router-restart-sv.md"),
        source.replace("on_failure: handoff:technical", "on_failure: handoff:sales"),
    )
    .unwrap();
    let bad = felsok(&["guides", "check", dir.to_str().unwrap()], &url);
    assert!(!bad.status.success());
    let report = text(&bad);
    assert!(report.contains("router-restart-sv.md: line"), "{report}");
    assert!(report.contains("unknown queue \"sales\""), "{report}");
    // Only the Swedish guide is there: its English counterpart is reported missing.
    std::fs::write(dir.join("router-restart-sv.md"), &source).unwrap();
    let lonely = felsok(&["guides", "check", dir.to_str().unwrap()], &url);
    assert!(!lonely.status.success());
    assert!(
        text(&lonely).contains("its translation router-restart-en does not exist"),
        "{}",
        text(&lonely)
    );
}

/// The shipped company profile with every fact set.
fn profile_with_everything_set() -> String {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge/company.yaml");
    let mut section = "";
    std::fs::read_to_string(shipped)
        .unwrap()
        .lines()
        .map(|line| {
            if !line.is_empty() && !line.starts_with([' ', '#']) {
                section = line.split(':').next().unwrap_or_default();
            }
            match line.split_once(": null") {
                Some((key, _)) if section == "links" => {
                    format!("{key}: https://www.operatoren.se/{}", key.trim())
                }
                Some((key, _)) => format!("{key}: \"{} hos operatören\"", key.trim()),
                None => line.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn check_refuses_placeholder_addresses_and_unknown_names_and_lists_unset_facts() {
    let work = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", work.path().join("db.sqlite").display());
    // The shipped profile sets nothing: the check passes and says what customers miss.
    let ok = felsok(&["guides", "check"], &url);
    let report = text(&ok);
    assert!(ok.status.success(), "{report}");
    assert!(
        report.contains("Notice: the company profile knowledge/company.yaml leaves 12 facts")
            && report.contains("customers see these steps without them"),
        "{report}"
    );
    assert!(
        report.contains("  my_pages (named in 36 guides)"),
        "{report}"
    );
    assert!(
        report.contains("  incoming_mail_server (named in 2 guides)"),
        "{report}"
    );
    // Everything set: nothing to notice.
    let profile = work.path().join("company.yaml");
    std::fs::write(&profile, profile_with_everything_set()).unwrap();
    let set = felsok(
        &[
            "guides",
            "check",
            "--company-profile",
            profile.to_str().unwrap(),
        ],
        &url,
    );
    assert!(set.status.success(), "{}", text(&set));
    assert!(!text(&set).contains("Notice"), "{}", text(&set));

    // A placeholder address and a name the profile does not declare fail the check.
    let dir = work.path().join("guides");
    std::fs::create_dir(&dir).unwrap();
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge/guides");
    for (id, from, to) in [
        (
            "router-restart-sv",
            "link: outages",
            "link: https://www.example.se/driftstorningar",
        ),
        ("router-restart-en", "link: outages", "link: outage_map"),
    ] {
        let source = std::fs::read_to_string(committed.join(format!("{id}.md"))).unwrap();
        assert!(source.contains(from), "{id}");
        std::fs::write(dir.join(format!("{id}.md")), source.replace(from, to)).unwrap();
    }
    let bad = felsok(&["guides", "check", dir.to_str().unwrap()], &url);
    assert!(!bad.status.success());
    let report = text(&bad);
    assert!(
        report.contains("router-restart-sv.md: line 74: www.example.se is a placeholder address"),
        "{report}"
    );
    assert!(
        report.contains("router-restart-en.md: line 74: link: the company profile declares no link named outage_map"),
        "{report}"
    );
    // A profile named but missing is an error of its own.
    let missing = work.path().join("nowhere.yaml");
    let refused = felsok(
        &[
            "guides",
            "check",
            "--company-profile",
            missing.to_str().unwrap(),
        ],
        &url,
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("does not exist"),
        "{}",
        text(&refused)
    );
}

#[test]
fn import_then_export_gives_back_the_same_files_and_tokens_are_printed_once() {
    let work = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", work.path().join("db.sqlite").display());
    let imported = felsok(&["guides", "import"], &url);
    assert!(imported.status.success(), "{}", text(&imported));
    assert!(
        text(&imported).contains("74 guides saved"),
        "{}",
        text(&imported)
    );
    let again = felsok(&["guides", "import"], &url);
    assert!(text(&again).contains("0 guides saved"), "{}", text(&again));

    let out = work.path().join("export");
    let exported = felsok(&["guides", "export", out.to_str().unwrap()], &url);
    assert!(exported.status.success(), "{}", text(&exported));
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge/guides");
    for entry in std::fs::read_dir(&committed).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            std::fs::read_to_string(out.join(name)).unwrap(),
            "{name:?}"
        );
    }

    let token = felsok(
        &["token", "create", "--role", "editor", "--name", "Eva"],
        &url,
    );
    assert!(token.status.success(), "{}", text(&token));
    let printed = String::from_utf8_lossy(&token.stdout).trim().to_owned();
    assert_eq!(printed.len(), 43, "a 256-bit token in base64url");
    let refused = felsok(
        &["token", "create", "--role", "owner", "--name", "Eva"],
        &url,
    );
    assert!(!refused.status.success());

    // Listing shows who holds what, never the secret; revoking works once.
    let listed = felsok(&["token", "list"], &url);
    let listing = String::from_utf8_lossy(&listed.stdout).to_string();
    let line = listing
        .lines()
        .find(|l| l.contains("Eva"))
        .expect("Eva listed");
    assert!(
        line.contains("editor") && line.ends_with("active"),
        "{line}"
    );
    assert!(
        !listing.contains(&printed),
        "the token itself is never shown"
    );
    let id = line.split('\t').next().unwrap();
    let revoked = felsok(&["token", "revoke", "--id", id], &url);
    assert!(revoked.status.success(), "{}", text(&revoked));
    let listed = felsok(&["token", "list"], &url);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("\trevoked "));
    let twice = felsok(&["token", "revoke", "--id", id], &url);
    assert!(!twice.status.success());
    assert!(text(&twice).contains("no active token"), "{}", text(&twice));
}
