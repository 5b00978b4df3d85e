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
#[derive(Debug, Default)]
pub(super) struct Entries {
    list: Vec<Entry>,
    index: std::collections::HashMap<String, usize>,
}

impl Entries {
    /// The entry already read with this key.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.index.get(key).and_then(|i| self.list.get(*i))
    }

    /// Adds an entry (whose key is not there yet: see [`Entries::get`]).
    pub fn push(&mut self, entry: Entry) {
        self.index.insert(entry.key.clone(), self.list.len());
        self.list.push(entry);
    }

    pub fn into_map(self) -> Node {
        Node::Map(self.list)
    }
}
