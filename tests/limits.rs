//! Inputs at and beyond the depth limits: accepted and evaluated up to the limit,
//! refused with `too-deep` beyond it, and never a stack overflow. These run on test
//! threads, whose stacks are smaller than the binary's main thread.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

mod common;

use common::{decide, load_files, rules};
use wiebetaalt::eval::Status;

fn codes(text: &str) -> Vec<String> {
    match load_files(&[("x.regels", text)]).0 {
        Ok(_) => Vec::new(),
        Err(p) => p.iter().map(|p| p.code.as_str().to_string()).collect(),
    }
}

fn with_condition(condition: &str) -> String {
    format!("regelset \"X\" domein a domein b feit p: ja/nee feit n: getal regel r als {condition} dan a\nanders b")
}

fn concept_chain(n: usize) -> String {
    let mut s = String::from("regelset \"X\" domein a domein b feit p: ja/nee begrip c0 = p\n");
    for i in 1..n {
        s.push_str(&format!("begrip c{i} = c{} en p\n", i - 1));
    }
    s.push_str(&format!("regel r als c{} dan a\nanders b", n - 1));
    s
}

#[test]
fn long_chains_of_en_up_to_the_limit() {
    let ok = with_condition(&vec!["p"; 120].join(" en "));
    let rs = rules(&ok);
    assert_eq!(decide(&rs, "{p: ja}").status, Status::Decided);
    assert_eq!(
        codes(&with_condition(&vec!["p"; 20_000].join(" en "))),
        ["too-deep"]
    );
}

#[test]
fn long_runs_of_prefix_operators() {
    assert_eq!(
        codes(&with_condition(&format!("{}p", "niet ".repeat(20_000)))),
        ["too-deep"]
    );
    assert_eq!(
        codes(&with_condition(&format!("{}n > 1", "-".repeat(20_000)))),
        ["too-deep"]
    );
    let rs = rules(&with_condition(&format!("{}p", "niet ".repeat(100))));
    assert_eq!(decide(&rs, "{p: ja}").status, Status::Decided);
}

#[test]
fn nested_parentheses() {
    let nest = |d: usize| with_condition(&format!("{}p{}", "(".repeat(d), ")".repeat(d)));
    let rs = rules(&nest(60));
    assert_eq!(decide(&rs, "{p: ja}").status, Status::Decided);
    assert_eq!(codes(&nest(100)), ["too-deep"]);
    assert_eq!(codes(&nest(100_000)), ["too-deep"]);
}

#[test]
fn concepts_in_concepts() {
    let rs = rules(&concept_chain(100));
    assert_eq!(decide(&rs, "{p: ja}").status, Status::Decided);
    // The longest chain that is accepted is evaluated too: find it and decide with it.
    let longest = (100..200)
        .take_while(|n| codes(&concept_chain(*n)).is_empty())
        .last()
        .unwrap();
    assert!(
        longest >= 120,
        "a chain of {longest} concepts is the longest accepted"
    );
    let rs = rules(&concept_chain(longest));
    assert_eq!(decide(&rs, "{p: ja}").status, Status::Decided);
    assert_eq!(codes(&concept_chain(5_000)), ["too-deep"]);
}

#[test]
fn long_chains_of_exceptions() {
    let n = 20_000;
    let mut s =
        String::from("regelset \"X\" domein a domein b feit p: ja/nee regel r0 als p dan a\n");
    for i in 1..n {
        s.push_str(&format!(
            "regel r{i} uitzondering op r{} als p dan {}\n",
            i - 1,
            ["a", "b"][i % 2]
        ));
    }
    s.push_str("anders b");
    let rs = rules(&s);
    let d = decide(&rs, "{p: ja}");
    assert_eq!(d.status, Status::Decided);
    assert_eq!(d.trace.len(), n);
}

/// `gebaseerd op` stays inside the rule file's own directory and reads regular
/// `.regels` files only, of bounded size: a path out (absolute, `..`), a link, a pipe or
/// a huge file is refused at the `gebaseerd op` line, and nothing of the target is shown.
#[test]
fn bases_are_confined_to_the_rule_files_directory() {
    let dir = common::temp_dir("bases");
    let rule = |name: &str, base: &str| {
        let path = dir.join(name);
        std::fs::write(
            &path,
            format!("regelset \"X\"\n  gebaseerd op \"{base}\"\ndomein a\nanders a\n"),
        )
        .unwrap();
        path.display().to_string()
    };
    std::fs::write(dir.join("geheim.txt"), "root:x:0:0:geheim\n").unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("geheim.txt"), dir.join("link.regels")).unwrap();
        let _ = std::process::Command::new("mkfifo")
            .arg(dir.join("pijp.regels"))
            .status();
    }
    std::fs::write(dir.join("groot.regels"), "# x\n".repeat(1_100_000)).unwrap();
    let table: &[(&str, &str)] = &[
        ("/proc/self/environ", "buiten de map"),
        ("../geheim.txt", "buiten de map"),
        ("geheim.txt", "geen `.regels`-bestand"),
        ("link.regels", "geen gewoon bestand"),
        ("pijp.regels", "geen gewoon bestand"),
        ("groot.regels", "groter dan 4 MiB"),
    ];
    for (i, (base, why)) in table.iter().enumerate() {
        let path = rule(&format!("r{i}.regels"), base);
        let o = common::run(&["check", &path], None);
        assert_eq!(o.status.code(), Some(1), "{base}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(why), "{base}: {err}");
        assert!(
            err.contains("gebaseerd op"),
            "{base}: the place is shown: {err}"
        );
        assert!(
            !err.contains("root:x"),
            "{base}: the target is shown: {err}"
        );
    }
    // The rule file itself: only a regular `.regels` file is read.
    let o = common::run(
        &["check", &dir.join("geheim.txt").display().to_string()],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("root:x"));
}
