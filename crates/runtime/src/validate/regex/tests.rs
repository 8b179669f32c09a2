//! The matcher against hand-picked cases, and against `fancy-regex` over every pattern of
//! the Lambda model, on random text and on text generated to match.

use proptest::prelude::*;

use super::parse::{self, Node};
use super::Pattern;

fn matches(pattern: &str, text: &str) -> bool {
    Pattern::new(pattern)
        .unwrap_or_else(|| panic!("{pattern} does not compile"))
        .is_match(text)
}

#[test]
fn each_construct_matches_as_ecma_262_says() {
    let cases: &[(&str, &str, bool)] = &[
        ("abc", "xxabcxx", true),
        ("^abc$", "xxabcxx", false),
        ("^a|b$", "ab", true),
        ("^(a|b)+$", "abba", true),
        ("^(a|b)+$", "abc", false),
        ("^a{2,3}$", "aaaa", false),
        ("^a{2,3}$", "aaa", true),
        ("^a{2,}$", "aaaaa", true),
        ("^a{2}$", "a", false),
        ("^(?:ab)?c$", "c", true),
        ("^.$", "\n", false),
        ("^.$", "\r", false),
        ("^.$", "é", true),
        (r"^\d+$", "٣", false),
        (r"^\s$", "\u{feff}", true),
        (r"^[^\s]+$", "a b", false),
        (r"^[\p{L}\p{Z}\p{N}_]*$", "Zürich 中 ٣_", true),
        (r"^[\p{L}]*$", "a1", false),
        (r"^[a-z0-9-_]+$", "a-_9", true),
        (r"^[\.\-_/#A-Za-z0-9]+$", "a/b#c.d-e_f", true),
        (r"^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$", "123", false),
        (r"^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$", "12a", true),
        (r"^[0-9A-Za-z\.\-_]*(?<!\.)$", "name.", false),
        (r"^[0-9A-Za-z\.\-_]*(?<!\.)$", "na.me", true),
        (r"^(?=a)\w+$", "ab", true),
        (r"^(?=a)\w+$", "ba", false),
        (r"(?<=x)y", "xy", true),
        (r"(?<=x)y", "zy", false),
        ("^(a*)*$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", false),
        ("^$", "", true),
        ("", "anything", true),
        ("[]a", "a", false),
        ("^[^]$", "\n", true),
        ("^[]a]$", "a]", false),
    ];
    for &(pattern, text, expected) in cases {
        assert_eq!(matches(pattern, text), expected, "{pattern} on {text:?}");
    }
}

#[test]
fn syntax_outside_ecma_262_or_this_matcher_is_refused() {
    for pattern in [
        "(",
        "a)",
        "[a",
        "a{3,1}",
        "*a",
        r"\1",
        r"\bword",
        r"\p{Greek}",
        "(?i)a",
        "(?=(?=a))",
        "((?=(a{1000}){20})a){1000}",
    ] {
        assert!(Pattern::new(pattern).is_none(), "{pattern}");
    }
}

#[test]
fn nested_repetition_takes_linear_time() {
    let text = "a".repeat(5_000) + "!";
    assert!(!matches("^(a|a?)+$", &text));
}

#[test]
fn a_lookbehind_is_worked_out_once_per_match() {
    let name = r"^[0-9A-Za-z\.\-_]*(?<!\.)$";
    let long = "a.".repeat(20_000);
    assert!(!matches(name, &long));
    assert!(matches(name, &(long + "b")));
}

#[test]
fn text_too_long_to_track_is_taken_as_matching() {
    let text = "x".repeat(4_000_000);
    assert!(matches("^a$", &text));
    assert!(!matches("^a$", "x"));
}

#[test]
fn deep_nesting_is_refused_rather_than_overflowing_the_stack() {
    let deep = "(".repeat(10_000) + "a" + &")".repeat(10_000);
    assert!(Pattern::new(&deep).is_none());
    let fine = "(".repeat(60) + "a" + &")".repeat(60);
    assert!(matches(&fine, "a"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, ..ProptestConfig::default() })]

    #[test]
    fn any_pattern_text_compiles_or_is_refused_and_matching_never_panics(
        pattern in r"[ab.^$|()?:!<=*+{}0-9,\\\[\]dswpLZN-]{0,24}",
        text in r"[ab0-9 .\-]{0,16}",
    ) {
        if let Some(compiled) = Pattern::new(&pattern) {
            compiled.is_match(&text);
        }
    }
}

/// Every `pattern` trait in the project's Lambda model.
fn model_patterns() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../model/lambda.json");
    let text = std::fs::read_to_string(path).expect("the model is readable");
    let model: serde_json::Value = serde_json::from_str(&text).expect("the model is JSON");
    let mut patterns = Vec::new();
    let mut push = |traits: &serde_json::Value| {
        if let Some(p) = traits["smithy.api#pattern"].as_str() {
            if !patterns.iter().any(|known| known == p) {
                patterns.push(p.to_owned());
            }
        }
    };
    for shape in model["shapes"].as_object().expect("shapes").values() {
        push(&shape["traits"]);
        for member in shape["members"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
        {
            push(&member["traits"]);
        }
    }
    patterns
}

#[test]
fn every_model_pattern_compiles() {
    let patterns = model_patterns();
    assert!(patterns.len() > 30, "{patterns:?}");
    for pattern in &patterns {
        assert!(Pattern::new(pattern).is_some(), "{pattern}");
    }
}

/// Characters on which ECMA-262 and the `regex` crate's syntax agree: ASCII without `\r`,
/// and a few letters, digits and spaces outside it.
const ALPHABET: &[char] = &[
    'a', 'b', 'e', 'f', 'k', 'l', 'm', 'n', 'r', 's', 'u', 'w', 'z', 'A', 'E', 'L', 'T', 'Z', '0',
    '1', '2', '7', '9', '-', '_', '.', ':', '/', '$', '*', '@', '+', '=', ',', '#', ' ', '\t',
    '\n', 'é', '中', '\u{a0}', '!', '%',
];

/// Text that the syntax tree matches, drawn with `rng`; lookarounds are left out, so the
/// text may still fail them.
fn generate(node: &Node, rng: &mut fastrand::Rng, out: &mut String) {
    match node {
        Node::Empty | Node::Start | Node::End | Node::Look { .. } => {}
        Node::Set(set) => {
            let fits: Vec<char> = ALPHABET
                .iter()
                .copied()
                .filter(|&c| set.contains(c))
                .collect();
            if let Some(&c) = fits.get(rng.usize(..fits.len().max(1))) {
                out.push(c);
            }
        }
        Node::Concat(nodes) => nodes.iter().for_each(|n| generate(n, rng, out)),
        Node::Alternate(branches) => generate(&branches[rng.usize(..branches.len())], rng, out),
        Node::Repeat { node, min, max } => {
            let max = max.unwrap_or(min + 3).min(min + 6);
            for _ in 0..rng.u32(*min..=max) {
                generate(node, rng, out);
            }
        }
    }
}

/// `text` with one character added, removed or replaced.
fn mutate(text: &str, rng: &mut fastrand::Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = rng.usize(..=chars.len());
    let c = ALPHABET[rng.usize(..ALPHABET.len())];
    match (rng.u8(..3), at < chars.len()) {
        (0, _) | (_, false) => chars.insert(at, c),
        (1, true) => {
            chars.remove(at);
        }
        (_, true) => chars[at] = c,
    }
    chars.into_iter().collect()
}

/// Each model pattern, compiled by this module and by `fancy-regex`, with its syntax tree.
fn compiled() -> &'static [(String, Pattern, fancy_regex::Regex, Node)] {
    static COMPILED: std::sync::OnceLock<Vec<(String, Pattern, fancy_regex::Regex, Node)>> =
        std::sync::OnceLock::new();
    COMPILED.get_or_init(|| {
        model_patterns()
            .into_iter()
            .map(|p| {
                let ours = Pattern::new(&p).expect("compiles");
                let reference = fancy_regex::Regex::new(&p).expect("fancy-regex compiles it");
                let tree = parse::parse(&p).expect("parses");
                (p, ours, reference, tree)
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn the_matcher_agrees_with_fancy_regex_on_every_model_pattern(seed in any::<u64>()) {
        let mut rng = fastrand::Rng::with_seed(seed);
        for (pattern, ours, reference, tree) in compiled() {

            let mut matching = String::new();
            generate(tree, &mut rng, &mut matching);
            let random: String = (0..rng.usize(..24))
                .map(|_| ALPHABET[rng.usize(..ALPHABET.len())])
                .collect();
            let near_miss = mutate(&matching, &mut rng);

            for text in [&matching, &near_miss, &random] {
                let expected = reference.is_match(text).expect("fancy-regex runs");
                prop_assert_eq!(ours.is_match(text), expected, "{} on {:?}", pattern, text);
            }
        }
    }
}
