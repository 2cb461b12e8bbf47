//! Text normalization shared by both search backends: word splitting, case
//! and letter folding, query hygiene, typo distances, highlighting and the
//! term vectors behind [`similar`](super::SearchIndex::similar).
//!
//! # Folding (a decision, applied at index and query time alike)
//! Every word is put in Unicode NFC, lower-cased, stripped of combining marks
//! left after composition (stress accents), and folded:
//! `ё→е` (Russian writes both) and the nine Kazakh letters onto their nearest
//! Russian letter — `ә→а ғ→г қ→к ң→н ө→о ұ→у ү→у һ→х і→и`. So "Қазақстан",
//! "ҚАЗАҚСТАН", "қазақстан" and "казакстан" are one word: users on a Russian
//! keyboard layout type Kazakh words without the Kazakh letters, and that
//! recall matters more than the few Kazakh words that collide once folded
//! (e.g. "қол"/"кол"); exact-title ranking still favours the real match.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Queries are cut to this many characters (after control characters are
/// removed). Nobody types more; a 10,000-character query costs no more than
/// a 256-character one.
pub const MAX_QUERY_CHARS: usize = 256;

/// At most this many words of a query are searched (as Meilisearch does);
/// the rest are ignored. Bounds the number of fuzzy automata per query.
pub const MAX_QUERY_TERMS: usize = 10;

/// Words longer than this are cut when indexed and queried (base64 blobs,
/// hashes): keeps the term dictionary and fuzzy automata small.
pub const MAX_WORD_CHARS: usize = 40;

/// Words of at least this many characters tolerate one typo.
pub const ONE_TYPO_MIN_CHARS: usize = 5;

/// Words of at least this many characters tolerate two typos.
pub const TWO_TYPOS_MIN_CHARS: usize = 9;

/// Text given to `similar` is cut to this many characters.
pub const MAX_SIMILAR_TEXT_CHARS: usize = 20_000;

/// One word of a text: byte range in the original text and normalized form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Byte offset of the first character in the original text.
    pub start: usize,
    /// Byte offset just past the last character in the original text.
    pub end: usize,
    /// The folded form that is indexed and compared.
    pub norm: String,
}

/// Folds one character (already lower-cased) onto the indexed alphabet.
fn fold_lower(c: char) -> char {
    match c {
        'ё' => 'е',
        'ә' => 'а',
        'ғ' => 'г',
        'қ' => 'к',
        'ң' => 'н',
        'ө' => 'о',
        'ұ' | 'ү' => 'у',
        'һ' => 'х',
        'і' => 'и',
        other => other,
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Normalizes one word: NFC, lower case, combining marks dropped, folded,
/// cut to [`MAX_WORD_CHARS`].
pub fn normalize_word(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut chars = 0;
    for c in word.nfc() {
        if is_combining_mark(c) {
            continue;
        }
        for lower in c.to_lowercase() {
            out.push(fold_lower(lower));
        }
        chars += 1;
        if chars >= MAX_WORD_CHARS {
            break;
        }
    }
    out
}

/// Splits a text into words (runs of letters, digits and combining marks)
/// and normalizes each.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                push_word(&mut out, text, s, i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        push_word(&mut out, text, s, text.len());
    }
    out
}

fn push_word(out: &mut Vec<Word>, text: &str, start: usize, end: usize) {
    let norm = normalize_word(&text[start..end]);
    if !norm.is_empty() {
        out.push(Word { start, end, norm });
    }
}

/// Normalizes a whole text to its folded words joined by single spaces.
pub fn fold_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for w in words(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&w.norm);
    }
    out
}

/// Removes control and invisible format characters (replaced by spaces),
/// collapses white space (leading dropped, one trailing kept) and keeps at
/// most `max_chars` characters.
pub fn clean(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    let mut chars = 0;
    let mut pending_space = false;
    for c in text.chars() {
        if chars >= max_chars {
            break;
        }
        let invisible = c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}');
        if invisible || c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            chars += 1;
            pending_space = false;
            if chars >= max_chars {
                break;
            }
        }
        out.push(c);
        chars += 1;
    }
    // Keep one trailing space: it tells that the last word is complete.
    if pending_space && chars < max_chars {
        out.push(' ');
    }
    out
}

/// Typos tolerated in a query word of this normalized form: none for words
/// under 5 characters and for numbers (codes must match), one from 5, two
/// from 9 — the rule Meilisearch applies by default.
pub fn max_typos(norm: &str) -> u8 {
    if norm.chars().all(|c| c.is_ascii_digit()) {
        return 0;
    }
    let n = norm.chars().count();
    if n >= TWO_TYPOS_MIN_CHARS {
        2
    } else if n >= ONE_TYPO_MIN_CHARS {
        1
    } else {
        0
    }
}

/// One searched word of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTerm {
    /// Normalized (folded) word.
    pub text: String,
    /// Typos tolerated, from [`max_typos`].
    pub typos: u8,
    /// Whether the word also matches as a prefix: the last word of a query
    /// not followed by a space (the user is still typing it).
    pub prefix: bool,
}

/// A query after hygiene: what is actually searched.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PreparedQuery {
    /// The cleaned query text (controls removed, cut to [`MAX_QUERY_CHARS`]).
    pub cleaned: String,
    /// Its words, at most [`MAX_QUERY_TERMS`], without repeats.
    pub terms: Vec<QueryTerm>,
}

impl PreparedQuery {
    /// Cleans and splits a raw query. Never fails: whatever the input, the
    /// result is bounded by [`MAX_QUERY_CHARS`] and [`MAX_QUERY_TERMS`].
    pub fn new(raw: &str) -> Self {
        let cleaned = clean(raw, MAX_QUERY_CHARS);
        let ws = words(&cleaned);
        let ends_in_word = ws.last().is_some_and(|w| w.end == cleaned.len());
        let mut terms: Vec<QueryTerm> = Vec::new();
        for w in ws {
            if terms.len() >= MAX_QUERY_TERMS {
                break;
            }
            if terms.iter().any(|t| t.text == w.norm) {
                continue;
            }
            terms.push(QueryTerm {
                typos: max_typos(&w.norm),
                text: w.norm,
                prefix: false,
            });
        }
        if ends_in_word && let Some(last) = terms.last_mut() {
            last.prefix = true;
        }
        PreparedQuery { cleaned, terms }
    }

    /// The same query without its last word (the fallback when no document
    /// holds all words, as Meilisearch's `last` matching strategy does).
    pub fn without_last(&self) -> Self {
        let mut terms = self.terms.clone();
        terms.pop();
        PreparedQuery {
            cleaned: self.cleaned.clone(),
            terms,
        }
    }

    /// The folded query as a string for a backend with its own tokenizer:
    /// folded words joined by spaces, with a trailing space when the last
    /// word must not match as a prefix.
    pub fn folded(&self) -> String {
        let mut out = self
            .terms
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        if self.terms.last().is_some_and(|t| !t.prefix) {
            out.push(' ');
        }
        out
    }
}

/// Optimal-string-alignment distance (transposition costs one) between `a`
/// and `b`, or the smallest distance between `a` and a prefix of `b` when
/// `prefix`; `None` when above `max`.
pub fn distance(a: &str, b: &str, max: u8, prefix: bool) -> Option<u8> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let max = usize::from(max);
    if !prefix && a.len().abs_diff(b.len()) > max {
        return None;
    }
    let width = b.len() + 1;
    let mut prev2 = vec![0usize; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur = vec![0usize; width];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = if prefix {
        prev.iter().copied().min().unwrap_or(usize::MAX)
    } else {
        prev[b.len()]
    };
    (d <= max).then(|| u8::try_from(d).unwrap_or(u8::MAX))
}

/// Whether an indexed word matches a query term: equal, within the term's
/// typos, or (for a prefix term) starting with the term within its typos
/// (at most one typo for prefixes, as in the embedded query).
pub fn term_matches(term: &QueryTerm, word: &str) -> bool {
    if word == term.text {
        return true;
    }
    if term.typos > 0 && distance(&term.text, word, term.typos, false).is_some() {
        return true;
    }
    if term.prefix {
        if word.starts_with(&term.text) {
            return true;
        }
        let typos = term.typos.min(1);
        if typos > 0 && distance(&term.text, word, typos, true).is_some() {
            return true;
        }
    }
    false
}

/// Start tag of a highlighted match.
pub const HIGHLIGHT_PRE: &str = "<em>";
/// End tag of a highlighted match.
pub const HIGHLIGHT_POST: &str = "</em>";

/// Escapes `<`, `>`, `&` and `"` so that a highlight is safe HTML in which
/// only our `<em>` tags are markup.
pub fn escape_html(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            other => out.push(other),
        }
    }
}

/// Highlights the words of `text` matching `terms` with `<em>…</em>`, the
/// rest HTML-escaped. Texts longer than `max_chars` are cut to the window of
/// that many characters holding the most matches, with `…` where cut.
/// `None` when nothing matches.
pub fn highlight(text: &str, terms: &[QueryTerm], max_chars: usize) -> Option<String> {
    let matches: Vec<(usize, usize)> = words(text)
        .into_iter()
        .filter(|w| terms.iter().any(|t| term_matches(t, &w.norm)))
        .map(|w| (w.start, w.end))
        .take(1000)
        .collect();
    if matches.is_empty() {
        return None;
    }
    let (from, to) = window(text, &matches, max_chars);
    let mut out = String::with_capacity(to - from + 32);
    if from > 0 {
        out.push('…');
    }
    let mut pos = from;
    for &(s, e) in matches.iter().filter(|(s, e)| *s >= from && *e <= to) {
        escape_html(&text[pos..s], &mut out);
        out.push_str(HIGHLIGHT_PRE);
        escape_html(&text[s..e], &mut out);
        out.push_str(HIGHLIGHT_POST);
        pos = e;
    }
    escape_html(&text[pos..to], &mut out);
    if to < text.len() {
        out.push('…');
    }
    Some(out)
}

/// Byte range of at most `max_chars` characters holding the most matches,
/// starting a few words before the first of them.
fn window(text: &str, matches: &[(usize, usize)], max_chars: usize) -> (usize, usize) {
    if text.chars().count() <= max_chars {
        return (0, text.len());
    }
    let byte_after = |start: usize, n: usize| {
        text[start..]
            .char_indices()
            .nth(n)
            .map_or(text.len(), |(i, _)| start + i)
    };
    let mut best = (0usize, 0usize);
    for (i, &(s, _)) in matches.iter().enumerate() {
        let limit = byte_after(s, max_chars);
        let n = matches[i..].iter().take_while(|(_, e)| *e <= limit).count();
        if n > best.1 {
            best = (s, n);
        }
    }
    // Start up to 30 characters earlier, at a word boundary.
    let lead = text[..best.0]
        .char_indices()
        .rev()
        .take(30)
        .last()
        .map_or(best.0, |(i, _)| i);
    let from = text[lead..best.0]
        .char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map_or(lead, |(i, _)| lead + i + 1)
        .min(best.0);
    let mut to = byte_after(from, max_chars);
    // Do not cut a word in two at the end.
    if to < text.len()
        && let Some(space) = text[from..to].rfind(char::is_whitespace)
        && from + space > best.0
    {
        to = from + space;
    }
    (from, to)
}

/// Term frequencies of a text's words of at least three characters (shorter
/// words are prepositions and conjunctions in kk/ru/en).
pub fn term_frequencies(text: &str) -> HashMap<String, u32> {
    let mut tf = HashMap::new();
    for w in words(text) {
        if w.norm.chars().count() >= 3 {
            *tf.entry(w.norm).or_insert(0) += 1;
        }
    }
    tf
}

/// TF-IDF weights `(1 + ln tf) · idf` of a term-frequency map.
pub fn weights(tf: &HashMap<String, u32>, idf: impl Fn(&str) -> f32) -> HashMap<String, f32> {
    tf.iter()
        .map(|(t, &n)| {
            #[expect(clippy::cast_precision_loss, reason = "term counts are far below 2^24")]
            let w = (1.0 + (n as f32).ln()) * idf(t);
            (t.clone(), w)
        })
        .filter(|(_, w)| *w > 0.0)
        .collect()
}

/// Cosine similarity of two weight vectors, in `[0, 1]`.
pub fn cosine(a: &HashMap<String, f32>, b: &HashMap<String, f32>) -> f32 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let dot: f32 = small
        .iter()
        .filter_map(|(t, w)| large.get(t).map(|v| w * v))
        .sum();
    let norm = |v: &HashMap<String, f32>| v.values().map(|w| w * w).sum::<f32>().sqrt();
    let denom = norm(a) * norm(b);
    if denom <= f32::EPSILON {
        0.0
    } else {
        (dot / denom).clamp(0.0, 1.0)
    }
}

/// The `n` terms with the highest weight, heaviest first (ties by term, so
/// the choice is deterministic).
pub fn top_terms(weights: &HashMap<String, f32>, n: usize) -> Vec<(String, f32)> {
    let mut v: Vec<(String, f32)> = weights.iter().map(|(t, w)| (t.clone(), *w)).collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_kazakh_and_yo() {
        assert_eq!(fold_text("ҚАЗАҚСТАН Ёлка"), "казакстан елка");
        assert_eq!(fold_text("әғқңөұүһі"), "агкноуухи");
        // Decomposed й and a stress accent.
        assert_eq!(normalize_word("и\u{306}ога\u{301}"), "йога");
    }

    #[test]
    fn splits_codes_and_punctuation() {
        let ws: Vec<String> = words("GBDUL_GET-info, 12.3")
            .into_iter()
            .map(|w| w.norm)
            .collect();
        assert_eq!(ws, ["gbdul", "get", "info", "12", "3"]);
    }

    #[test]
    fn distances() {
        assert_eq!(distance("электроный", "электронный", 2, false), Some(1));
        assert_eq!(distance("платежый", "платежный", 1, false), Some(1));
        assert_eq!(distance("ab", "ba", 1, false), Some(1));
        assert_eq!(distance("регист", "регистрация", 0, true), Some(0));
        assert_eq!(distance("кошка", "собака", 1, false), None);
    }

    #[test]
    fn query_hygiene() {
        let long = "а".repeat(10_000);
        let q = PreparedQuery::new(&long);
        assert_eq!(q.cleaned.chars().count(), MAX_QUERY_CHARS);
        let q = PreparedQuery::new("\u{0}\u{7}регистр\u{1b}[31m\n\tуслуг ");
        assert_eq!(q.cleaned, "регистр [31m услуг ");
        assert!(q.terms.iter().all(|t| !t.prefix));
        let many = (0..50)
            .map(|i| format!("слово{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(PreparedQuery::new(&many).terms.len(), MAX_QUERY_TERMS);
    }

    #[test]
    fn highlights_escape_and_window() {
        let terms = PreparedQuery::new("платежный").terms;
        let h = highlight("<b>Платёжный</b> шлюз", &terms, 100);
        assert_eq!(
            h.as_deref(),
            Some("&lt;b&gt;<em>Платёжный</em>&lt;/b&gt; шлюз")
        );
        let long = format!(
            "{} платежный шлюз {}",
            "слово ".repeat(100),
            "текст ".repeat(100)
        );
        let h = highlight(&long, &terms, 80).unwrap_or_default();
        assert!(h.contains("<em>платежный</em>"), "{h}");
        assert!(h.chars().count() < 90, "{h}");
    }
}
