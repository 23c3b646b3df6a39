//! Teaching the bot from the inbox: a message becomes a training example of an intent, or a
//! way customers put a guide's problem (a line of its `examples:`).

use crate::domain::Intent;
use crate::knowledge::GuideId;

/// What an editor teaches from a group of messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lesson {
    /// The messages are examples of this intent; `out_of_scope` marks them outside the bot's
    /// area. Takes effect with the next trained head.
    Intent(Intent),
    /// The messages are ways customers put this guide's problem: each becomes a line of its
    /// `examples:` (or of its translation's, for messages in the other language), live at once.
    Guide(GuideId),
}

/// Why a guide's examples could not be added to by hand-free editing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExamplesError {
    #[error("the guide has no front matter")]
    NoFrontMatter,
    /// `examples: [a, b]` on one line: the editor rewrites it as a list to teach it more.
    #[error("the guide writes its examples on one line; write them as a list, one a line")]
    Inline,
}

/// `source` with `texts` added to its `examples:` list (created if the guide has none), each
/// on a line of its own in the list's indentation, quoted so any words stay one string.
/// Texts the list already holds, in any case, are left out; `None` when nothing is new.
pub fn with_examples(
    source: &str,
    existing: &[String],
    texts: &[&str],
) -> Result<Option<String>, ExamplesError> {
    let mut seen: Vec<String> = existing.iter().map(|e| e.trim().to_lowercase()).collect();
    let mut new = Vec::new();
    for text in texts {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let key = text.to_lowercase();
        if !text.is_empty() && !seen.contains(&key) {
            seen.push(key);
            new.push(text);
        }
    }
    if new.is_empty() {
        return Ok(None);
    }
    let lines: Vec<&str> = source.lines().collect();
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        return Err(ExamplesError::NoFrontMatter);
    }
    let end = lines
        .iter()
        .skip(1)
        .position(|l| l.trim_end() == "---")
        .map(|i| i + 1)
        .ok_or(ExamplesError::NoFrontMatter)?;
    let key = lines[1..end]
        .iter()
        .position(|l| l.starts_with("examples:"))
        .map(|i| i + 1);
    let (insert_at, indent, header) = match key {
        Some(at) => {
            if !lines[at]["examples:".len()..].trim().is_empty() {
                return Err(ExamplesError::Inline);
            }
            // The list runs while lines are indented (or blank) inside the front matter.
            let mut last = at;
            let mut indent = "  ".to_owned();
            for (i, line) in lines.iter().enumerate().take(end).skip(at + 1) {
                if !line.starts_with([' ', '\t', '-']) && !line.trim().is_empty() {
                    break;
                }
                if let Some(dash) = line.find('-') {
                    if line[..dash].trim().is_empty() {
                        indent = line[..dash].to_owned();
                        last = i;
                    }
                }
            }
            (last + 1, indent, None)
        }
        None => (end, "  ".to_owned(), Some("examples:")),
    };
    let mut out: Vec<String> = lines[..insert_at].iter().map(|l| (*l).to_owned()).collect();
    out.extend(header.map(str::to_owned));
    out.extend(new.iter().map(|text| format!("{indent}- {}", quoted(text))));
    out.extend(lines[insert_at..].iter().map(|l| (*l).to_owned()));
    let mut joined = out.join("\n");
    if source.ends_with('\n') {
        joined.push('\n');
    }
    Ok(Some(joined))
}

/// A YAML double-quoted scalar.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUIDE: &str = "---\nid: x-sv\nexamples:\n  - nätet är nere\n  - inget internet\nsummary: S.\n---\n\n## Steg\nGör så.\n";

    #[test]
    fn new_ways_of_saying_it_join_the_list_quoted_and_once() {
        let existing = vec!["nätet är nere".to_owned(), "inget internet".to_owned()];
        let texts = [
            "Lampan blinkar \"rött\": [kortnummer borttaget]",
            "INGET internet",
            "  lampan   blinkar \"rött\": [kortnummer borttaget] ",
        ];
        let out = with_examples(GUIDE, &existing, &texts).unwrap().unwrap();
        assert_eq!(
            out,
            "---\nid: x-sv\nexamples:\n  - nätet är nere\n  - inget internet\n  - \"Lampan blinkar \\\"rött\\\": [kortnummer borttaget]\"\nsummary: S.\n---\n\n## Steg\nGör så.\n"
        );
        assert_eq!(
            with_examples(GUIDE, &existing, &["Nätet är NERE"]),
            Ok(None)
        );
    }

    #[test]
    fn a_guide_without_examples_gets_a_list_and_an_inline_list_is_refused() {
        let bare = "---\nid: x-sv\nsummary: S.\n---\nSteg\n";
        assert_eq!(
            with_examples(bare, &[], &["hjälp"]).unwrap().unwrap(),
            "---\nid: x-sv\nsummary: S.\nexamples:\n  - \"hjälp\"\n---\nSteg\n"
        );
        let inline = "---\nid: x-sv\nexamples: [a, b]\n---\n";
        assert_eq!(
            with_examples(inline, &[], &["c"]),
            Err(ExamplesError::Inline)
        );
        assert_eq!(
            with_examples("## no front matter", &[], &["c"]),
            Err(ExamplesError::NoFrontMatter)
        );
    }
}
