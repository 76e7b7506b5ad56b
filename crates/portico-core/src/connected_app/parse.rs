//! Reading an [`AppInput`] from untrusted JSON so that every unknown or mistyped field is
//! reported at once, each by its JSON path (issue 3: "validation errors that name each bad field,
//! all of them at once").

use serde_json::Value;

use super::input::{AppInput, FieldError};

/// Reads the input from JSON, reporting every unknown or mistyped field at once: each failure is
/// recorded with its path, the offending value is removed, and parsing starts again (bounded, as
/// each round removes one value). Returns what could be read, without the bad values, so that the
/// rest can still be validated, and the errors.
pub fn parse_app_input(mut json: Value) -> (Option<AppInput>, Vec<FieldError>) {
    let mut errors = Vec::new();
    // Array elements removed so far (array path, index at removal), to report later elements of
    // the same array by their original index.
    let mut removed: Vec<(Vec<Segment>, usize)> = Vec::new();
    if !json.is_object() {
        errors.push(FieldError::invalid(
            "(body)",
            "a connected app must be a JSON object",
        ));
        return (None, errors);
    }
    for _ in 0..64 {
        match serde_path_to_error::deserialize::<_, AppInput>(&json) {
            Ok(input) => return (Some(input), errors),
            Err(e) => {
                let inner = e.inner().to_string();
                let mut segments: Vec<Segment> = e.path().iter().map(Segment::from).collect();
                // An unknown field is reported at its parent; serde names it in the message.
                if let Some(name) = unknown_field_name(&inner)
                    && segments
                        .last()
                        .is_none_or(|s| *s != Segment::Key(name.clone()))
                {
                    segments.push(Segment::Key(name));
                }
                let field = path_text(&original_indexes(&segments, &removed));
                let message = if inner.starts_with("unknown field") {
                    format!("`{field}` is not a field of a connected app")
                } else {
                    format!("{field}: {inner}")
                };
                errors.push(FieldError::invalid(field, message));
                if let Some((Segment::Index(i), parent)) = segments.split_last() {
                    removed.push((parent.to_vec(), *i));
                }
                if !remove(&mut json, &segments) {
                    return (None, errors);
                }
            }
        }
    }
    (None, errors)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

impl From<&serde_path_to_error::Segment> for Segment {
    fn from(s: &serde_path_to_error::Segment) -> Self {
        match s {
            serde_path_to_error::Segment::Seq { index } => Self::Index(*index),
            serde_path_to_error::Segment::Map { key } => Self::Key(key.clone()),
            serde_path_to_error::Segment::Enum { variant } => Self::Key(variant.clone()),
            serde_path_to_error::Segment::Unknown => Self::Key(String::new()),
        }
    }
}

/// Maps an index in the current (shrunk) array back to the element's index in the input.
fn original_indexes(segments: &[Segment], removed: &[(Vec<Segment>, usize)]) -> Vec<Segment> {
    let mut out = segments.to_vec();
    for (pos, s) in segments.iter().enumerate() {
        let Segment::Index(current) = s else { continue };
        let parent = &segments[..pos];
        let mut gone: Vec<usize> = removed
            .iter()
            .filter(|(p, _)| p == parent)
            .map(|(_, i)| *i)
            .collect();
        // Replay the removals in order: each was an index in the array as it was then.
        let mut original = *current;
        for r in gone.drain(..).rev() {
            if r <= original {
                original += 1;
            }
        }
        out[pos] = Segment::Index(original);
    }
    out
}

fn unknown_field_name(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split_once('`').map(|(name, _)| name.to_owned())
}

fn path_text(segments: &[Segment]) -> String {
    let mut out = String::new();
    for s in segments {
        match s {
            Segment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    if out.is_empty() {
        "(body)".to_owned()
    } else {
        out
    }
}

/// Removes the value at `path`; false when there is nothing to remove (the error is about the
/// whole document).
fn remove(json: &mut Value, path: &[Segment]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut node = json;
    for s in parents {
        let next = match (s, node) {
            (Segment::Key(k), Value::Object(m)) => m.get_mut(k),
            (Segment::Index(i), Value::Array(a)) => a.get_mut(*i),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => return false,
        }
    }
    match (last, node) {
        (Segment::Key(k), Value::Object(m)) => m.remove(k).is_some(),
        (Segment::Index(i), Value::Array(a)) if *i < a.len() => {
            a.remove(*i);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_unknown_and_mistyped_field_is_named() {
        let (input, errors) = parse_app_input(json!({
            "fullName": "A",
            "bogus": 1,
            "oauthConfig": {"isPkceRequired": "yes", "nope": true, "scopes": ["Api", 3, "Web", 4]},
            "attributes": [{"key": "k", "formula": "'x'", "extra": 1}],
        }));
        let input = input.unwrap();
        assert_eq!(input.oauth_config.unwrap().scopes.unwrap(), ["Api", "Web"]);
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "bogus",
            "oauthConfig.isPkceRequired",
            "oauthConfig.nope",
            "oauthConfig.scopes[1]",
            "oauthConfig.scopes[3]",
            "attributes[0].extra",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        assert_eq!(errors.len(), 6, "{errors:?}");
    }

    #[test]
    fn read_only_response_fields_are_ignored() {
        let (input, errors) = parse_app_input(json!({
            "id": "0H4000000000001AAA", "consumerKey": "x", "isInstalled": true, "isPackaged": false,
            "createdAt": 1, "updatedAt": 2, "fullName": "A",
            "certificateInfo": {"subject": "CN=x"}
        }));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(input.unwrap().full_name.as_deref(), Some("A"));
    }

    #[test]
    fn a_body_that_is_not_an_object_is_one_error() {
        let (input, errors) = parse_app_input(json!([1, 2]));
        assert!(input.is_none());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "(body)");
    }
}
