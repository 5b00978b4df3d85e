//! The national file decides every case described in the shared vocabulary, and its
//! worked activities decide with the facts they name and no more.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

mod common;

use wiebetaalt::analysis::space::Space;
use wiebetaalt::analysis::{decide, explore, next_var, Probe, View};
use wiebetaalt::case::Case;
use wiebetaalt::eval::{evaluate, Status, Waiting};
use wiebetaalt::ruleset::{RuleSet, Type};

/// The shared case vocabulary of `domain.md` (a contract every rule file keeps): the
/// facts a consultant can give for any region.
const VOCABULARY: [(&str, &str); 14] = [
    ("soort", "keuze(onderwijsondersteuning, begeleiding, persoonlijke_verzorging, verpleging, behandeling, paramedische_therapie, diagnostiek, vervoer, hulpmiddel, preventie, jeugdgezondheidszorg, opvoedondersteuning, onderwijs_thuis)"),
    ("gericht_op", "keuze(onderwijsprogramma, ontwikkeling, opvoeding, zelfredzaamheid, gezondheid)"),
    ("ook_buiten_school_nodig", "ja/nee"),
    ("wlz_indicatie", "ja/nee"),
    ("leeftijd", "getal tussen 0 en 30"),
    ("schooltype", "keuze(po, sbo, so, vo, vso, mbo)"),
    ("problematiek", "lijst(eed, dyslexie, dyscalculie, hoogbegaafdheid, adhd, autisme, angst_depressie, gedrag, lichamelijke_beperking, verstandelijke_beperking, chronische_ziekte)"),
    ("didactisch_resistent", "ja/nee"),
    ("enkelvoudig", "ja/nee"),
    ("verbonden_met_verpleging", "ja/nee"),
    ("afstand_km", "getal tussen 0 en 500"),
    ("structurele_beperking", "ja/nee"),
    ("gebruikt_thuis", "ja/nee"),
    ("onder_schooltijd", "ja/nee"),
];

fn national() -> RuleSet {
    let mut sources = wiebetaalt::source::Sources::new();
    wiebetaalt::load::load_rules(std::path::Path::new("rules/landelijk.regels"), &mut sources)
        .unwrap_or_else(|_| panic!("rules/landelijk.regels has errors"))
        .0
}

/// Every shipped file declares the vocabulary with exactly these types and values, so
/// one case can be put to every region.
#[test]
fn every_shipped_file_speaks_the_shared_vocabulary() {
    for file in common::shipped() {
        let mut sources = wiebetaalt::source::Sources::new();
        let rs = wiebetaalt::load::load_rules(std::path::Path::new(&file), &mut sources)
            .unwrap_or_else(|_| panic!("{file} has errors"))
            .0;
        for (name, ty) in VOCABULARY {
            let id = rs
                .fact_id(name)
                .unwrap_or_else(|| panic!("{file} lacks `{name}`"));
            let fact = rs.fact(id);
            let values: Vec<&str> = fact.values.iter().map(|v| rs.symbols().name(*v)).collect();
            let declared = match (fact.ty, fact.bounds) {
                (Type::Choice(_), _) => format!("keuze({})", values.join(", ")),
                (Type::List(_), _) => format!("lijst({})", values.join(", ")),
                (Type::Bool, _) => "ja/nee".to_string(),
                (Type::Number, Some((lo, hi))) => format!("getal tussen {lo} en {hi}"),
                (Type::Number, None) => "getal".to_string(),
                (Type::Text, _) => "tekst".to_string(),
            };
            assert_eq!(declared, ty, "{file}: `{name}`");
        }
    }
}

/// Explores the whole space of the national file, giving facts of the vocabulary only:
/// wherever the decision is still incomplete, the next question is a fact of the
/// vocabulary. So every complete case over the vocabulary is decided (beslist, grijs
/// gebied or conflict), at every period of the file.
#[test]
fn the_national_file_decides_every_case_of_the_vocabulary() {
    let rs = national();
    let names: Vec<&str> = VOCABULARY.iter().map(|(n, _)| *n).collect();
    for date in wiebetaalt::analysis::epochs(&[&rs], common::date(common::DATE)) {
        let mut space = Space::of(&rs);
        let mut budget = wiebetaalt::analysis::BUDGET;
        let mut stuck: Vec<String> = Vec::new();
        let mut leaves = 0usize;
        explore(&mut space, &mut budget, &mut |space, last| {
            let d = decide(space, View::FIRST, date).unwrap();
            if d.views().all(|v| v.status != Status::Incomplete) {
                leaves += 1;
                return Probe::Leaf(());
            }
            match next_var(space, View::FIRST, &d, Waiting::Result).unwrap() {
                Some(var) if !last && names.contains(&space.vars[var].fact.as_str()) => {
                    Probe::Branch(var)
                }
                next => {
                    let asks = next.map_or("niets".to_string(), |v| space.vars[v].fact.clone());
                    stuck.push(format!(
                        "{} asks {asks}",
                        serde_json::Value::Object(space.example(View::FIRST))
                    ));
                    Probe::Leaf(())
                }
            }
        });
        assert!(budget > 0, "the exploration ran out of budget");
        assert!(
            leaves > 20,
            "only {leaves} regions: the exploration did not run"
        );
        assert!(
            stuck.is_empty(),
            "incomplete at {date}:\n{}",
            stuck.join("\n")
        );
    }
}

/// The worked activities of `domain.md`: the activity, the example of the national
/// file that describes it, and the outcome the table gives.
const WORKED: [(&str, &str, &str); 22] = [
    (
        "Remedial teaching for reading in class",
        "Remedial teaching voor lezen in de klas",
        "onderwijs",
    ),
    (
        "Homework and planning help so a pupil keeps up",
        "Huiswerk- en planningshulp zodat de leerling bijblijft",
        "onderwijs",
    ),
    (
        "Extra time and read-aloud software for dyslexia",
        "Extra tijd en voorleessoftware bij dyslexie",
        "onderwijs",
    ),
    (
        "Dyscalculia support in class",
        "Dyscalculiebegeleiding in de klas",
        "onderwijs",
    ),
    ("Dyscalculia diagnosis", "Diagnose dyscalculie", "ouders"),
    (
        "EED diagnosis, po, age 9, resistant, enkelvoudig",
        "EED-diagnostiek, po, 9 jaar, didactisch resistent, enkelvoudig",
        "jeugdwet",
    ),
    (
        "EED diagnosis for a vo pupil aged 14",
        "EED-diagnostiek voor een vo-leerling van 14",
        "ouders",
    ),
    (
        "Insulin injections at school, age 10, no Wlz",
        "Insuline-injecties op school, 10 jaar, geen Wlz",
        "zvw",
    ),
    (
        "Same with a Wlz-indicatie",
        "Insuline-injecties op school met een Wlz-indicatie",
        "wlz",
    ),
    (
        "Help with the toilet at school, age 8, not tied to nursing, no Wlz",
        "Hulp bij toiletgang op school, 8 jaar, niet bij verpleging, geen Wlz",
        "jeugdwet",
    ),
    (
        "Begeleiding in breaks for a 16-year-old with autism, needed at home too",
        "Begeleiding in de pauzes, 16 jaar, autisme, ook thuis nodig",
        "jeugdwet",
    ),
    (
        "The same for a 19-year-old in vso",
        "Dezelfde begeleiding voor een leerling van 19 in het vso",
        "wmo",
    ),
    (
        "One-to-one help in class to follow lessons",
        "Een-op-eenhulp in de klas om de lessen te volgen",
        "onderwijs",
    ),
    (
        "Child psychologist treating anxiety",
        "Kinderpsycholoog behandelt angst",
        "jeugdwet",
    ),
    ("Physiotherapy at school", "Fysiotherapie op school", "zvw"),
    (
        "Parenting support for the parents",
        "Opvoedondersteuning voor de ouders",
        "jeugdwet",
    ),
    (
        "Taxi to a special school 14 km away",
        "Taxi naar een speciale school op 14 km",
        "gemeente_onderwijswet",
    ),
    (
        "Transport 2 km, no disability",
        "Vervoer over 2 km zonder beperking",
        "ouders",
    ),
    (
        "Screening by the school nurse",
        "Screening door de jeugdverpleegkundige",
        "jgz",
    ),
    (
        "Braille display used only at school",
        "Brailleleesregel die alleen op school wordt gebruikt",
        "onderwijs",
    ),
    (
        "Teaching at home paid from a youth-help budget",
        "Onderwijs thuis, betaald uit een jeugdhulpbudget",
        "onderwijs",
    ),
    (
        "Gifted pupil, stuck, psychological complaints",
        "Vastgelopen hoogbegaafde leerling met psychische klachten (grijs gebied)",
        "verdeel onderwijs 50%, jeugdwet 50%",
    ),
];

/// Every worked activity is an example of the national file that decides (never
/// incomplete) to the table's outcome with facts of the shared vocabulary alone: the
/// taxi to a special school is transport aimed at the educational programme, and
/// nothing else is asked for it.
#[test]
fn every_worked_activity_decides_with_the_vocabulary_alone() {
    let rs = national();
    let names: Vec<&str> = VOCABULARY.iter().map(|(n, _)| *n).collect();
    for (activity, name, outcome) in WORKED {
        let example = rs
            .examples()
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("no example for \"{activity}\""));
        let mut case = Case::empty(&rs);
        for (f, v) in &example.given {
            assert!(
                names.contains(&rs.fact_name(*f)),
                "\"{name}\" gives `{}`, which is not in the vocabulary",
                rs.fact_name(*f)
            );
            case.values[f.index()] = Some(v.clone());
        }
        let d = evaluate(&rs, &case, example.reference_date.unwrap()).unwrap();
        assert_ne!(
            d.status,
            Status::Incomplete,
            "\"{name}\" asks {:?}",
            d.missing
        );
        let got = d.outcome.as_ref().map(|o| rs.outcome_words(o));
        assert_eq!(got.as_deref(), Some(outcome), "\"{name}\"");
    }
}
