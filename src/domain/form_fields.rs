//! What the written forms (cancellation, withdrawal) share: how a field is checked and its
//! problem recorded, and how dates are written in forms and the API.

use time::Date;

use super::{FieldError, PlainText, TextError};

/// Keeps a checked value, or records its problem: forms report every problem at once.
pub(super) fn keep<T>(errors: &mut Vec<FieldError>, checked: Result<T, FieldError>) -> Option<T> {
    checked.map_err(|e| errors.push(e)).ok()
}

/// A field the form cannot do without: missing, it is `missing_field` with `why`.
pub(super) fn required<T>(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    raw: Option<&str>,
    why: &str,
    check: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Option<T> {
    let checked = match raw {
        Some(raw) => check(raw),
        None => Err(FieldError::new(field, "missing_field", why)),
    };
    keep(errors, checked)
}

/// A field that may be left out or blank.
pub(super) fn optional<T>(
    errors: &mut Vec<FieldError>,
    raw: Option<&str>,
    check: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Option<T> {
    raw.filter(|v| !v.trim().is_empty())
        .and_then(|v| keep(errors, check(v)))
}

/// An optional comment. Nobody needs a password to leave; one typed here anyway is not kept.
pub(super) fn comment(errors: &mut Vec<FieldError>, raw: Option<&str>) -> Option<String> {
    optional(errors, raw, |v| plain("comment", v, 2000, "The comment"))
        .map(|c| super::secrets::mask(&c).0)
}

/// Free text of at most `max` characters, its problems worded with `label`.
pub(super) fn plain(
    field: &'static str,
    raw: &str,
    max: usize,
    label: &str,
) -> Result<String, FieldError> {
    let text = PlainText::parse(raw, max).map_err(|e| {
        let code = match e {
            TextError::Empty => "empty_field",
            TextError::TooLong { .. } => "field_too_long",
            TextError::ControlCharacters => "invalid_field",
        };
        FieldError::new(field, code, format!("{label} {e}."))
    })?;
    if text.as_str().contains(['<', '>']) {
        return Err(FieldError::new(
            field,
            "invalid_field",
            format!("{label} may not contain < or >."),
        ));
    }
    Ok(text.into_string())
}

/// `YYYY-MM-DD`, as forms and the API write dates.
pub fn iso_date(day: Date) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    day.format(&format).expect("a date formats")
}

/// Parses `YYYY-MM-DD`.
pub fn parse_iso_date(raw: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(raw.trim(), &format).ok()
}
