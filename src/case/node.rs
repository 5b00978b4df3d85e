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
