//! A substring index: which documents' text contains a needle, without
//! reading every document. Each document (an object id and its searchable
//! text, already lowercased by the owner) is split into its byte trigrams;
//! a needle of three bytes or more can only be in documents holding all of
//! its trigrams, so a search intersects those posting lists (smallest
//! first) and confirms each candidate with a real `contains`. Needles
//! shorter than three bytes fall back to a scan of the texts. Either way the
//! answer is exactly the documents whose text contains the needle — the
//! same set a scan gives (`tests` and `resources/users/list.rs` check it on
//! random data, non-ASCII included: UTF-8 is self-synchronising, so a byte
//! match is a character match).
//!
//! ```
//! use clerk_mock::state::search::SearchIndex;
//! let mut ix = SearchIndex::default();
//! ix.insert("user_1", "ada lovelace\nada@example.com");
//! ix.insert("user_2", "grace hopper\ngrace@example.com");
//! assert_eq!(ix.matching("lovel"), vec!["user_1"]);
//! assert_eq!(ix.matching("@example.").len(), 2);
//! ix.insert("user_1", "ada byron"); // an update replaces the text
//! assert!(ix.matching("lovel").is_empty());
//! ix.remove("user_2");
//! assert_eq!(ix.matching("a"), vec!["user_1"]); // short needle: a scan
//! ```

use std::collections::HashMap;

/// Documents by slot; a removed or replaced document leaves an empty slot
/// (and dead postings) until [`SearchIndex::compact`], which runs when half
/// the slots are empty, so the cost of removals stays constant on average.
///
/// New documents are indexed in batches of [`BATCH`]: until then the newest
/// slots (`indexed..`) are searched by a scan of their texts. Posting each
/// document on its own touched the tail of every one of its ~80 trigram
/// lists, a cache miss each, and was the most expensive step of creating a
/// user; a batch touches each list once, however many of its documents share
/// the trigram (most do: `com`, `@ex`, digits).
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    /// Slot → (id, text); None once removed.
    docs: Vec<Option<(Box<str>, Box<str>)>>,
    /// Id → its live slot.
    slots: HashMap<Box<str>, u32>,
    /// Trigram → the slots holding it, ascending (slots only grow); some may be dead.
    postings: HashMap<u32, Vec<u32>>,
    /// The slots below this are in `postings`; the ones from it on are not yet.
    indexed: usize,
}

/// Needles shorter than this are answered by a scan.
pub const GRAM: usize = 3;

/// How many new documents wait for their postings at most (a search scans
/// them: a few microseconds).
pub const BATCH: usize = 256;

impl SearchIndex {
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Adds `id` with `text`, replacing the text it had.
    pub fn insert(&mut self, id: &str, text: &str) {
        self.remove(id);
        let slot = self.docs.len() as u32;
        self.docs.push(Some((id.into(), text.into())));
        self.slots.insert(id.into(), slot);
        if self.docs.len() - self.indexed >= BATCH {
            self.post_pending();
        }
    }

    /// Adds the postings of every slot from `indexed` on, one list at a time.
    fn post_pending(&mut self) {
        // At most one trigram per byte of text: one allocation for the batch.
        let bytes: usize = self.docs[self.indexed..].iter().flatten().map(|(_, text)| text.len()).sum();
        let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(bytes);
        for (slot, doc) in self.docs.iter().enumerate().skip(self.indexed) {
            if let Some((_, text)) = doc {
                pairs.extend(grams(text).into_iter().map(|gram| (gram, slot as u32)));
            }
        }
        // By trigram, then slot: each list is extended once, and stays sorted
        // because every pending slot is above every posted one.
        pairs.sort_unstable();
        for run in pairs.chunk_by(|a, b| a.0 == b.0) {
            self.postings.entry(run[0].0).or_default().extend(run.iter().map(|(_, slot)| *slot));
        }
        self.indexed = self.docs.len();
    }

    /// Forgets `id` (nothing when it is not indexed). Its postings stay
    /// behind, dead, until the next compaction: removing a slot from the
    /// lists of common trigrams (`com`, `use`) would move 100k entries each.
    pub fn remove(&mut self, id: &str) {
        let Some(slot) = self.slots.remove(id) else { return };
        self.docs[slot as usize] = None;
        if self.docs.len() > 64 && self.slots.len() * 2 < self.docs.len() {
            self.compact();
        }
    }

    /// The text indexed for `id`.
    pub fn text(&self, id: &str) -> Option<&str> {
        let slot = *self.slots.get(id)?;
        self.docs[slot as usize].as_ref().map(|(_, t)| &**t)
    }

    /// The ids whose text contains `needle`, in slot order (insertion order,
    /// an updated document moving to the end); callers that need another
    /// order sort. An empty needle matches every document.
    pub fn matching(&self, needle: &str) -> Vec<&str> {
        if needle.len() < GRAM {
            return scan(&self.docs, needle);
        }
        let mut found = self.posted_matching(needle);
        // The newest documents, not posted yet, follow in slot order.
        found.extend(scan(&self.docs[self.indexed..], needle));
        found
    }

    /// The posted documents (slots below `indexed`) whose text contains a
    /// needle of at least [`GRAM`] bytes.
    fn posted_matching(&self, needle: &str) -> Vec<&str> {
        let live = |slot: &u32| self.docs[*slot as usize].as_ref();
        let mut lists: Vec<&Vec<u32>> = Vec::new();
        for gram in grams(needle) {
            match self.postings.get(&gram) {
                Some(list) => lists.push(list),
                None => return Vec::new(),
            }
        }
        lists.sort_by_key(|l| l.len());
        let (first, rest) = lists.split_first().expect("a needle of GRAM bytes has a trigram");
        first
            .iter()
            .filter(|slot| rest.iter().all(|l| l.binary_search(slot).is_ok()))
            .filter_map(live)
            .filter(|(_, t)| t.contains(needle))
            .map(|(id, _)| &**id)
            .collect()
    }

    /// Renumbers the live documents densely (same order), dropping empty slots.
    pub fn compact(&mut self) {
        let live: Vec<(Box<str>, Box<str>)> = self.docs.drain(..).flatten().collect();
        self.slots.clear();
        self.postings.clear();
        self.indexed = 0;
        for (id, text) in live {
            self.insert(&id, &text);
        }
        self.post_pending();
    }
}

/// The ids of `docs` whose text contains `needle`, read one by one.
fn scan<'a>(docs: &'a [Option<(Box<str>, Box<str>)>], needle: &str) -> Vec<&'a str> {
    docs.iter().flatten().filter(|(_, t)| t.contains(needle)).map(|(id, _)| &**id).collect()
}

/// The distinct byte trigrams of `text`, as `b0 << 16 | b1 << 8 | b2`.
fn grams(text: &str) -> Vec<u32> {
    let mut out: Vec<u32> = text.as_bytes().windows(GRAM).map(|w| (w[0] as u32) << 16 | (w[1] as u32) << 8 | w[2] as u32).collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};

    /// Letters that make collisions likely, plus multi-byte ones (é, ß, Σ/ς, 中, an emoji).
    const ALPHABET: &[&str] = &["a", "b", "c", "@", ".", " ", "\n", "é", "ß", "ς", "σ", "中", "😀", "-"];

    fn text(rng: &mut StdRng, max: usize) -> String {
        let n = rng.random_range(0..=max);
        (0..n).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())]).collect()
    }

    fn scan<'a>(model: &'a HashMap<String, String>, needle: &str) -> Vec<&'a str> {
        let mut ids: Vec<&str> = model.iter().filter(|(_, t)| t.contains(needle)).map(|(id, _)| id.as_str()).collect();
        ids.sort();
        ids
    }

    #[test]
    fn the_index_answers_exactly_what_a_scan_answers_through_inserts_updates_and_removes() {
        for seed in 0..40u64 {
            let mut rng = StdRng::seed_from_u64(seed);
            let (mut ix, mut model) = (SearchIndex::default(), HashMap::new());
            for step in 0..400 {
                let id = format!("user_{}", rng.random_range(0..60));
                if rng.random_range(0..4) == 0 {
                    ix.remove(&id);
                    model.remove(&id);
                } else {
                    let t = text(&mut rng, 12);
                    ix.insert(&id, &t);
                    model.insert(id, t);
                }
                let needle = text(&mut rng, 4);
                let mut got = ix.matching(&needle);
                got.sort();
                assert_eq!(got, scan(&model, &needle), "seed {seed} step {step} needle {needle:?}");
            }
            assert_eq!(ix.len(), model.len());
        }
    }

    #[test]
    fn a_search_finds_posted_and_not_yet_posted_documents_in_insertion_order() {
        let mut ix = SearchIndex::default();
        for i in 0..BATCH + 10 {
            ix.insert(&format!("u{i}"), &format!("user {i}@example.com"));
        }
        assert_eq!(ix.indexed, BATCH, "the first batch is posted, the last ten wait");
        let found = ix.matching("@example.com");
        assert_eq!(found.len(), BATCH + 10);
        assert_eq!((found[0], found[BATCH + 9]), ("u0", "u265"));
        assert_eq!(ix.matching("user 260@"), vec!["u260"]);
        assert_eq!(ix.matching("user 25@"), vec!["u25"]);
        // A waiting document replaced by a posted-then-updated one is found once.
        ix.insert("u3", "renamed");
        assert_eq!(ix.matching("renamed"), vec!["u3"]);
        assert!(ix.matching("user 3@").is_empty());
    }

    #[test]
    fn compaction_keeps_every_live_document_and_its_order() {
        let mut ix = SearchIndex::default();
        for i in 0..200 {
            ix.insert(&format!("u{i}"), &format!("name {i}"));
        }
        for i in (0..200).filter(|i| i % 3 != 0) {
            ix.remove(&format!("u{i}"));
        }
        assert!(ix.docs.len() < 200, "half-empty slots were compacted");
        assert_eq!(ix.matching("name 9").first().copied(), Some("u9"));
        assert_eq!(ix.matching("name").len(), 67);
        assert_eq!(ix.text("u3"), Some("name 3"));
    }
}
