//! ECMA-262 pattern text to a syntax tree.

/// One node of a pattern's syntax tree.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    /// Matches the empty string.
    Empty,
    /// One character from a set.
    Set(CharSet),
    /// `^`: the start of the input.
    Start,
    /// `$`: the end of the input.
    End,
    /// Each node in turn.
    Concat(Vec<Node>),
    /// Any one of the nodes.
    Alternate(Vec<Node>),
    /// The node between `min` and `max` times (`None`: no upper bound).
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
    },
    /// A lookahead (`ahead`) or lookbehind that must match, or must not (`negate`).
    Look {
        node: Box<Node>,
        ahead: bool,
        negate: bool,
    },
}

/// A set of characters: ranges and categories, maybe negated.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct CharSet {
    pub(super) ranges: Vec<(char, char)>,
    pub(super) categories: Vec<(Category, bool)>,
    pub(super) negated: bool,
}

/// The character classes escapes name; `bool` in a set says the class is negated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Category {
    /// `\d`: ASCII digits.
    Digit,
    /// `\w`: ASCII letters, digits and `_`.
    Word,
    /// `\s`: ECMA-262's white space and line terminators.
    Space,
    /// `.`: anything but a line terminator.
    NotLineTerminator,
    /// `\p{L}`: letters.
    Letter,
    /// `\p{N}`: numbers.
    Number,
    /// `\p{Z}`: separators.
    Separator,
}

impl Category {
    pub(super) fn contains(self, c: char) -> bool {
        match self {
            Self::Digit => c.is_ascii_digit(),
            Self::Word => c.is_ascii_alphanumeric() || c == '_',
            Self::Space => {
                is_separator(c) || matches!(c, '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | '\u{feff}')
            }
            Self::NotLineTerminator => !matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}'),
            Self::Letter => c.is_alphabetic() && !c.is_numeric(),
            Self::Number => c.is_numeric(),
            Self::Separator => is_separator(c),
        }
    }
}

/// Unicode's separators (general categories Zs, Zl and Zp).
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

impl CharSet {
    fn of(category: Category, negated: bool) -> Self {
        Self {
            categories: vec![(category, negated)],
            ..Self::default()
        }
    }

    fn char(c: char) -> Self {
        Self {
            ranges: vec![(c, c)],
            ..Self::default()
        }
    }

    pub(super) fn contains(&self, c: char) -> bool {
        let listed = self.ranges.iter().any(|&(low, high)| low <= c && c <= high)
            || self
                .categories
                .iter()
                .any(|&(category, negated)| category.contains(c) != negated);
        listed != self.negated
    }
}

/// Parses `pattern`, or `None` for syntax outside what this module matches.
pub(super) fn parse(pattern: &str) -> Option<Node> {
    let mut parser = Parser {
        chars: pattern.chars().collect(),
        at: 0,
        depth: 0,
        in_look: false,
    };
    let node = parser.alternation()?;
    (parser.at == parser.chars.len()).then_some(node)
}

/// How deeply groups may nest, so that parsing and matching cannot run out of stack.
const MAX_DEPTH: usize = 64;

struct Parser {
    chars: Vec<char>,
    at: usize,
    depth: usize,
    /// Inside a lookaround, where another one is refused: nesting them would multiply the
    /// matching time by the input's length once more for each level.
    in_look: bool,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        let found = self.peek() == Some(c);
        if found {
            self.at += 1;
        }
        found
    }

    fn alternation(&mut self) -> Option<Node> {
        let mut branches = vec![self.concatenation()?];
        while self.eat('|') {
            branches.push(self.concatenation()?);
        }
        Some(if branches.len() == 1 {
            branches.pop()?
        } else {
            Node::Alternate(branches)
        })
    }

    fn concatenation(&mut self) -> Option<Node> {
        let mut nodes = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            nodes.push(self.quantified(atom)?);
        }
        Some(match nodes.len() {
            0 => Node::Empty,
            1 => nodes.pop()?,
            _ => Node::Concat(nodes),
        })
    }

    fn quantified(&mut self, atom: Node) -> Option<Node> {
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => return self.braces(atom),
            _ => return Some(atom),
        };
        self.at += 1;
        self.repeat(atom, min, max)
    }

    /// `{n}`, `{n,}` or `{n,m}`; a `{` that starts none of them is refused.
    fn braces(&mut self, atom: Node) -> Option<Node> {
        self.at += 1;
        let min = self.number()?;
        let max = if self.eat(',') {
            if self.peek() == Some('}') {
                None
            } else {
                Some(self.number()?)
            }
        } else {
            Some(min)
        };
        if !self.eat('}') || max.is_some_and(|max| max < min) {
            return None;
        }
        self.repeat(atom, min, max)
    }

    fn repeat(&mut self, atom: Node, min: u32, max: Option<u32>) -> Option<Node> {
        if matches!(atom, Node::Start | Node::End | Node::Look { .. }) {
            return None;
        }
        self.eat('?');
        Some(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
        })
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        let digits: String = self.chars[start..self.at].iter().collect();
        digits.parse().ok().filter(|n| *n <= 1000)
    }

    fn atom(&mut self) -> Option<Node> {
        match self.next()? {
            '^' => Some(Node::Start),
            '$' => Some(Node::End),
            '.' => Some(Node::Set(CharSet::of(Category::NotLineTerminator, false))),
            '(' => self.group(),
            '[' => self.class().map(Node::Set),
            '\\' => self.escape().map(Node::Set),
            '*' | '+' | '?' | '{' | ')' => None,
            c => Some(Node::Set(CharSet::char(c))),
        }
    }

    fn group(&mut self) -> Option<Node> {
        let look = if self.eat('?') {
            match self.next()? {
                ':' => None,
                '=' => Some((true, false)),
                '!' => Some((true, true)),
                '<' => match self.next()? {
                    '=' => Some((false, false)),
                    '!' => Some((false, true)),
                    _ => return None,
                },
                _ => return None,
            }
        } else {
            None
        };
        if look.is_some() && self.in_look {
            return None;
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let outer_look = self.in_look;
        self.in_look = outer_look || look.is_some();
        let node = self.alternation()?;
        self.in_look = outer_look;
        self.depth -= 1;
        if !self.eat(')') {
            return None;
        }
        Some(match look {
            None => node,
            Some((ahead, negate)) => Node::Look {
                node: Box::new(node),
                ahead,
                negate,
            },
        })
    }

    /// An escape outside a class: a category or one character.
    fn escape(&mut self) -> Option<CharSet> {
        let c = self.next()?;
        let category = |category, negated| Some(CharSet::of(category, negated));
        match c {
            'd' => category(Category::Digit, false),
            'D' => category(Category::Digit, true),
            'w' => category(Category::Word, false),
            'W' => category(Category::Word, true),
            's' => category(Category::Space, false),
            'S' => category(Category::Space, true),
            'p' | 'P' => {
                let name = self.property_name()?;
                let category = match name.as_str() {
                    "L" => Category::Letter,
                    "N" => Category::Number,
                    "Z" => Category::Separator,
                    _ => return None,
                };
                Some(CharSet::of(category, c == 'P'))
            }
            _ => Some(CharSet::char(self.escaped_char(c)?)),
        }
    }

    fn property_name(&mut self) -> Option<String> {
        if !self.eat('{') {
            return None;
        }
        let mut name = String::new();
        loop {
            match self.next()? {
                '}' => return Some(name),
                c => name.push(c),
            }
        }
    }

    /// The character an escape such as `\.` or `\t` stands for; letters and digits other than
    /// the control escapes are refused (they mean something this module does not match).
    fn escaped_char(&mut self, c: char) -> Option<char> {
        Some(match c {
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            'f' => '\u{c}',
            'v' => '\u{b}',
            c if c.is_ascii_alphanumeric() => return None,
            c => c,
        })
    }

    /// A class after its `[`.
    fn class(&mut self) -> Option<CharSet> {
        let mut set = CharSet {
            negated: self.eat('^'),
            ..CharSet::default()
        };
        loop {
            let c = self.next()?;
            if c == ']' {
                return Some(set);
            }

            let low = match c {
                '\\' => match self.class_escape()? {
                    ClassItem::Char(c) => c,
                    ClassItem::Set(inner) => {
                        set.categories.extend(inner.categories);
                        continue;
                    }
                },
                c => c,
            };
            let is_range = self.peek() == Some('-')
                && self.chars.get(self.at + 1).is_some_and(|&next| next != ']');
            if !is_range {
                set.ranges.push((low, low));
                continue;
            }
            self.at += 1;
            let high = match self.next()? {
                '\\' => match self.class_escape()? {
                    ClassItem::Char(c) => c,
                    ClassItem::Set(_) => return None,
                },
                c => c,
            };
            if high < low {
                return None;
            }
            set.ranges.push((low, high));
        }
    }

    fn class_escape(&mut self) -> Option<ClassItem> {
        let c = self.peek()?;
        if matches!(c, 'd' | 'D' | 'w' | 'W' | 's' | 'S' | 'p' | 'P') {
            return self.escape().map(ClassItem::Set);
        }
        self.at += 1;
        match c {
            'b' => Some(ClassItem::Char('\u{8}')),
            '-' => Some(ClassItem::Char('-')),
            c => self.escaped_char(c).map(ClassItem::Char),
        }
    }
}

enum ClassItem {
    Char(char),
    Set(CharSet),
}
