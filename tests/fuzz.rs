//! Every input a fuzzer found a fault with, replayed through the same code as the fuzz
//! targets (`fuzz/harness.rs`): `tests/fuzz/<target>/<input>`. A fault fixed stays fixed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

#[path = "../fuzz/harness.rs"]
mod harness;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = std::path::Path::new("tests/fuzz").join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        run(&std::fs::read(&path).unwrap());
        n += 1;
    }
    assert!(n > 0, "{} holds no inputs", dir.display());
}

#[test]
fn rule_texts_that_once_failed() {
    replay("rules", harness::rules);
}

#[test]
fn cases_that_once_failed() {
    replay("case", harness::case);
}

#[test]
fn batches_that_once_failed() {
    replay("batch", harness::batch);
}
