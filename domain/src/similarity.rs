//! How far the DOCX draft and the PDF/A-1 copy of a document say the same
//! thing.
//!
//! 003 §7: the PDF/A-1 copy must *fully show* the original's content, and
//! the DOCX is its draft; the reviewer (003 §8) is shown a score of how
//! close their texts are, so that a copy of another document, or an outdated
//! draft, stands out. The score is the cosine similarity of the two texts'
//! word unigram and bigram frequencies after Unicode lower-casing: layout,
//! line breaks, punctuation and hyphenation do not matter, word order
//! matters a little (through the bigrams).

use std::collections::BTreeMap;

/// Words of `text`: maximal runs of alphanumeric characters, lower-cased
/// (Unicode, so Kazakh and Russian letters compare case-insensitively).
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Frequencies of the unigrams and bigrams of `text`.
fn frequencies(text: &str) -> BTreeMap<String, u64> {
    let words = words(text);
    let mut freq = BTreeMap::new();
    for w in &words {
        *freq.entry(w.clone()).or_insert(0) += 1;
    }
    for pair in words.windows(2) {
        *freq.entry(format!("{} {}", pair[0], pair[1])).or_insert(0) += 1;
    }
    freq
}

/// Similarity of two texts, from 0.0 (no word in common) to 1.0 (the same
/// words in the same order, whatever the layout and letter case).
///
/// Symmetric; two texts without any word are identical (1.0); one empty and
/// one not share nothing (0.0). The arithmetic is in integers up to the
/// final division, so the result does not depend on argument order.
pub fn text_similarity(a: &str, b: &str) -> f64 {
    let fa = frequencies(a);
    let fb = frequencies(b);
    match (fa.is_empty(), fb.is_empty()) {
        (true, true) => return 1.0,
        (true, false) | (false, true) => return 0.0,
        (false, false) => {}
    }
    let norm = |f: &BTreeMap<String, u64>| -> u128 {
        f.values().map(|&c| u128::from(c) * u128::from(c)).sum()
    };
    let dot: u128 = fa
        .iter()
        .filter_map(|(k, &ca)| fb.get(k).map(|&cb| u128::from(ca) * u128::from(cb)))
        .sum();
    let (na, nb) = (norm(&fa), norm(&fb));
    if dot * dot == na * nb {
        return 1.0;
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "a ratio of counts: the precision of f64 is plenty for a score"
    )]
    let score = dot as f64 / ((na as f64).sqrt() * (nb as f64).sqrt());
    score.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_and_case_do_not_matter() {
        let docx = "Техническое задание\nна создание ИС «Е-лицензирование»";
        let pdf = "ТЕХНИЧЕСКОЕ   ЗАДАНИЕ на создание\r\nИС Е-лицензирование";
        assert_eq!(text_similarity(docx, pdf), 1.0);
    }

    #[test]
    fn different_documents_score_low() {
        let a = "Техникалық тапсырма ақпараттық жүйені құруға";
        let b = "Руководство администратора системы";
        assert_eq!(text_similarity(a, b), 0.0);
        let c = "Техникалық тапсырма ақпараттық жүйені дамытуға";
        let s = text_similarity(a, c);
        assert!(s > 0.4 && s < 1.0, "{s}");
    }
}
