//! Bitsets over ids (rules, pairs of rules) as slices of `u64` words: bit `i` is bit
//! `i % 64` of word `i / 64`. An index past the end reads as unset and is not set.

/// Whether bit `i` is set.
pub(crate) fn get(words: &[u64], i: usize) -> bool {
    words.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
}

/// Sets bit `i`.
pub(crate) fn set(words: &mut [u64], i: usize) {
    if let Some(w) = words.get_mut(i / 64) {
        *w |= 1 << (i % 64);
    }
}

/// The set bits of `words` (word by word, as given), in ascending order.
pub(crate) fn ones(words: impl Iterator<Item = u64>) -> impl Iterator<Item = usize> {
    words.enumerate().flat_map(|(w, word)| {
        let mut bits = word;
        std::iter::from_fn(move || {
            (bits != 0).then(|| {
                let b = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                w * 64 + b
            })
        })
    })
}
