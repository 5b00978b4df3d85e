//! A generated rule set shared by the benchmarks and the tests.

/// A deterministic sequence (xorshift64 from `seed`): each call gives a number below
/// the `n` it is given.
pub fn numbers(mut seed: u64) -> impl FnMut(u64) -> u64 {
    move |n| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    }
}

/// A generated rule set of `rules` rules over 20 facts (8 yes/no, 6 choices, 4 numbers,
/// 2 lists), each condition two or three comparisons, every tenth rule an exception to
/// an earlier one. Deterministic.
pub fn generated(rules: usize) -> String {
    let mut next = numbers(0x2545_f491_4f6c_dd1d);
    let mut t =
        String::from("regelset \"Gegenereerd\"\ndomein d0\ndomein d1\ndomein d2\ndomein d3\n");
    for i in 0..8 {
        t.push_str(&format!("feit b{i}: ja/nee\n"));
    }
    for i in 0..6 {
        t.push_str(&format!("feit k{i}: keuze(v0, v1, v2, v3, v4)\n"));
    }
    for i in 0..4 {
        t.push_str(&format!("feit n{i}: getal tussen 0 en 100\n"));
    }
    for i in 0..2 {
        t.push_str(&format!("feit l{i}: lijst(m0, m1, m2, m3, m4, m5)\n"));
    }
    for r in 0..rules {
        let atoms: Vec<String> = (0..2 + next(2))
            .map(|_| match next(4) {
                0 => format!("{}b{}", if next(2) == 0 { "niet " } else { "" }, next(8)),
                1 => format!("k{} is v{}", next(6), next(5)),
                2 => format!(
                    "n{} {} {}",
                    next(4),
                    ["<", ">=", "minder dan", "ten minste"][next(4) as usize],
                    next(10) * 10
                ),
                _ => format!("l{} bevat m{}", next(2), next(6)),
            })
            .collect();
        t.push_str(&format!("regel r{r}\n"));
        if r % 10 == 9 {
            t.push_str(&format!("  uitzondering op r{}\n", next(r as u64)));
        }
        t.push_str(&format!(
            "  als {}\n  dan d{}\n",
            atoms.join(" en "),
            next(4)
        ));
    }
    t.push_str("anders d0\n");
    t
}

/// Like [`generated`], with parts that read several facts: `of` between facts, `niet` of
/// an `en`, and concepts (an `en` concept opened into the rule's parts, an `of` concept
/// over two facts), used as a whole and negated; and validity periods, some of which
/// exclude 2025-09-01. Deterministic.
pub fn generated_mixed(rules: usize) -> String {
    let mut next = numbers(0x9e37_79b9_7f4a_7c15);
    let mut t = generated(0)
        .trim_end()
        .trim_end_matches("anders d0")
        .to_string();
    t.push_str("\nbegrip jong = n0 minder dan 18 en b0\n");
    t.push_str("begrip ver_of_beperkt = n1 meer dan 60 of b1\n");
    t.push_str("begrip druk = k0 in [v0, v1] en l0 bevat m2 en n2 ten minste 30\n");
    let atom = |next: &mut dyn FnMut(u64) -> u64| match next(9) {
        0 => format!("b{}", next(8)),
        1 => format!("k{} is v{}", next(6), next(5)),
        2 => format!("n{} ten minste {}", next(4), next(10) * 10),
        3 => format!("l{} bevat m{}", next(2), next(6)),
        4 => format!("(b{} of k{} is v{})", next(8), next(6), next(5)),
        5 => format!(
            "niet (n{} < {} en l{} bevat m{})",
            next(4),
            next(10) * 10,
            next(2),
            next(6)
        ),
        6 => ["jong", "niet jong", "druk", "niet druk"][next(4) as usize].to_string(),
        7 => ["ver_of_beperkt", "niet ver_of_beperkt"][next(2) as usize].to_string(),
        _ => format!(
            "(b{} of b{} of n{} >= {})",
            next(8),
            next(8),
            next(4),
            next(10) * 10
        ),
    };
    for r in 0..rules {
        let atoms: Vec<String> = (0..2 + next(2)).map(|_| atom(&mut next)).collect();
        t.push_str(&format!("\nregel r{r}\n"));
        if r % 10 == 9 {
            t.push_str(&format!("  uitzondering op r{}\n", next(r as u64)));
        }
        t.push_str(&format!("  als {}\n  dan d{}", atoms.join(" en "), next(4)));
        // Some rules not valid on the tests' reference date (2025-09-01).
        match r % 7 {
            3 => t.push_str("\n  geldig vanaf 2025-10-01"),
            5 => t.push_str("\n  geldig tot 2025-09-01"),
            6 => t.push_str("\n  geldig vanaf 2025-01-01 tot 2026-01-01"),
            _ => {}
        }
    }
    t.push_str("\nanders d0\n");
    t
}
