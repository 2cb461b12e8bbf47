//! Properties of the text similarity score shown to the reviewer (003 §7–§8).

use archportal_domain::similarity::text_similarity;
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec("[a-zа-яәғқңөұүһі]{1,8}", 0..40).prop_map(|w| w.join(" "))
}

proptest! {
    #[test]
    fn identical_texts_score_one(a in text()) {
        prop_assert_eq!(text_similarity(&a, &a), 1.0);
        prop_assert_eq!(text_similarity(&a, &a.to_uppercase()), 1.0);
    }

    #[test]
    fn symmetric_and_bounded(a in text(), b in text()) {
        let ab = text_similarity(&a, &b);
        prop_assert_eq!(ab.to_bits(), text_similarity(&b, &a).to_bits());
        prop_assert!((0.0..=1.0).contains(&ab));
    }

    #[test]
    fn disjoint_vocabularies_score_zero(
        a in prop::collection::vec("[a-z]{1,8}", 1..30),
        b in prop::collection::vec("[а-я]{1,8}", 1..30),
    ) {
        prop_assert_eq!(text_similarity(&a.join(" "), &b.join(" ")), 0.0);
    }
}
