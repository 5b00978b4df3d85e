//! The direct way of a batch without trace (a flat JSON case read straight into a reused
//! case, the line written from pre-escaped parts) either declines a case or gives
//! exactly what the general way gives: the same case, the same line byte for byte, the
//! same summary. Checked on generated cases written in many ways, right and wrong, on
//! every shipped rule set and on generated ones.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

mod common;

use std::cell::{Cell, RefCell};
use std::path::Path;

use proptest::prelude::*;
use wiebetaalt::batch::{run, InputFormat, Options};
use wiebetaalt::case::flat::FlatReader;
use wiebetaalt::case::{case_from_json_text, Case};
use wiebetaalt::eval::{decide, Scratch};
use wiebetaalt::load::load_rules;
use wiebetaalt::report::json::{write_decision, CompactLine};
use wiebetaalt::ruleset::{Fact, RuleSet, Type};
use wiebetaalt::source::{FileId, Sources};

fn rule_sets() -> Vec<(String, RuleSet)> {
    let mut sets: Vec<(String, RuleSet)> = common::shipped()
        .into_iter()
        .map(|path| {
            let mut sources = Sources::new();
            let rs = load_rules(Path::new(&path), &mut sources).unwrap().0;
            (path, rs)
        })
        .collect();
    for n in [40, 300] {
        sets.push((
            format!("gegenereerd {n}"),
            common::rules(&common::generated::generated_mixed(n)),
        ));
    }
    sets
}

/// Ways to write a value of `fact` in JSON: how many of the first are right, and all.
fn written(rs: &RuleSet, fact: &Fact) -> (usize, Vec<String>) {
    let names: Vec<String> = fact
        .values
        .iter()
        .map(|s| rs.symbols().name(*s).to_string())
        .collect();
    let quoted = |s: &str| format!("\"{s}\"");
    let mut out: Vec<String> = vec!["null".into()];
    let good = match fact.ty {
        Type::Bool => 3,
        Type::Number => 10,
        Type::Choice(_) => 1 + names.len(),
        Type::List(_) => 2 + names.len(),
        Type::Text => 2,
    };
    match fact.ty {
        Type::Bool => {
            out.extend(["true", "false", "\"ja\"", "\"nee\"", "1", "\"true\""].map(String::from))
        }
        Type::Number => {
            let (low, high) = fact
                .bounds
                .map(|(l, h)| (l.to_string(), h.to_string()))
                .unwrap_or(("-100".into(), "100".into()));
            out.extend(
                [
                    "0",
                    "1",
                    "7",
                    "9",
                    "12",
                    "13",
                    "17",
                    "18",
                    "25",
                    "-3",
                    "-0",
                    "007",
                    "12.5",
                    "0.1",
                    "6.0",
                    "1e2",
                    "2.500",
                    "1.250",
                    "\"9\"",
                    "\"12,5\"",
                    "123456789012345678901",
                    "999999999999999999",
                    "-0.5",
                    "3.",
                    ".5",
                ]
                .map(String::from),
            );
            out.push(low);
            out.push(high);
        }
        Type::Choice(_) => {
            out.extend(names.iter().map(|n| quoted(n)));
            for n in &names {
                out.push(quoted(&n.to_uppercase()));
                out.push(quoted(&format!("{n} ")));
            }
            out.extend(["3", "\"b\\u00e9\"", "\"bé\"", "[]"].map(String::from));
        }
        Type::List(_) => {
            let n = names.len();
            let some = |i: usize| -> Vec<String> {
                names
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| !(i + j).is_multiple_of(3))
                    .map(|(_, s)| quoted(s))
                    .collect()
            };
            out.push("[]".into());
            out.extend((0..n).map(|i| {
                let mut items = some(i);
                if i % 2 == 1 {
                    items.reverse();
                }
                format!("[{}]", items.join(","))
            }));
            for (i, name) in names.iter().enumerate() {
                out.push(format!("[ {} ]", some(i).join(" , ")));
                out.push(format!("[{},{}]", quoted(name), quoted(name)));
            }
            out.extend(["[null]", "[1]", "[[]]", "\"x\"", "[\"x\"]", "[\"a\",]"].map(String::from));
        }
        Type::Text => out.extend(["\"tekst\"", "\"é\"", "\"a\\nb\""].map(String::from)),
    }
    out.extend(["{}", "\"x\\\"y\""].map(String::from));
    (good.min(out.len()), out)
}

/// A key, how many of its ways to write a value are right, and those ways.
type Entry = (String, usize, Vec<String>);

/// Keys and ways to write their values, right and wrong; the last two keys are wrong.
fn entries(rs: &RuleSet) -> Vec<Entry> {
    let mut out: Vec<Entry> = rs
        .facts()
        .iter()
        .map(|f| {
            let (good, all) = written(rs, f);
            (f.name.clone(), good, all)
        })
        .collect();
    let ids = [
        "\"c1\"",
        "\"casus 7\"",
        "\"é\"",
        "null",
        "\"c\\u0031\"",
        "12",
        "{}",
        "\"a\tb\"",
    ];
    let dates = [
        "\"2025-09-01\"",
        "\"2026-03-01\"",
        "\"1-9-2025\"",
        "null",
        "\"2025-02-30\"",
        "\"2030-01-01\"",
        "20250901",
    ];
    let costs = [
        "100",
        "12.34",
        "0",
        "0.10",
        "99.9",
        "12.345",
        "-5",
        "-0",
        "\"100\"",
        "1e3",
        "2.500",
        "1000000000001",
    ];
    for (key, good, values) in [
        ("id", 4, &ids[..]),
        ("peildatum", 2, &dates[..]),
        ("kosten", 5, &costs[..]),
    ] {
        out.push((
            key.into(),
            good,
            values.iter().map(|v| v.to_string()).collect(),
        ));
    }
    out.push(("naam".into(), 0, vec!["\"Piet\"".into()]));
    if let Some(f) = rs.facts().first() {
        out.push((f.name.to_uppercase(), 0, vec!["true".into(), "1".into()]));
    }
    out
}

/// A JSON text of some of `entries`: each chosen key with one of its values, in the
/// chosen order, with white space; mostly right, sometimes a wrong key or value, a key
/// twice or a broken end.
fn text(entries: &[Entry], picks: &[(usize, usize, usize)], end: usize) -> String {
    let spaces = ["", "", " ", "\t", " \r"];
    let parts: Vec<String> = picks
        .iter()
        .map(|&(k, v, s)| {
            // One pick in eight may be wrong.
            let wrong = v % 8 == 0;
            let keys = if wrong {
                entries.len()
            } else {
                entries.len() - 2
            };
            let (key, good, values) = &entries[k % keys];
            let value = if wrong || *good == 0 {
                &values[v % values.len()]
            } else {
                &values[v % good]
            };
            let space = spaces[s % spaces.len()];
            format!("{space}\"{key}\"{space}:{space}{value}")
        })
        .collect();
    let body = parts.join(",");
    match end % 12 {
        0 => format!("{{{body}}} \r\n"),
        1 => format!("{{{body},}}"),
        2 => format!("{{{body}}} x"),
        3 => format!("[{{{body}}}]"),
        4 => format!("{{{body}"),
        _ => format!("{{{body}}}\n"),
    }
}

#[test]
fn the_direct_way_declines_or_reads_and_writes_exactly_as_the_general_way() {
    let date = common::date(common::DATE);
    for (name, rs) in rule_sets() {
        let entries = entries(&rs);
        let n = entries.len();
        let compact = CompactLine::new(&rs, date);
        let state = RefCell::new((FlatReader::new(&rs), Case::empty(&rs), Scratch::new()));
        let (tried, read, written) = (Cell::new(0), Cell::new(0), Cell::new(0));
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 600,
            ..ProptestConfig::default()
        });
        let picks = prop::collection::vec((0..n, 0usize..64, 0usize..5), 0..n.min(8));
        runner
            .run(&(picks, 0usize..48), |(picks, end)| {
                let text = text(&entries, &picks, end);
                tried.set(tried.get() + 1);
                let (reader, case, scratch) = &mut *state.borrow_mut();
                if !reader.read(&rs, &text, case) {
                    return Ok(());
                }
                read.set(read.get() + 1);
                let general = case_from_json_text(&text, FileId(0), &rs);
                prop_assert_eq!(Ok(&*case), general.as_ref().map_err(|_| ()), "{}", text);
                let date = case.reference_date.unwrap_or(date);
                let (Some(line), Ok(verdict)) = (&compact, decide(&rs, scratch, &*case, date))
                else {
                    return Ok(());
                };
                let mut direct = Vec::new();
                line.write(&mut direct, case, &verdict, scratch);
                let decision = scratch.decision(&rs, verdict, &*case);
                let mut general = Vec::new();
                write_decision(&mut general, &rs, case, &decision);
                prop_assert_eq!(
                    String::from_utf8(direct).unwrap(),
                    String::from_utf8(general).unwrap(),
                    "{}",
                    text
                );
                written.set(written.get() + 1);
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // The generator writes enough cases the direct way reads for this to test it.
        let (tried, read, written) = (tried.get(), read.get(), written.get());
        assert!(read * 5 > tried, "{name}: {read} of {tried} read");
        if compact.is_some() {
            assert!(written * 2 > read, "{name}: {written} of {read} written");
        }
    }
}

/// After a case, one laid out alike is read with its own values, and one laid out
/// otherwise (another space, a key more or less, another order, a broken end) is read
/// as the general reader reads it or declined; the layout of the last case read stays.
#[test]
fn a_case_laid_out_as_the_last_one_gets_its_own_values() {
    let mut sources = Sources::new();
    let rs = load_rules(Path::new("rules/landelijk.regels"), &mut sources)
        .unwrap()
        .0;
    let mut reader = FlatReader::new(&rs);
    let mut case = Case::empty(&rs);
    let general = |text: &str| case_from_json_text(text, FileId(0), &rs).ok();
    let first = r#"{"id": "a", "leeftijd": 9, "soort": "begeleiding"}"#;
    let same = r#"{"id": "b", "leeftijd": 12.5, "soort": "onderwijsondersteuning"}"#;
    for text in [first, same] {
        assert!(reader.read(&rs, text, &mut case));
        assert_eq!(Some(&case), general(text).as_ref(), "{text}");
    }
    for other in [
        r#"{"id":"b", "leeftijd": 12, "soort": "begeleiding"}"#,
        r#"{"id": "b", "leeftijd": 12}"#,
        r#"{"id": "b", "leeftijd": 12, "soort": "begeleiding", "wlz_indicatie": true}"#,
        r#"{"leeftijd": 12, "id": "b", "soort": "begeleiding"}"#,
        r#"{"id": "b", "leeftijd": 12, "soort": "begeleiding"} x"#,
        r#"{"id": "b", "leeftijd": 12, "soort": "begeleiding","#,
        r#"{"id": "b", "leeftijd": 12, "soort": "onbekend"}"#,
        r#"{"id": "b", "leeftijd": 31, "soort": "begeleiding"}"#,
        r#"{"id": "b", "leeftijd": null, "soort": null}"#,
        same,
    ] {
        let read = reader.read(&rs, other, &mut case).then_some(&case);
        match general(other) {
            Some(c) if read.is_some() => assert_eq!(read, Some(&c), "{other}"),
            _ => assert_eq!(read, None, "{other}"),
        }
    }
}

/// Cases read one after the other by one reader, mostly laid out alike (the same keys,
/// order and white space, other values), sometimes not: each is read as the general
/// reader reads it, whether the reader goes by the last case's layout or not.
#[test]
fn cases_laid_out_alike_are_read_as_the_general_way_reads_them() {
    for (name, rs) in rule_sets() {
        let entries = entries(&rs);
        let n = entries.len();
        let state = RefCell::new((FlatReader::new(&rs), Case::empty(&rs)));
        let (tried, read) = (Cell::new(0), Cell::new(0));
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 200,
            ..ProptestConfig::default()
        });
        let picks = prop::collection::vec((0..n, 0usize..64, 0usize..5), 1..n.min(8));
        // Per later case: other values (the same key: a multiple of eight further), and
        // now and then another space, key or end.
        let later = prop::collection::vec(
            (prop::collection::vec(0usize..8, 8), 0usize..24, 0usize..48),
            1..6,
        );
        runner
            .run(&(picks, 0usize..48, later), |(picks, end, later)| {
                let (reader, case) = &mut *state.borrow_mut();
                let first = text(&entries, &picks, end);
                let _ = reader.read(&rs, &first, case);
                for (steps, change, end) in later {
                    let mut picks = picks.clone();
                    for (pick, step) in picks.iter_mut().zip(&steps) {
                        pick.1 += 8 * step;
                    }
                    let at = change % picks.len();
                    match change {
                        0..=2 => picks[at].2 += 1 + change,
                        3 => picks[at].0 += 1,
                        4 if picks.len() > 1 => picks.swap(0, at.max(1)),
                        5 => {
                            picks.pop();
                        }
                        6 => picks.push(picks[at]),
                        _ => {}
                    }
                    let end = if change < 16 { end } else { 5 };
                    let text = text(&entries, &picks, end);
                    tried.set(tried.get() + 1);
                    if !reader.read(&rs, &text, case) {
                        continue;
                    }
                    read.set(read.get() + 1);
                    let general = case_from_json_text(&text, FileId(0), &rs);
                    prop_assert_eq!(Ok(&*case), general.as_ref().map_err(|_| ()), "{}", text);
                }
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let (tried, read) = (tried.get(), read.get());
        assert!(read * 5 > tried, "{name}: {read} of {tried} read");
    }
}

/// A batch without trace (the direct way where it can) and with trace (never the
/// direct way) give the same summary, and the same lines apart from the trace.
#[test]
fn a_batch_without_trace_decides_as_one_with_trace() {
    for (name, rs) in rule_sets() {
        let entries = entries(&rs);
        let n = entries.len();
        let mut input = String::new();
        let mut numbers = common::generated::numbers(0x2545_f491_4f6c_dd1d);
        let mut next = |m: usize| numbers(m as u64) as usize;
        for _ in 0..2000 {
            let picks: Vec<(usize, usize, usize)> = (0..next(n.min(8)))
                .map(|_| (next(n), next(64), next(5)))
                .collect();
            let end = next(48);
            let line = text(&entries, &picks, end);
            input.push_str(line.trim_end_matches(['\r', '\n']));
            input.push('\n');
        }
        let batch = |trace: bool| {
            let mut out = Vec::new();
            let summary = run(
                &rs,
                Box::new(std::io::Cursor::new(input.clone().into_bytes())),
                InputFormat::Jsonl,
                &mut out,
                None,
                Options {
                    trace,
                    reference_date: common::date(common::DATE),
                    workers: 2,
                },
                &mut |_, _| {},
            )
            .unwrap();
            (summary, String::from_utf8(out).unwrap())
        };
        let (without, lines_without) = batch(false);
        let (with, lines_with) = batch(true);
        assert_eq!(without, with, "{name}");
        assert_eq!(lines_without.lines().count(), 2000, "{name}");
        for (a, b) in lines_without.lines().zip(lines_with.lines()) {
            let a: serde_json::Value = serde_json::from_str(a).unwrap();
            let mut b: serde_json::Value = serde_json::from_str(b).unwrap();
            if let Some(trace) = b.get_mut("trace") {
                *trace = serde_json::json!([]);
            }
            if let Some(parts) = b.get_mut("decisions").and_then(|d| d.as_object_mut()) {
                for part in parts.values_mut() {
                    part["trace"] = serde_json::json!([]);
                }
            }
            assert_eq!(a, b, "{name}");
        }
    }
}

/// Lines whole in the reader's buffer are checked as UTF-8 all at once; lines that are
/// not (a small buffer) one by one. Both give every line the same item: the same
/// output, byte for byte, for lines that are right, not UTF-8 (a stray byte, a sequence
/// cut off before the line end or spanning it), start with a byte-order mark, are
/// blank or only white space beyond ASCII, or end in `\r\n`.
#[test]
fn lines_are_read_alike_in_a_buffer_of_any_size() {
    let (_, rs) = rule_sets().swap_remove(0);
    let pool: [&[u8]; 12] = [
        b"{\"id\": \"a\"}\n",
        b"{\"id\":\"b\",\"kosten\":12}\r\n",
        b"{\"id\": \"c\xff\"}\n",
        b"{\"id\": \"d\xc3\n",
        b"\xa9\"}\n",
        "\u{feff}{\"id\": \"e\"}\n".as_bytes(),
        "{\"id\": \"\u{feff}f\u{e9}\"}\n".as_bytes(),
        b"\n",
        "\u{a0}\u{3000} \n".as_bytes(),
        b"\xf0\x9f\x98\n",
        b"geen json\n",
        "{\"id\": \"\u{1f600}\"}\n".as_bytes(),
    ];
    let batch = |input: &[u8], capacity: usize| batch_read_in_pieces(&rs, input, capacity);
    proptest::proptest!(ProptestConfig::with_cases(200), |(picks in prop::collection::vec(0..pool.len(), 1..24))| {
        let input: Vec<u8> = picks.iter().flat_map(|&i| pool[i].iter().copied()).collect();
        let whole = batch(&input, 1 << 20);
        for capacity in [3, 16, 61] {
            let (result, out) = batch(&input, capacity);
            prop_assert_eq!(&result, &whole.0, "{} bytes at a time", capacity);
            prop_assert!(out == whole.1, "{} bytes at a time:\n{}\n{}", capacity, out, whole.1);
        }
    });
}

/// Whether a JSON input is one array of cases or JSON Lines is found out the same
/// however it arrives: in one piece or a byte at a time (standard input), also when it
/// starts with lines of white space, a byte-order mark (whole, cut short, or after white
/// space) or both; and the lines keep their numbers.
#[test]
fn a_json_input_starts_the_same_in_pieces_of_any_size() {
    let (_, rs) = rule_sets().swap_remove(0);
    let starts: [&[u8]; 9] = [
        b"",
        b"\n",
        b"  \r\n\t\n",
        b"   ",
        "\u{feff}".as_bytes(),
        b"\xef\xbb",
        b"\xef",
        "\n \u{feff}".as_bytes(),
        "\u{feff} ".as_bytes(),
    ];
    let bodies: [&[u8]; 7] = [
        b"[{\"id\": \"a\"},\n {\"id\": \"b\", \"kosten\": 5}]\n",
        b"[{\"id\": \"a\"},\n {\"id\": }]\n",
        b"[{\"id\": \"a\"}]\n{\"id\": \"b\"}\n",
        b"{\"id\": \"a\"}\n\n{\"id\": \"b\"\n\xff\n",
        b"{\"id\": \"a\"}",
        b"[\"\xff\"]",
        b"",
    ];
    let batch = |input: &[u8], capacity: usize| batch_read_in_pieces(&rs, input, capacity);
    for first in starts {
        for second in starts {
            for body in bodies {
                let input = [first, second, body].concat();
                let whole = batch(&input, 1 << 20);
                for capacity in [1, 2, 3, 5] {
                    assert_eq!(
                        batch(&input, capacity),
                        whole,
                        "{} bytes at a time: {:?}",
                        capacity,
                        String::from_utf8_lossy(&input)
                    );
                }
            }
        }
    }
    // The lines of white space before an array count in its places.
    let (result, _) = batch(b"\n\n[{\"id\": }]", 1);
    assert!(result.contains("regel 3, kolom"), "{result}");
}

/// A JSON Lines batch without trace, its input read `capacity` bytes at a time: the
/// result (the summary or the error) as its debug text, and the output.
fn batch_read_in_pieces(rs: &RuleSet, input: &[u8], capacity: usize) -> (String, String) {
    let mut out = Vec::new();
    let reader = std::io::BufReader::with_capacity(capacity, std::io::Cursor::new(input.to_vec()));
    let result = run(
        rs,
        Box::new(reader),
        InputFormat::Jsonl,
        &mut out,
        None,
        Options {
            trace: false,
            reference_date: common::date(common::DATE),
            workers: 1,
        },
        &mut |_, _| {},
    );
    (
        format!("{result:?}"),
        String::from_utf8_lossy(&out).into_owned(),
    )
}
