//! Doc comments from model documentation, wrapped to fit within 100 columns.

use proc_macro2::TokenStream;
use quote::quote;

/// Width of doc text; with indentation and `/// ` it stays within 100 columns.
const WIDTH: usize = 84;

/// `#[doc]` attributes for `text`, or for `fallback` when the model has none.
pub(crate) fn doc(text: Option<&str>, fallback: &str) -> TokenStream {
    let text = text.filter(|t| !t.trim().is_empty()).unwrap_or(fallback);
    lines(text)
}

/// `#[doc]` attributes for `text` followed by further paragraphs.
pub(crate) fn doc_with(text: Option<&str>, fallback: &str, more: &[&str]) -> TokenStream {
    let mut tokens = doc(text, fallback);
    for paragraph in more {
        tokens.extend(quote!(#[doc = ""]));
        tokens.extend(lines(paragraph));
    }
    tokens
}

/// `#[doc]` attributes for `text`, one per wrapped line; lines of code blocks stay as they are.
pub(crate) fn lines(text: &str) -> TokenStream {
    let mut out = TokenStream::new();
    let mut in_code = false;
    for raw in text.lines() {
        if raw.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        let wrapped = if in_code || raw.trim_start().starts_with("```") {
            vec![raw.to_owned()]
        } else {
            wrap(raw)
        };
        for line in wrapped {
            let line = if line.is_empty() {
                String::new()
            } else {
                format!(" {line}")
            };
            out.extend(quote!(#[doc = #line]));
        }
    }
    out
}

fn wrap(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        if !current.is_empty() && current.len() + 1 + word.len() > WIDTH {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_wraps_at_word_boundaries() {
        let text = "word ".repeat(40);
        let lines = wrap(&text);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.len() <= WIDTH));
    }
}
