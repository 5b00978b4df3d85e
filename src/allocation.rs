//! Cost allocation: a case's `kosten` divided between the payers of its decision, to
//! the cent.
//!
//! The payers come from the decision's payment ([`crate::eval::Payment::by_payer`]):
//! domains that share a payer (the gemeente pays for both Jeugdwet and Wmo) are added up
//! there. Each payer gets the whole cents of its share; the cents that are left (at most
//! one per payer) go to the payers with the largest remainders, earlier payers first on
//! a tie. The parts therefore always add up exactly to the costs, and the same case is
//! always divided the same way.

use rust_decimal::Decimal;

/// The amount in euros of each payer's share (percent of the whole), in the order of the
/// shares. `costs` has at most two decimals (the case reader makes sure).
pub fn allocate<'p>(shares: &[(&'p str, Decimal)], costs: Decimal) -> Vec<(&'p str, Decimal)> {
    let hundred = Decimal::ONE_HUNDRED;
    let cents = (costs * hundred).trunc();
    // Whole cents first, then the remainders by size.
    let mut parts: Vec<(usize, Decimal, Decimal)> = shares
        .iter()
        .enumerate()
        .map(|(i, (_, pct))| {
            let exact = cents * *pct / hundred;
            let whole = exact.floor();
            (i, whole, exact - whole)
        })
        .collect();
    let given: Decimal = parts.iter().map(|(_, whole, _)| *whole).sum();
    let mut left = cents - given;
    let mut by_remainder: Vec<usize> = (0..parts.len()).collect();
    by_remainder.sort_by(|a, b| {
        let rem = |i: &usize| parts.get(*i).map_or(Decimal::ZERO, |p| p.2);
        rem(b).cmp(&rem(a)).then(a.cmp(b))
    });
    for i in by_remainder.into_iter().cycle().take(parts.len() * 2) {
        if left <= Decimal::ZERO {
            break;
        }
        if let Some(part) = parts.get_mut(i) {
            part.1 += Decimal::ONE;
            left -= Decimal::ONE;
        }
    }
    parts
        .into_iter()
        .filter_map(|(i, whole, _)| {
            let payer = shares.get(i)?.0;
            let mut amount = whole / hundred;
            amount.rescale(2);
            Some((payer, amount))
        })
        .collect()
}
