//! The model's `pattern` traits: ECMA-262 regular expressions, parsed once and matched by a
//! small backtracking matcher that remembers where it has been, so that a match costs at most
//! the pattern's size times the input's length (squared, with a lookaround).
//!
//! The syntax the Lambda model uses is covered, lookahead and lookbehind included (not nested
//! in one another): alternation, groups, the `*`, `+`, `?` and `{n,m}` quantifiers, `.`, `^`,
//! `$`, classes with ranges (`[]` matches nothing and `[^]` anything, as in ECMA-262), `\d`,
//! `\s`, `\w` and the `\p{L}`, `\p{N}` and `\p{Z}` categories.

mod parse;
mod program;

pub use program::Pattern;

#[cfg(test)]
mod tests;
