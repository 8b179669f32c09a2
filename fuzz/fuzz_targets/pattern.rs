//! The pattern matcher: any pattern text compiles or is refused, and any text is matched or
//! not by it and by every pattern of the Lambda model, never with a panic.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

use lamina_runtime::validate::Pattern;

/// Every `pattern` trait of the project's model, compiled once.
fn model_patterns() -> &'static [Pattern] {
    static PATTERNS: OnceLock<Vec<Pattern>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let model: serde_json::Value =
            serde_json::from_str(include_str!("../../model/lambda.json")).expect("model");
        let mut patterns = Vec::new();
        for shape in model["shapes"].as_object().expect("shapes").values() {
            let members = shape["members"]
                .as_object()
                .into_iter()
                .flat_map(|m| m.values());
            for traits in std::iter::once(&shape["traits"]).chain(members.map(|m| &m["traits"])) {
                if let Some(text) = traits["smithy.api#pattern"].as_str() {
                    patterns.push(Pattern::new(text).expect("every model pattern compiles"));
                }
            }
        }
        patterns
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for pattern in model_patterns() {
        let _ = pattern.is_match(&text);
    }

    let (pattern, subject) = text.split_once('\u{0}').unwrap_or((&text, ""));
    if let Some(pattern) = Pattern::new(pattern) {
        let _ = pattern.is_match(subject);
    }
});
