//! A case as read, before it is checked against a rule set: the same shape from every
//! channel (a YAML or JSON file, a JSON Lines or CSV row, an API body), with numbers
//! as written and every key with its place in the text.

/// One value of a case as read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    /// A number exactly as written (`6.99999999999999999`, `1e3`).
    Number(String),
    Text(String),
    List(Vec<Node>),
    Map(Vec<Entry>),
}

/// A key with its value, and where the key is written (a byte range of the text; empty
/// when the channel has no text for it, as a CSV row).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub key: String,
    pub at: (usize, usize),
    pub value: Node,
}

/// The entries of an object while it is read, with its keys indexed, so that a key
/// written twice is found at once and an object of many keys is read in linear time.
/// The index is built only past [`Entries::SMALL`] keys: a case of a few facts is
/// checked by comparing its keys (no hashing, no copy of each key).
#[derive(Debug, Default)]
pub(super) struct Entries {
    list: Vec<Entry>,
    index: Option<std::collections::HashMap<String, usize>>,
}

impl Entries {
    /// Up to this many keys, a key is looked up by comparing.
    const SMALL: usize = 32;

    /// The entry already read with this key.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        match &self.index {
            Some(index) => index.get(key).and_then(|i| self.list.get(*i)),
            None => self.list.iter().find(|e| e.key == key),
        }
    }

    /// Adds an entry (whose key is not there yet: see [`Entries::get`]).
    pub fn push(&mut self, entry: Entry) {
        if self.index.is_none() && self.list.len() >= Self::SMALL {
            self.index = Some(
                self.list
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (e.key.clone(), i))
                    .collect(),
            );
        }
        if let Some(index) = &mut self.index {
            index.insert(entry.key.clone(), self.list.len());
        }
        self.list.push(entry);
    }

    pub fn into_map(self) -> Node {
        Node::Map(self.list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small and large objects find a key written before, and only that one.
    #[test]
    fn keys_are_found_with_and_without_the_index() {
        for n in [
            0,
            1,
            Entries::SMALL - 1,
            Entries::SMALL,
            Entries::SMALL + 1,
            500,
        ] {
            let mut e = Entries::default();
            for i in 0..n {
                assert!(e.get(&format!("k{i}")).is_none());
                e.push(Entry {
                    key: format!("k{i}"),
                    at: (i, i + 1),
                    value: Node::Null,
                });
            }
            for i in 0..n {
                assert_eq!(e.get(&format!("k{i}")).map(|x| x.at), Some((i, i + 1)));
            }
            assert!(e.get("ander").is_none());
        }
    }
}
