//! Checks of the model's constraints that run before a request is built.
//!
//! Each check names the member and the rule it broke, so that nothing is sent and the user
//! knows what to change.

use std::cell::RefCell;
use std::sync::OnceLock;

use crate::error::ConstructionFailure;

/// Fails when a required member is missing.
///
/// # Example
/// ```
/// use lamina_runtime::validate::required;
/// let name: Option<String> = None;
/// let err = required("FunctionName", name.as_ref()).unwrap_err();
/// assert!(err.to_string().contains("FunctionName is required"));
/// ```
pub fn required<'a, T>(field: &str, value: Option<&'a T>) -> Result<&'a T, ConstructionFailure> {
    value.ok_or_else(|| ConstructionFailure::invalid_field(field, "is required"))
}

/// Fails when a length (characters for text, items for lists, bytes for blobs) is outside
/// `min..=max`.
///
/// # Example
/// ```
/// use lamina_runtime::validate::length;
/// assert!(length("Qualifier", 0, Some(1), Some(128)).is_err());
/// assert!(length("Qualifier", 3, Some(1), Some(128)).is_ok());
/// ```
pub fn length(
    field: &str,
    len: usize,
    min: Option<usize>,
    max: Option<usize>,
) -> Result<(), ConstructionFailure> {
    let too_short = min.is_some_and(|min| len < min);
    let too_long = max.is_some_and(|max| len > max);
    if !too_short && !too_long {
        return Ok(());
    }

    let bounds = match (min, max) {
        (Some(min), Some(max)) => format!("between {min} and {max}"),
        (Some(min), None) => format!("at least {min}"),
        (None, Some(max)) => format!("at most {max}"),
        (None, None) => unreachable!("a bound was broken, so one exists"),
    };
    Err(ConstructionFailure::invalid_field(
        field,
        format!("must have a length {bounds}, but has {len}"),
    ))
}

/// The number of characters in `text`, as the model's `length` trait counts them.
pub fn char_len(text: &str) -> usize {
    text.chars().count()
}

mod regex;

pub use regex::Pattern;

/// Where a member's compiled pattern is kept once it is first needed.
pub type PatternCell = OnceLock<Option<Pattern>>;

/// Fails when `value` does not match the model's `pattern`. The error quotes the value
/// unless `sensitive` is set.
///
/// `cell` caches the compiled expression; a pattern outside the syntax [`Pattern`] matches is
/// not enforced, since the service checks it anyway.
///
/// # Example
/// ```
/// use std::sync::OnceLock;
/// use lamina_runtime::validate::pattern;
/// static CELL: lamina_runtime::validate::PatternCell = OnceLock::new();
/// assert!(pattern("Version", "12", "^[0-9]+$", &CELL, false).is_ok());
/// assert!(pattern("Version", "x", "^[0-9]+$", &CELL, false).is_err());
/// ```
pub fn pattern(
    field: &str,
    value: &str,
    expression: &str,
    cell: &PatternCell,
    sensitive: bool,
) -> Result<(), ConstructionFailure> {
    let key = std::ptr::from_ref(cell) as usize;
    let remembered = !sensitive && value.len() <= REMEMBERED_LEN;
    if remembered && ACCEPTED.with(|a| a.borrow().iter().any(|(k, v)| *k == key && v == value)) {
        return Ok(());
    }

    let regex = cell.get_or_init(|| Pattern::new(expression));
    match regex {
        Some(regex) if regex.is_match(value) => {
            if remembered {
                remember(key, value);
            }
            Ok(())
        }
        Some(_) => {
            let rule = if sensitive {
                format!("must match the pattern {expression} (the value is sensitive: not shown)")
            } else {
                format!("must match the pattern {expression}, but is {value:?}")
            };
            Err(ConstructionFailure::invalid_field(field, rule))
        }
        None => Ok(()),
    }
}

/// The longest value [`pattern`] remembers having accepted.
const REMEMBERED_LEN: usize = 256;

thread_local! {
    /// The last value each pattern accepted on this thread, by the address of its cell: calls
    /// name the same functions again and again, and comparing text costs far less than
    /// running the regex engine. Sensitive values are never kept.
    static ACCEPTED: RefCell<Vec<(usize, String)>> = const { RefCell::new(Vec::new()) };
}

fn remember(key: usize, value: &str) {
    ACCEPTED.with(|accepted| {
        let mut accepted = accepted.borrow_mut();
        match accepted.iter_mut().find(|(k, _)| *k == key) {
            Some((_, last)) => {
                last.clear();
                last.push_str(value);
            }
            None => accepted.push((key, value.to_owned())),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_value_is_accepted_and_others_still_checked() {
        static CELL: PatternCell = OnceLock::new();
        static OTHER: PatternCell = OnceLock::new();

        for _ in 0..3 {
            assert!(pattern("Name", "fn-1", "^[a-z0-9-]+$", &CELL, false).is_ok());
        }
        assert!(pattern("Name", "Fn 1", "^[a-z0-9-]+$", &CELL, false).is_err());
        assert!(pattern("Name", "fn-2", "^[a-z0-9-]+$", &CELL, false).is_ok());
        assert!(pattern("Name", "fn-1", "^[a-z0-9-]+$", &CELL, false).is_ok());
        assert!(
            pattern("Version", "fn-1", "^[0-9]+$", &OTHER, false).is_err(),
            "what one pattern accepted says nothing of another"
        );
    }

    #[test]
    fn length_messages_name_the_bounds() {
        let err = length("Name", 300, Some(1), Some(256)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid input: Name must have a length between 1 and 256, but has 300; \
             nothing was sent"
        );
        assert!(length("Name", 0, Some(1), None)
            .unwrap_err()
            .to_string()
            .contains("at least 1"));
        assert!(length("Name", 9, None, Some(8))
            .unwrap_err()
            .to_string()
            .contains("at most 8"));
    }

    #[test]
    fn a_pattern_outside_the_matched_syntax_is_not_enforced() {
        static CELL: PatternCell = PatternCell::new();
        assert!(pattern("X", "anything", r"\bword\b", &CELL, false).is_ok());
    }

    #[test]
    fn lookaround_patterns_are_enforced() {
        static CELL: PatternCell = PatternCell::new();
        let name = r"^[0-9A-Za-z\.\-_]*(?<!\.)$";
        assert!(pattern("Name", "my.alias", name, &CELL, false).is_ok());
        let err = pattern("Name", "my.alias.", name, &CELL, false).unwrap_err();
        assert!(err.to_string().contains("Name"), "{err}");
    }

    #[test]
    fn sensitive_values_are_not_quoted() {
        static CELL: PatternCell = PatternCell::new();
        let err = pattern("Token", "hunter2", "^[0-9]+$", &CELL, true).unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
}
