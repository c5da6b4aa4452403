//! `sort … | take N` and `top N by …` run as a top-k (a selection of the best N rows, not a
//! full sort): their answers must be exactly the stable full sort's first N rows — ties in
//! input order, nulls last in both directions — on data made of ties and nulls, with several
//! keys in mixed directions. Checked two ways: against planq's own full `sort` and against
//! a stable sort written here in plain Rust, which shares no code with polars.

use std::cmp::Ordering;

use planq::Engine;
use polars::prelude::*;

const ROWS: usize = 3000;

/// Deterministic pseudo-random numbers (same data every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// One row of the table: `id` is its input position, the rest are sort keys full of ties
/// (few distinct values) and nulls (about one in six).
struct Row {
    id: i64,
    s: Option<String>,
    i: Option<i64>,
    f: Option<f64>,
}

fn rows() -> Vec<Row> {
    let mut rng = Lcg(7);
    let words = ["省数字办", "省通管局", "a", "B", "各设区市"];
    (0..ROWS)
        .map(|id| {
            let mut set = || rng.next(6) != 0;
            let s = set().then(|| words[(id * 7 + id / 3) % words.len()].to_string());
            let i = set().then_some((id % 4) as i64 - 1);
            let f = set().then_some(((id * 13) % 5) as f64 * 0.5 - 1.0);
            Row {
                id: id as i64,
                s,
                i,
                f,
            }
        })
        .collect()
}

fn engine(rows: &[Row]) -> Engine {
    let mut e = Engine::seed().expect("seed");
    let df = DataFrame::new(
        rows.len(),
        vec![
            Column::new("id".into(), rows.iter().map(|r| r.id).collect::<Vec<_>>()),
            Column::new(
                "s".into(),
                rows.iter().map(|r| r.s.clone()).collect::<Vec<_>>(),
            ),
            Column::new("i".into(), rows.iter().map(|r| r.i).collect::<Vec<_>>()),
            Column::new("f".into(), rows.iter().map(|r| r.f).collect::<Vec<_>>()),
        ],
    )
    .expect("frame");
    e.register_table("t", df).expect("register");
    e
}

/// Nulls last whatever the direction; `desc` reverses only the non-null order.
fn cmp_opt<T: PartialOrd>(a: &Option<T>, b: &Option<T>, desc: bool) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => {
            let o = x.partial_cmp(y).expect("no NaN in the data");
            if desc {
                o.reverse()
            } else {
                o
            }
        }
    }
}

/// The ids of the first `n` rows of a stable sort by `keys` (column, descending).
fn reference(rows: &[Row], keys: &[(&str, bool)], n: usize) -> Vec<i64> {
    let mut order: Vec<&Row> = rows.iter().collect();
    // `sort_by` is stable: equal rows keep their input order.
    order.sort_by(|a, b| {
        keys.iter()
            .map(|&(k, desc)| match k {
                "s" => cmp_opt(&a.s, &b.s, desc),
                "i" => cmp_opt(&a.i, &b.i, desc),
                "f" => cmp_opt(&a.f, &b.f, desc),
                other => panic!("no key {other}"),
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    order.iter().take(n).map(|r| r.id).collect()
}

fn ids(df: &DataFrame) -> Vec<i64> {
    df.column("id")
        .expect("id")
        .i64()
        .expect("i64")
        .into_no_null_iter()
        .collect()
}

fn key_text(keys: &[(&str, bool)]) -> String {
    keys.iter()
        .map(|&(k, desc)| format!("{k}{}", if desc { " desc" } else { "" }))
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn sort_take_equals_the_stable_full_sort() {
    let rows = rows();
    let e = engine(&rows);
    let key_sets: &[&[(&str, bool)]] = &[
        &[("s", false)],
        &[("s", true)],
        &[("i", true)],
        &[("f", false)],
        &[("s", false), ("i", true)],
        &[("s", true), ("i", false)],
        &[("i", true), ("f", true)],
        &[("f", false), ("s", true), ("i", false)],
        &[("i", false), ("s", false), ("f", true)],
    ];
    for keys in key_sets {
        let sort = format!("t | sort {}", key_text(keys));
        let full = e.query(&sort).expect("full sort runs");
        assert_eq!(ids(&full), reference(&rows, keys, ROWS), "{sort}");
        for n in [0, 1, 7, 100, 999, ROWS - 1, ROWS, ROWS + 5] {
            let q = format!("{sort} | take {n}");
            let top = e.query(&q).expect("top-k runs");
            // Same columns, same rows, same order as the full sort's head.
            assert!(
                top.equals_missing(&full.head(Some(n))),
                "{q}: differs from the full sort's first {n} rows"
            );
            assert_eq!(ids(&top), reference(&rows, keys, n), "{q}");
            if keys.len() == 1 {
                let (k, desc) = keys[0];
                let q = format!("t | top {n} by {k} {}", if desc { "desc" } else { "asc" });
                let top = e.query(&q).expect("top runs");
                assert!(top.equals_missing(&full.head(Some(n))), "{q}");
            }
        }
    }
}

#[test]
fn the_row_number_does_not_clash_with_a_column_of_that_name() {
    // The tie-breaker is a hidden row-number column; a table that already has a column of
    // its name keeps it, unchanged, and the answer is still the stable one.
    let mut e = Engine::seed().expect("seed");
    let df = DataFrame::new(
        4,
        vec![
            Column::new("k".into(), [1i64, 0, 1, 0]),
            Column::new("__planq_row".into(), ["w", "x", "y", "z"]),
        ],
    )
    .expect("frame");
    e.register_table("u", df).expect("register");
    let out = e.query("u | sort k | take 3").expect("runs");
    let expected = DataFrame::new(
        3,
        vec![
            Column::new("k".into(), [0i64, 0, 1]),
            Column::new("__planq_row".into(), ["x", "z", "w"]),
        ],
    )
    .expect("frame");
    assert!(out.equals_missing(&expected), "{out}");
}

#[test]
fn sort_take_plans_a_top_k() {
    // The limit reaches the sort (polars then selects instead of sorting every row), and the
    // sort is not a stable one (which would sort every row before slicing).
    let e = engine(&rows());
    let plan = e.explain("t | sort s, i desc | take 10").expect("explain");
    assert!(plan.contains("SORT BY [slice: (0, 10)"), "{plan}");
    assert!(!plan.contains("maintain_order: true"), "{plan}");
}
