//! A case written as one flat JSON object (`{"id": "c1", "leeftijd": 9, "soort":
//! "begeleiding"}`), read straight into a reused [`Case`]: no tree, no copy of a key, no
//! hashing. It reads only what it is sure of and declines the rest (`None`), which is
//! then read by [`super::case_from_json_text`], so every case means the same and every
//! error message stays exactly as it is.
//!
//! Read here: an object on one line whose keys are facts of the rule set or `id`,
//! `peildatum`, `kosten`, each once; texts without escapes; `ja/nee` facts as `true`
//! or `false`; numbers as JSON writes them (no exponent); `keuze` and `lijst` values as
//! their exact ASCII names; `null` for an unknown fact or id. Declined: anything else
//! (an escape, a nested object, a duplicate key, a value that does not fit, a text fact,
//! a value with letters beyond ASCII that normalisation might change, …). A property
//! test checks that whatever is read equals what the general reader makes of it.
//!
//! The cases of one batch are mostly written alike: the same keys in the same order with
//! the same white space. The reader keeps the layout of the last case read in full (its
//! [`Shape`]) and reads the next one by comparing the texts between the values, instead
//! of looking up every key again; any difference and the case is read the full way.

use rust_decimal::Decimal;

use super::{parse_date, read_costs, read_number, Case};
use crate::ruleset::{FactId, RuleSet, Sym, Type, Value};

/// What a key of a flat case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Id,
    ReferenceDate,
    Costs,
    Fact(FactId),
}

/// The keys and values of one rule set, for reading flat cases.
#[derive(Debug, Clone)]
pub struct FlatReader {
    keys: Names<Slot>,
    /// Per fact (by id): its `keuze` or `lijst` values by name.
    values: Vec<Names<Sym>>,
    /// Per fact (by id): its type, or `None` for a type read only by the general reader.
    types: Vec<Option<Type>>,
    /// Per key: whether it was seen in the case being read.
    seen: Vec<bool>,
    /// The text of the last case's `id`, kept for the next one's.
    id: String,
    /// The layout of the last case read in full, which the next case most likely shares.
    shape: Shape,
    /// The layout of the case being read in full.
    recording: Shape,
    /// Cases laid out otherwise than the one before, one after the other.
    misses: u32,
    /// Cases still to be read the full way before the layout is tried again.
    wait: u32,
}

/// Misses in a row after which the layout waits longest (63 cases) to be tried again.
const MAX_MISSES: u32 = 6;

/// The layout of a flat case: per member, the text from the end of the previous value
/// (or the start of the line) to the start of its own value, such as `{"id":` or
/// `, "leeftijd": `, and its slot. A case with the same texts between its values has
/// the same keys in the same order, so only its values need reading.
#[derive(Debug, Clone, Default)]
struct Shape {
    /// The texts between the values, one after the other.
    text: Vec<u8>,
    /// Per member: the end of its text in `text`, its slot, and for a fact its type.
    members: Vec<(usize, Slot, Option<Type>)>,
}

impl Shape {
    fn clear(&mut self) {
        self.text.clear();
        self.members.clear();
    }
}

impl FlatReader {
    pub fn new(rs: &RuleSet) -> FlatReader {
        let mut keys: Vec<(Box<[u8]>, Slot)> = vec![
            (b"id"[..].into(), Slot::Id),
            (b"peildatum"[..].into(), Slot::ReferenceDate),
            (b"kosten"[..].into(), Slot::Costs),
        ];
        let mut values = Vec::new();
        let mut types = Vec::new();
        for (id, fact) in rs.fact_ids().zip(rs.facts()) {
            if fact.name.is_ascii() {
                keys.push((fact.name.as_bytes().into(), Slot::Fact(id)));
            }
            let named: Vec<(Box<[u8]>, Sym)> = fact
                .values
                .iter()
                .map(|s| (rs.symbols().name(*s).as_bytes().into(), *s))
                .filter(|(name, _): &(Box<[u8]>, Sym)| name.is_ascii())
                .collect();
            values.push(Names::new(named));
            types.push(match fact.ty {
                Type::Text => None,
                ty => Some(ty),
            });
        }
        let keys = Names::new(keys);
        let seen = vec![false; keys.slots.len()];
        FlatReader {
            keys,
            values,
            types,
            seen,
            id: String::new(),
            shape: Shape::default(),
            recording: Shape::default(),
            misses: 0,
            wait: 0,
        }
    }

    /// Reads `text` into `case` (every fact of it first unknown); `false` when the text
    /// is not a flat case this reader is sure of (`case` is then meaningless).
    pub fn read(&mut self, rs: &RuleSet, text: &str, case: &mut Case) -> bool {
        self.clear(rs, case);
        if self.wait > 0 {
            self.wait -= 1;
        } else if !self.shape.members.is_empty() {
            let shape = std::mem::take(&mut self.shape);
            let read = self.by_shape(rs, text, case, &shape).is_some();
            self.shape = shape;
            if read {
                self.misses = 0;
                return true;
            }
            // Cases laid out each their own way (facts left out here and there) would
            // be read twice: after each miss in a row, the layout waits twice as long
            // (1, 3, 7, … up to 63 cases) before it is tried again.
            self.misses = (self.misses + 1).min(MAX_MISSES);
            self.wait = (1 << self.misses) - 1;
            self.clear(rs, case);
        }
        self.seen.fill(false);
        self.recording.clear();
        let read = self.object(rs, text, case).is_some();
        if read && !self.recording.members.is_empty() {
            std::mem::swap(&mut self.shape, &mut self.recording);
        }
        read
    }

    /// Makes `case` empty, keeping its allocations.
    fn clear(&mut self, rs: &RuleSet, case: &mut Case) {
        if let Some(id) = case.id.take() {
            self.id = id;
        }
        case.reference_date = None;
        case.costs = None;
        if case.values.len() == rs.facts().len() {
            for value in &mut case.values {
                *value = None;
            }
        } else {
            case.values.clear();
            case.values.resize(rs.facts().len(), None);
        }
    }

    /// Reads a case laid out as `shape`: each text between the values must be exactly
    /// the shape's, so the keys are those of the shape, each once; the values are read
    /// as [`Self::object`] reads them.
    fn by_shape(&mut self, rs: &RuleSet, text: &str, case: &mut Case, shape: &Shape) -> Option<()> {
        let mut c = Cursor {
            source: text,
            text: text.as_bytes(),
            at: 0,
        };
        let mut start = 0;
        for &(end, slot, ty) in &shape.members {
            let between = shape.text.get(start..end)?;
            if !c.text.get(c.at..)?.starts_with(between) {
                return None;
            }
            c.at += between.len();
            start = end;
            // A fact's value that is neither `null` nor after white space is read without
            // `value`'s look for `null` and for the fact's type (the shape has it).
            let plain = !matches!(
                c.text.get(c.at),
                None | Some(b'n' | b' ' | b'\t' | b'\r' | b'\n')
            );
            match (slot, ty) {
                (Slot::Fact(f), Some(ty)) if plain => {
                    self.fact_value(rs, &mut c, f, ty, case.values.get_mut(f.index())?)?;
                }
                _ => self.value(rs, &mut c, slot, case)?,
            }
        }
        c.expect(b'}')?;
        c.end()
    }

    fn object(&mut self, rs: &RuleSet, text: &str, case: &mut Case) -> Option<()> {
        let mut c = Cursor {
            source: text,
            text: text.as_bytes(),
            at: 0,
        };
        c.expect(b'{')?;
        if c.peek()? == b'}' {
            c.at += 1;
            return c.end();
        }
        let mut between = 0;
        loop {
            let (k, slot) = self.keys.get(c.string()?.as_bytes())?;
            let seen = self.seen.get_mut(k)?;
            if *seen {
                return None;
            }
            *seen = true;
            c.expect(b':')?;
            c.skip_space();
            let r = &mut self.recording;
            r.text.extend_from_slice(c.text.get(between..c.at)?);
            let ty = match slot {
                Slot::Fact(f) => self.types.get(f.index()).copied().flatten(),
                _ => None,
            };
            r.members.push((r.text.len(), slot, ty));
            self.value(rs, &mut c, slot, case)?;
            between = c.at;
            match c.next()? {
                b',' => {}
                b'}' => return c.end(),
                _ => return None,
            }
        }
    }

    fn value(
        &mut self,
        rs: &RuleSet,
        c: &mut Cursor<'_>,
        slot: Slot,
        case: &mut Case,
    ) -> Option<()> {
        if c.null() {
            return match slot {
                Slot::Id | Slot::Fact(_) => Some(()),
                Slot::ReferenceDate | Slot::Costs => None,
            };
        }
        match slot {
            Slot::Id => {
                let id = c.string()?;
                let mut text = std::mem::take(&mut self.id);
                text.clear();
                text.push_str(id);
                case.id = Some(text);
            }
            Slot::ReferenceDate => {
                let date = c.string()?;
                case.reference_date = Some(parse_date(date).ok()?);
            }
            Slot::Costs => case.costs = Some(read_costs(c.number()?.0).ok()?),
            Slot::Fact(f) => {
                let ty = self.types.get(f.index()).copied().flatten()?;
                self.fact_value(rs, c, f, ty, case.values.get_mut(f.index())?)?;
            }
        }
        Some(())
    }

    /// Reads the value of fact `f` (of type `ty`, not `null`) at the cursor into `into`.
    /// (Written there directly rather than returned: a value returned through memory
    /// and read back at once stalls the processor.)
    fn fact_value(
        &self,
        rs: &RuleSet,
        c: &mut Cursor<'_>,
        f: FactId,
        ty: Type,
        into: &mut Option<Value>,
    ) -> Option<()> {
        *into = Some(match ty {
            Type::Bool => Value::Bool(c.boolean()?),
            Type::Number => {
                let n = exact(c.number()?)?;
                // As `RuleSet::convert` takes a number.
                rs.fact(f).admits(n).then_some(Value::Number(n))?
            }
            Type::Choice(_) => Value::Choice(self.sym(f, c.string()?.as_bytes())?),
            Type::List(_) => self.list(c, f)?,
            Type::Text => return None,
        });
        Some(())
    }

    /// A `lijst` value: its members sorted, each once.
    fn list(&self, c: &mut Cursor<'_>, f: FactId) -> Option<Value> {
        let mut syms = Vec::new();
        c.expect(b'[')?;
        if c.peek()? == b']' {
            c.at += 1;
        } else {
            loop {
                syms.push(self.sym(f, c.string()?.as_bytes())?);
                match c.next()? {
                    b',' => {}
                    b']' => break,
                    _ => return None,
                }
            }
        }
        syms.sort();
        syms.dedup();
        Some(Value::List(syms))
    }

    fn sym(&self, f: FactId, name: &[u8]) -> Option<Sym> {
        self.values.get(f.index())?.get(name).map(|(_, s)| s)
    }
}

/// Names looked up by their bytes: a table with open addressing over a cheap hash
/// (see [`hash`]), at most half full.
#[derive(Debug, Clone)]
struct Names<T> {
    slots: Vec<Option<(Box<[u8]>, T)>>,
}

impl<T: Copy> Names<T> {
    fn new(names: Vec<(Box<[u8]>, T)>) -> Names<T> {
        let size = (names.len() * 2).next_power_of_two().max(8);
        let mut table = Names {
            slots: vec![None; size],
        };
        for (name, value) in names {
            let mut i = hash(&name) & (size - 1);
            while let Some(Some(_)) = table.slots.get(i) {
                i = (i + 1) & (size - 1);
            }
            if let Some(slot) = table.slots.get_mut(i) {
                *slot = Some((name, value));
            }
        }
        table
    }

    /// The slot and value of `name`.
    fn get(&self, name: &[u8]) -> Option<(usize, T)> {
        let mask = self.slots.len() - 1;
        let mut i = hash(name) & mask;
        loop {
            match self.slots.get(i)? {
                Some((n, value)) if **n == *name => return Some((i, *value)),
                Some(_) => i = (i + 1) & mask,
                None => return None,
            }
        }
    }
}

/// A hash of a name from its length and its first, middle and last byte: enough to
/// tell apart the few names of a rule set, and cheap (the table compares the whole name).
fn hash(bytes: &[u8]) -> usize {
    let at = |i: usize| u64::from(bytes.get(i).copied().unwrap_or(0));
    let n = bytes.len();
    let mixed = (n as u64) ^ at(0) << 8 ^ at(n / 2) << 16 ^ at(n.wrapping_sub(1)) << 24;
    (mixed.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize
}

/// A JSON number (as [`Cursor::number`] gives it) as the general reader reads it: a
/// whole number directly, any other through [`read_number`].
fn exact((text, whole): (&str, Option<i64>)) -> Option<Decimal> {
    if text.starts_with("-0") {
        // A negative zero (or a number just below it): left to the general reader.
        return None;
    }
    match whole {
        Some(n) => Some(Decimal::from(n)),
        None => read_number(text).ok(),
    }
}

/// A place in the text of a flat case.
struct Cursor<'t> {
    source: &'t str,
    /// The bytes of `source`.
    text: &'t [u8],
    at: usize,
}

impl<'t> Cursor<'t> {
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\r' | b'\n') = self.text.get(self.at) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.text.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        (self.next()? == b).then_some(())
    }

    /// Only white space after the object.
    fn end(&mut self) -> Option<()> {
        self.skip_space();
        (self.at == self.text.len()).then_some(())
    }

    fn word(&mut self, word: &[u8]) -> bool {
        self.skip_space();
        let found = self
            .text
            .get(self.at..)
            .is_some_and(|rest| rest.starts_with(word));
        if found {
            self.at += word.len();
        }
        found
    }

    fn null(&mut self) -> bool {
        self.word(b"null")
    }

    fn boolean(&mut self) -> Option<bool> {
        if self.word(b"true") {
            Some(true)
        } else if self.word(b"false") {
            Some(false)
        } else {
            None
        }
    }

    /// A text without escapes or control characters, without its quotes.
    fn string(&mut self) -> Option<&'t str> {
        self.expect(b'"')?;
        let start = self.at;
        let end = start + crate::text::json_plain_len(self.text.get(start..)?);
        if self.text.get(end) != Some(&b'"') {
            return None;
        }
        self.at = end + 1;
        self.source.get(start..end)
    }

    /// The digits from `at` on: how many, and their value when there are at most 18.
    fn digits(&self, at: usize) -> (usize, Option<i64>) {
        let mut value: i64 = 0;
        let mut end = at;
        while let Some(&b @ b'0'..=b'9') = self.text.get(end) {
            value = value.wrapping_mul(10).wrapping_add(i64::from(b - b'0'));
            end += 1;
        }
        let count = end - at;
        // At most 18 digits fit in an `i64` without wrapping.
        (count, (count <= 18).then_some(value))
    }

    /// A JSON number without an exponent, `-?(0|[1-9][0-9]*)(\.[0-9]+)?`, and its value
    /// when it is a whole number of at most 18 digits.
    fn number(&mut self) -> Option<(&'t str, Option<i64>)> {
        self.skip_space();
        let start = self.at;
        let negative = self.text.get(start) == Some(&b'-');
        let first = start + usize::from(negative);
        let (int, mut whole) = self.digits(first);
        if int == 0 || (int > 1 && self.text.get(first) == Some(&b'0')) {
            return None;
        }
        let mut end = first + int;
        if self.text.get(end) == Some(&b'.') {
            let (frac, _) = self.digits(end + 1);
            if frac == 0 {
                return None;
            }
            end += 1 + frac;
            whole = None;
        }
        if matches!(self.text.get(end), Some(b'e' | b'E')) {
            return None;
        }
        self.at = end;
        let whole = whole.map(|n| if negative { -n } else { n });
        Some((self.source.get(start..end)?, whole))
    }
}
