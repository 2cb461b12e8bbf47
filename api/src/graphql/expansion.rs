//! The size of a GraphQL document once every fragment spread is expanded,
//! measured before async-graphql sees the document (issue 7, fuzzing).
//!
//! async-graphql walks selection sets with fragment spreads expanded in
//! several places before the depth and complexity limits apply (its
//! recursion-depth check, the complexity and depth visitors) and does that
//! work synchronously, where the request timeout cannot interrupt it. A
//! short document whose fragments each spread the previous one twice
//! expands exponentially: 30 of them (1.5 KB) are 2^29 visits and held a
//! runtime thread for minutes. [`expanded_selections`] computes the
//! expanded size in time linear in the document, with one memoized total
//! per fragment, so the handler can refuse such a document first.

use std::collections::{HashMap, HashSet};

use async_graphql::Positioned;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

/// Why a document has no finite expansion.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("fragment {0} spreads itself, directly or through other fragments")]
pub struct FragmentCycle(pub String);

/// The selections of one selection set counted without expanding spreads.
struct Local<'a> {
    /// Fields, fragment spreads and inline fragments at any nesting.
    own: u64,
    /// The names of the fragments spread, once per spread.
    spreads: Vec<&'a str>,
}

/// Counts `root` and everything nested in it except what spreads bring in.
/// Iterative, so a deeply nested document cannot exhaust the stack.
fn local(root: &Positioned<SelectionSet>) -> Local<'_> {
    let mut out = Local {
        own: 0,
        spreads: Vec::new(),
    };
    let mut pending = vec![root];
    while let Some(set) = pending.pop() {
        for selection in &set.node.items {
            out.own = out.own.saturating_add(1);
            match &selection.node {
                Selection::Field(field) => pending.push(&field.node.selection_set),
                Selection::InlineFragment(inline) => pending.push(&inline.node.selection_set),
                Selection::FragmentSpread(spread) => {
                    out.spreads.push(spread.node.fragment_name.node.as_str());
                }
            }
        }
    }
    out
}

/// The number of selections async-graphql walks in `doc` with every
/// fragment spread expanded: each field, fragment spread and inline
/// fragment counts one, and a spread also counts the expanded selections of
/// the fragment it names. The total covers every operation (all of them are
/// walked, not only the one the request names) and every fragment
/// definition (walked on its own during validation, used or not). Counts
/// saturate at `u64::MAX`. A spread of an unknown fragment counts one (the
/// validation reports it); a fragment that spreads itself, directly or
/// through others, is a [`FragmentCycle`]. Linear in the size of `doc`.
pub fn expanded_selections(doc: &ExecutableDocument) -> Result<u64, FragmentCycle> {
    let locals: HashMap<&str, Local<'_>> = doc
        .fragments
        .iter()
        .map(|(name, fragment)| (name.as_str(), local(&fragment.node.selection_set)))
        .collect();
    // The expanded total of each fragment, filled in post-order.
    let mut totals: HashMap<&str, u64> = HashMap::with_capacity(locals.len());
    let mut names: Vec<&str> = locals.keys().copied().collect();
    names.sort_unstable();
    for name in names {
        expand(name, &locals, &mut totals)?;
    }
    let mut total = totals.values().fold(0u64, |acc, t| acc.saturating_add(*t));
    for (_, operation) in doc.operations.iter() {
        let own = local(&operation.node.selection_set);
        let spread = own.spreads.iter().fold(0u64, |acc, name| {
            acc.saturating_add(totals.get(name).copied().unwrap_or(0))
        });
        total = total.saturating_add(own.own).saturating_add(spread);
    }
    Ok(total)
}

/// Computes the expanded total of fragment `start` and of every fragment it
/// reaches into `totals`, depth first with an explicit stack (a chain of
/// thousands of fragments must not overflow the thread's stack).
fn expand<'a>(
    start: &'a str,
    locals: &HashMap<&'a str, Local<'a>>,
    totals: &mut HashMap<&'a str, u64>,
) -> Result<(), FragmentCycle> {
    /// A fragment being expanded: its name, the next spread to look at, the sum so far.
    struct Frame<'a> {
        name: &'a str,
        next: usize,
        sum: u64,
    }
    let Some(first) = locals.get(start) else {
        return Ok(());
    };
    if totals.contains_key(start) {
        return Ok(());
    }
    let mut stack = vec![Frame {
        name: start,
        next: 0,
        sum: first.own,
    }];
    // The names on `stack`, for a constant-time cycle test.
    let mut on_stack: HashSet<&str> = HashSet::from([start]);
    while let Some(top) = stack.last_mut() {
        let spreads = locals.get(top.name).map_or(&[][..], |l| &l.spreads[..]);
        let Some(&child) = spreads.get(top.next) else {
            let done = top.sum;
            let name = top.name;
            stack.pop();
            on_stack.remove(name);
            totals.insert(name, done);
            if let Some(parent) = stack.last_mut() {
                parent.sum = parent.sum.saturating_add(done);
            }
            continue;
        };
        top.next += 1;
        if let Some(done) = totals.get(child) {
            top.sum = top.sum.saturating_add(*done);
        } else if on_stack.contains(child) {
            return Err(FragmentCycle(child.to_owned()));
        } else if let Some(l) = locals.get(child) {
            on_stack.insert(child);
            stack.push(Frame {
                name: child,
                next: 0,
                sum: l.own,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn count(query: &str) -> Result<u64, FragmentCycle> {
        expanded_selections(&parse_query(query).expect("the test query parses"))
    }

    /// `n` fragments, each spreading the one before `width` times, and an
    /// operation spreading the last once.
    fn chain(n: usize, width: usize) -> String {
        let mut q = String::from("fragment F0 on Query { __typename me { id } } ");
        for i in 1..n {
            q.push_str(&format!("fragment F{i} on Query {{"));
            for _ in 0..width {
                q.push_str(&format!(" ...F{}", i - 1));
            }
            q.push_str(" } ");
        }
        q.push_str(&format!("{{ ...F{} }}", n - 1));
        q
    }

    #[test]
    fn fields_count_with_their_nested_fields() {
        assert_eq!(count("{ me { id email } }"), Ok(3));
        assert_eq!(count("query A { a } query B { b { c } }"), Ok(3));
    }

    #[test]
    fn a_fragment_counts_where_it_is_spread_and_where_it_is_defined() {
        // Definition: 2; the operation: `x`, the spread, and the 2 it brings, twice.
        let q = "fragment F on Me { id email } { x: me { ...F } y: me { ...F } }";
        assert_eq!(count(q), Ok(2 + 2 * (1 + 1 + 2)));
    }

    #[test]
    fn inline_fragments_count_with_their_selections() {
        assert_eq!(count("{ me { ... on Me { id email } } }"), Ok(4));
        assert_eq!(
            count("fragment F on Me { ... { id } } { me { ...F ...F } }"),
            Ok(2 + 1 + 2 * (1 + 2))
        );
    }

    #[test]
    fn a_linear_chain_is_counted_in_linear_time_and_exactly() {
        // Each fragment spreads the one before once: F_i holds i + 2 selections.
        let n = 20_000;
        let mut q = String::from("fragment F0 on Query { a b } ");
        for i in 1..n {
            q.push_str(&format!("fragment F{i} on Query {{ ...F{} }} ", i - 1));
        }
        q.push_str(&format!("{{ ...F{} }}", n - 1));
        let doc = parse_query(&q).expect("parses");
        let started = std::time::Instant::now();
        let got = expanded_selections(&doc);
        let took = started.elapsed();
        let per_fragment: u64 = (0..n as u64).map(|i| i + 2).sum();
        assert_eq!(got, Ok(per_fragment + 1 + (n as u64 - 1 + 2)));
        // A quadratic walk of this chain would be 2 * 10^8 steps.
        println!("{n} chained fragments counted in {took:?}");
        assert!(took.as_millis() < 1_000, "{took:?}");
    }

    #[test]
    fn the_fuzzer_fan_out_is_counted_without_walking_it() {
        // The known hang: 30 fragments, each spreading the previous twice.
        let doc = parse_query(chain(30, 2)).expect("parses");
        let started = std::time::Instant::now();
        let got = expanded_selections(&doc).expect("no cycle");
        let took = started.elapsed();
        println!("the 30-fragment fan-out counted in {took:?}");
        assert!(took.as_millis() < 100, "{took:?}");
        // F0 holds 3; F_i = 2 + 2 F_{i-1}, so F_i = 5 * 2^i - 2.
        let f = |i: u32| 5 * 2u64.pow(i) - 2;
        let fragments: u64 = (0..30).map(f).sum();
        assert_eq!(got, fragments + 1 + f(29));
        // Wide enough, the count saturates rather than overflowing.
        assert_eq!(count(&chain(80, 3)), Ok(u64::MAX));
    }

    #[test]
    fn cycles_are_refused() {
        assert_eq!(
            count("fragment F on Query { ...F } { ...F }"),
            Err(FragmentCycle("F".into()))
        );
        let q = "fragment A on Query { a ...B } fragment B on Query { b { ...C } } \
                 fragment C on Query { ... on Query { ...A } } { ...A }";
        assert!(count(q).is_err());
        // A cycle nobody spreads is refused too: validation walks it anyway.
        assert!(count("fragment A on Query { ...B } fragment B on Query { ...A } { x }").is_err());
        // Spreading one fragment from two others is no cycle.
        let diamond = "fragment D on Query { d } fragment B on Query { ...D } \
                       fragment C on Query { ...D } { ...B ...C }";
        assert_eq!(count(diamond), Ok(1 + 2 + 2 + (2 + 2 + 2)));
    }

    #[test]
    fn unknown_fragments_count_their_spread_only() {
        assert_eq!(count("{ a ...Missing }"), Ok(2));
    }

    #[test]
    fn the_frontend_operations_stay_far_below_the_default_limit() {
        let limit = crate::config::LimitsConfig::default().query_selections;
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/src/api/operations");
        let mut largest = (0, String::new());
        for entry in std::fs::read_dir(&dir).expect("the frontend operations") {
            let path = entry.expect("a directory entry").path();
            if path.extension().is_none_or(|e| e != "graphql") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("readable");
            // A whole file (all its operations and fragments) bounds any one request from it.
            let n = count(&text).expect("no cycle");
            if n > largest.0 {
                largest = (n, path.display().to_string());
            }
        }
        println!(
            "largest frontend document: {} selections ({})",
            largest.0, largest.1
        );
        assert!(largest.0 > 0);
        assert!(largest.0 * 4 < limit, "{largest:?} against {limit}");
    }
}
