//! Cost allocation: a case's `kosten` divided between the payers of its decision, to
//! the cent; and any amount divided pro rata to weights (the cost key of
//! `wiebetaalt allocate`).
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
    pro_rata(shares, costs)
}

/// `amount` divided pro rata to the weights, to the cent, in the order of the weights:
/// each gets the whole cents of `amount × weight / total`, and the cents left (fewer
/// than the number of payers) go one each to the largest remainders, the earlier payer
/// on a tie. The parts add up exactly to `amount` (with at most two decimals). All
/// weights zero (or none) gives every payer nothing.
pub fn pro_rata<'p>(weights: &[(&'p str, Decimal)], amount: Decimal) -> Vec<(&'p str, Decimal)> {
    let hundred = Decimal::ONE_HUNDRED;
    let cents = (amount * hundred).trunc();
    let total: Decimal = weights.iter().map(|(_, w)| *w).sum();
    // Whole cents first, then the remainders by size.
    let mut parts: Vec<(usize, Decimal, Decimal)> = weights
        .iter()
        .enumerate()
        .map(|(i, (_, w))| {
            if total.is_zero() {
                return (i, Decimal::ZERO, Decimal::ZERO);
            }
            // Multiplying first keeps the quotient exact whenever it is whole.
            let exact = cents * *w / total;
            let whole = exact.floor();
            (i, whole, exact - whole)
        })
        .collect();
    let given: Decimal = parts.iter().map(|(_, whole, _)| *whole).sum();
    let mut left = if total.is_zero() {
        Decimal::ZERO
    } else {
        cents - given
    };
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
            let payer = weights.get(i)?.0;
            let mut amount = whole / hundred;
            amount.rescale(2);
            Some((payer, amount))
        })
        .collect()
}
