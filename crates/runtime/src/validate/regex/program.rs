//! A parsed pattern compiled to a small program, and the matcher that runs it.

use super::parse::{self, CharSet, Node};

/// A compiled pattern.
///
/// # Example
/// ```
/// use lamina_runtime::validate::Pattern;
/// let qualifier = Pattern::new(r"^(|[a-zA-Z0-9$_-]+)$").unwrap();
/// assert!(qualifier.is_match("$LATEST"));
/// assert!(!qualifier.is_match("v 1"));
///
/// let not_only_digits = Pattern::new(r"^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$").unwrap();
/// assert!(not_only_digits.is_match("v1"));
/// assert!(!not_only_digits.is_match("12"));
/// ```
#[derive(Debug, Clone)]
pub struct Pattern {
    program: Program,
}

/// The most (instruction, position) states a run keeps one bit each for (2 MiB): text too
/// long for that is not matched, and taken as matching.
const VISITED_LIMIT: usize = 1 << 24;

impl Pattern {
    /// Compiles an ECMA-262 `pattern`, or `None` for syntax this module does not match.
    pub fn new(pattern: &str) -> Option<Self> {
        let node = parse::parse(pattern)?;
        let mut program = Program::default();
        program.search_prefix();
        program.node(&node)?;
        program.push(Inst::Match);
        Some(Self { program })
    }

    /// Whether `text` has a match anywhere (the pattern is not implicitly anchored, as
    /// Smithy's `pattern` trait says).
    ///
    /// A match costs at most the pattern's size times the text's length, and a lookaround
    /// multiplies that by the text's length once more. Text too long to match within 2 MiB of
    /// bookkeeping (a million characters against a short pattern, thousands against an ARN's)
    /// is taken as matching: the service checks it anyway.
    pub fn is_match(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        self.program.run(&chars, 0).unwrap_or(true)
    }
}

#[derive(Debug, Clone)]
enum Inst {
    /// One character of the set, then the next instruction.
    Set(CharSet),
    /// Any character at all (the unanchored search's skip).
    AnyChar,
    Start,
    End,
    /// Both ways: the first, then the second.
    Split(usize, usize),
    Jump(usize),
    Look {
        body: Program,
        ahead: bool,
        negate: bool,
    },
    Match,
}

#[derive(Debug, Clone, Default)]
struct Program {
    insts: Vec<Inst>,
    /// The instructions of the lookaround bodies, which count against the same limit.
    in_looks: usize,
}

/// The largest program compiled, so that a huge `{n,m}` cannot blow up.
const MAX_INSTS: usize = 20_000;

impl Program {
    fn push(&mut self, inst: Inst) -> usize {
        self.insts.push(inst);
        self.insts.len() - 1
    }

    fn patch(&mut self, at: usize, inst: Inst) {
        self.insts[at] = inst;
    }

    /// `.*?` over every character, so that a match may start anywhere.
    fn search_prefix(&mut self) {
        let split = self.push(Inst::Jump(0));
        self.push(Inst::AnyChar);
        self.push(Inst::Jump(split));
        let body = self.insts.len();
        self.patch(split, Inst::Split(body, split + 1));
    }

    fn node(&mut self, node: &Node) -> Option<()> {
        if self.insts.len() + self.in_looks > MAX_INSTS {
            return None;
        }
        match node {
            Node::Empty => {}
            Node::Set(set) => {
                self.push(Inst::Set(set.clone()));
            }
            Node::Start => {
                self.push(Inst::Start);
            }
            Node::End => {
                self.push(Inst::End);
            }
            Node::Concat(nodes) => {
                for node in nodes {
                    self.node(node)?;
                }
            }
            Node::Alternate(branches) => self.alternate(branches)?,
            Node::Repeat { node, min, max } => self.repeat(node, *min, *max)?,
            Node::Look {
                node,
                ahead,
                negate,
            } => {
                let mut body = Program::default();
                if !*ahead {
                    body.search_prefix();
                }
                body.node(node)?;
                body.push(Inst::Match);
                self.in_looks += body.insts.len();
                self.push(Inst::Look {
                    body,
                    ahead: *ahead,
                    negate: *negate,
                });
            }
        }
        Some(())
    }

    fn alternate(&mut self, branches: &[Node]) -> Option<()> {
        let mut jumps = Vec::new();
        for (i, branch) in branches.iter().enumerate() {
            let last = i + 1 == branches.len();
            let split = (!last).then(|| self.push(Inst::Jump(0)));
            self.node(branch)?;
            if let Some(split) = split {
                jumps.push(self.push(Inst::Jump(0)));
                let next = self.insts.len();
                self.patch(split, Inst::Split(split + 1, next));
            }
        }
        let end = self.insts.len();
        for jump in jumps {
            self.patch(jump, Inst::Jump(end));
        }
        Some(())
    }

    fn repeat(&mut self, node: &Node, min: u32, max: Option<u32>) -> Option<()> {
        for _ in 0..min {
            self.node(node)?;
        }
        match max {
            None => {
                let split = self.push(Inst::Jump(0));
                self.node(node)?;
                self.push(Inst::Jump(split));
                let end = self.insts.len();
                self.patch(split, Inst::Split(split + 1, end));
            }
            Some(max) => {
                let mut splits = Vec::new();
                for _ in min..max {
                    splits.push(self.push(Inst::Jump(0)));
                    self.node(node)?;
                }
                let end = self.insts.len();
                for split in splits {
                    self.patch(split, Inst::Split(split + 1, end));
                }
            }
        }
        Some(())
    }

    /// Whether the program matches `text` from `start`, or `None` when the text is too long
    /// to match within [`VISITED_LIMIT`].
    fn run(&self, text: &[char], start: usize) -> Option<bool> {
        let mut found = false;
        self.explore(text, start, &mut |_| {
            found = true;
            false
        })?;
        Some(found)
    }

    /// The positions at which a match of the program ends (a lookbehind's body, which starts
    /// with a search so that a match may begin anywhere before them).
    fn ends(&self, text: &[char]) -> Option<Vec<bool>> {
        let mut ends = vec![false; text.len() + 1];
        self.explore(text, 0, &mut |at| {
            ends[at] = true;
            true
        })?;
        Some(ends)
    }

    /// Walks every state reachable from `start`, once each, calling `on_match` with the
    /// position of each match until it returns `false`.
    fn explore(
        &self,
        text: &[char],
        start: usize,
        on_match: &mut dyn FnMut(usize) -> bool,
    ) -> Option<()> {
        let width = text.len() + 1;
        let mut visited = Visited::new(self.insts.len(), width)?;
        let mut behind: Vec<(usize, Vec<bool>)> = Vec::new();
        let mut stack = vec![(0, start)];

        while let Some((pc, at)) = stack.pop() {
            if !visited.first_visit(pc * width + at) {
                continue;
            }
            match &self.insts[pc] {
                Inst::Set(set) => {
                    if text.get(at).is_some_and(|&c| set.contains(c)) {
                        stack.push((pc + 1, at + 1));
                    }
                }
                Inst::AnyChar => {
                    if at < text.len() {
                        stack.push((pc + 1, at + 1));
                    }
                }
                Inst::Start => {
                    if at == 0 {
                        stack.push((pc + 1, at));
                    }
                }
                Inst::End => {
                    if at == text.len() {
                        stack.push((pc + 1, at));
                    }
                }
                Inst::Split(first, second) => {
                    stack.push((*second, at));
                    stack.push((*first, at));
                }
                Inst::Jump(to) => stack.push((*to, at)),
                Inst::Look {
                    body,
                    ahead,
                    negate,
                } => {
                    let found = if *ahead {
                        body.run(text, at)?
                    } else {
                        let known = behind.iter().position(|(look, _)| *look == pc);
                        let index = match known {
                            Some(index) => index,
                            None => {
                                behind.push((pc, body.ends(text)?));
                                behind.len() - 1
                            }
                        };
                        behind[index].1[at]
                    };
                    if found != *negate {
                        stack.push((pc + 1, at));
                    }
                }
                Inst::Match => {
                    if !on_match(at) {
                        return Some(());
                    }
                }
            }
        }
        Some(())
    }
}

/// The (instruction, position) states a run has been in, one bit each: a state that failed
/// once fails again, as nothing else (no captures, no backreferences) depends on the path to
/// it.
struct Visited {
    bits: Vec<u64>,
}

impl Visited {
    /// Room for every state of `insts` instructions over `width` positions, or `None` past
    /// [`VISITED_LIMIT`].
    fn new(insts: usize, width: usize) -> Option<Self> {
        let states = insts.checked_mul(width).filter(|&s| s <= VISITED_LIMIT)?;
        Some(Self {
            bits: vec![0; states.div_ceil(64)],
        })
    }

    fn first_visit(&mut self, state: usize) -> bool {
        let (word, bit) = (state / 64, 1u64 << (state % 64));
        let first = self.bits[word] & bit == 0;
        self.bits[word] |= bit;
        first
    }
}
