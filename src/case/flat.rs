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
use crate::ruleset::{FactId, Raw, RuleSet, Sym, Type, Value};

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
}

/// The layout of a flat case: per member, the text from the end of the previous value
/// (or the start of the line) to the start of its own value, such as `{"id":` or
/// `, "leeftijd": `, and its slot. A case with the same texts between its values has
/// the same keys in the same order, so only its values need reading.
#[derive(Debug, Clone, Default)]
struct Shape {
    /// The texts between the values, one after the other.
    text: Vec<u8>,
    /// Per member: the end of its text in `text`, and its slot.
    members: Vec<(usize, Slot)>,
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
        }
    }

    /// Reads `text` into `case` (every fact of it first unknown); `false` when the text
    /// is not a flat case this reader is sure of (`case` is then meaningless).
    pub fn read(&mut self, rs: &RuleSet, text: &str, case: &mut Case) -> bool {
        self.clear(rs, case);
        if !self.shape.members.is_empty() {
            let shape = std::mem::take(&mut self.shape);
            let read = self.by_shape(rs, text, case, &shape).is_some();
            self.shape = shape;
            if read {
                return true;
            }
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
            case.values.fill(None);
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
        for &(end, slot) in &shape.members {
            let between = shape.text.get(start..end)?;
            if !c.text.get(c.at..)?.starts_with(between) {
                return None;
            }
            c.at += between.len();
            start = end;
            self.value(rs, &mut c, slot, case)?;
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
            r.members.push((r.text.len(), slot));
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
            Slot::Costs => case.costs = Some(read_costs(c.number()?).ok()?),
            Slot::Fact(f) => {
                let value = match self.types.get(f.index()).copied().flatten()? {
                    Type::Bool => Value::Bool(c.boolean()?),
                    Type::Number => {
                        let n = exact(c.number()?)?;
                        rs.convert(rs.fact(f), &Raw::Number(n)).ok()?
                    }
                    Type::Choice(_) => Value::Choice(self.sym(f, c.string()?.as_bytes())?),
                    Type::List(_) => {
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
                        Value::List(syms)
                    }
                    Type::Text => return None,
                };
                *case.values.get_mut(f.index())? = Some(value);
            }
        }
        Some(())
    }

    fn sym(&self, f: FactId, name: &[u8]) -> Option<Sym> {
        self.values.get(f.index())?.get(name).map(|(_, s)| s)
    }
}

/// Names looked up by their bytes: a table with open addressing over an FNV-1a hash,
/// at most half full.
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

fn hash(bytes: &[u8]) -> usize {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    h as usize
}

/// A JSON number as the general reader reads it: a whole number of at most 18 digits
/// directly, any other through [`read_number`].
fn exact(text: &str) -> Option<Decimal> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if text.starts_with("-0") {
        // A negative zero: left to the general reader.
        return None;
    }
    if (1..=18).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = text.parse().ok()?;
        return Some(Decimal::from(n));
    }
    read_number(text).ok()
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
        let rest = self.text.get(start..)?;
        let len = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if rest.get(len) != Some(&b'"') {
            return None;
        }
        self.at = start + len + 1;
        self.source.get(start..start + len)
    }

    /// A JSON number without an exponent: `-?(0|[1-9][0-9]*)(\.[0-9]+)?`.
    fn number(&mut self) -> Option<&'t str> {
        self.skip_space();
        let start = self.at;
        let rest = self.text.get(start..)?;
        let sign = usize::from(rest.first() == Some(&b'-'));
        let digits = |from: usize| {
            rest.get(from..)
                .map_or(0, |r| r.iter().take_while(|b| b.is_ascii_digit()).count())
        };
        let int = digits(sign);
        if int == 0 || (int > 1 && rest.get(sign) == Some(&b'0')) {
            return None;
        }
        let mut len = sign + int;
        if rest.get(len) == Some(&b'.') {
            let frac = digits(len + 1);
            if frac == 0 {
                return None;
            }
            len += 1 + frac;
        }
        if matches!(rest.get(len), Some(b'e' | b'E')) {
            return None;
        }
        self.at = start + len;
        self.source.get(start..start + len)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn a_case_laid_out_as_the_last_one_read_is_read_by_its_shape() {
        let path = Path::new("rules/landelijk.regels");
        let mut sources = crate::source::Sources::new();
        let Ok((rs, _)) = crate::load::load_rules(path, &mut sources) else {
            panic!("the national rules load");
        };
        let mut reader = FlatReader::new(&rs);
        let mut case = Case::empty(&rs);
        let first = r#"{"id": "a", "leeftijd": 9, "soort": "begeleiding"}"#;
        assert!(reader.read(&rs, first, &mut case));
        // Without any key left to look up, only the shape can read a case.
        let keys = std::mem::replace(&mut reader.keys, Names::new(Vec::new()));
        let same = r#"{"id": "b", "leeftijd": 12.5, "soort": "onderwijsondersteuning"}"#;
        assert!(reader.read(&rs, same, &mut case));
        assert_eq!(case.id.as_deref(), Some("b"));
        let leeftijd = rs
            .fact_ids()
            .zip(rs.facts())
            .find(|(_, f)| f.name == "leeftijd");
        let Some((leeftijd, _)) = leeftijd else {
            panic!("the national rules know leeftijd");
        };
        assert_eq!(
            case.values.get(leeftijd.index()),
            Some(&Some(Value::Number(Decimal::new(125, 1))))
        );
        for other in [
            r#"{"id":"b", "leeftijd": 12, "soort": "begeleiding"}"#,
            r#"{"id": "b", "leeftijd": 12}"#,
            r#"{"id": "b", "leeftijd": 12, "soort": "begeleiding", "wlz_indicatie": true}"#,
            r#"{"leeftijd": 12, "id": "b", "soort": "begeleiding"}"#,
            r#"{"id": "b", "leeftijd": 12, "soort": "begeleiding"} x"#,
            r#"{"id": "b", "leeftijd": 12, "soort": "begeleiding","#,
            r#"{"id": "b", "leeftijd": 12, "soort": "onbekend"}"#,
        ] {
            assert!(!reader.read(&rs, other, &mut case), "{other}");
        }
        // A case that was not read leaves the shape as it was.
        assert!(reader.read(&rs, same, &mut case));
        reader.keys = keys;
        assert!(reader.read(&rs, r#"{"id": "c", "leeftijd": 12}"#, &mut case));
        assert_eq!(case.values.iter().flatten().count(), 1);
    }
}
