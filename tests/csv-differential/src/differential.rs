//! Differential check: planq's CSV reader (which keeps spans) against the `csv` crate,
//! on a generated corpus of tricky files — quoted fields with commas, quotes and line
//! breaks, empty fields, ragged rows, comment and blank lines, LF / CRLF / bare-CR line
//! endings, a byte-order mark, text after a closing quote, non-ASCII text.
//!
//! The corpus leaves out what planq does differently on purpose: spaces around fields
//! (planq trims them), whitespace-only lines (planq skips them), an unclosed quote and a
//! line break of the other style outside quotes (planq reports them), and a comment line
//! at the very end without a line break (the csv crate returns an empty record for it) or
//! in a file whose lines end with a bare `\r` (the csv crate ends comments only at `\n`).

use crate::csv;

/// A tiny deterministic generator (xorshift64*), so that a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Text that may stand inside a field (quoted or not), never at its edges.
const INNER: &[&str] = &["a", "b", "7", "2.5#1", "省数字办", " ", "x y", "-", "é", "#", "'"];

fn unquoted(rng: &mut Rng) -> String {
    // Empty, or starting and ending with a non-space that is not a quote.
    match rng.below(6) {
        0 => String::new(),
        _ => {
            let mut s = String::from(rng.pick(&["a", "1", "省", "2010-06-30", "z"]));
            for _ in 0..rng.below(4) {
                s.push_str(rng.pick(INNER));
                if rng.below(5) == 0 {
                    s.push('"'); // a quote inside an unquoted field is a literal
                }
            }
            s.push_str(rng.pick(&["a", "9", "%", "办"]));
            s
        }
    }
}

fn quoted(rng: &mut Rng, eol: &str) -> String {
    let mut s = String::from("\"");
    for _ in 0..rng.below(6) {
        s.push_str(match rng.below(8) {
            0 => ",",
            1 => "\"\"",
            2 => eol,
            3 => "\n",
            4 => "\r\n",
            5 => "\r",
            _ => rng.pick(INNER),
        });
    }
    s.push('"');
    if rng.below(8) == 0 {
        s.push_str("tail"); // text after the closing quote is kept
    }
    s
}

/// One generated file and its line ending.
fn file(rng: &mut Rng) -> String {
    let eol = rng.pick(&["\n", "\r\n", "\r"]);
    let mut text = String::new();
    if rng.below(4) == 0 {
        text.push('\u{feff}');
    }
    let mut last_was_comment = false;
    for _ in 0..rng.below(7) {
        last_was_comment = false;
        match rng.below(10) {
            // (The csv crate ends a comment only at `\n`: no comments in CR files.)
            0 if eol != "\r" => {
                text.push_str("# a comment, \"with\" quotes");
                last_was_comment = true;
            }
            1 => {} // a blank line
            _ => {
                let fields = 1 + rng.below(5);
                let mut record = String::new();
                for i in 0..fields {
                    if i > 0 {
                        record.push(',');
                    }
                    let f = if rng.below(3) == 0 {
                        quoted(rng, eol)
                    } else {
                        unquoted(rng)
                    };
                    record.push_str(&f);
                }
                if record.is_empty() {
                    // A record of one empty unquoted field is a blank line.
                    record.push('v');
                }
                text.push_str(&record);
            }
        }
        // Some LF files mix in CRLF: both end records there.
        let this_eol = if eol == "\n" && rng.below(4) == 0 {
            "\r\n"
        } else {
            eol
        };
        text.push_str(this_eol);
    }
    // (A comment without a line break at the very end is left out: the csv crate
    // returns an extra empty record for it, a quirk of its own.)
    if rng.below(3) == 0 && !last_was_comment {
        // No line break after the last line.
        if text.ends_with("\r\n") {
            text.truncate(text.len() - 2);
        } else if text.ends_with(['\n', '\r']) {
            text.pop();
        }
    }
    text
}

fn planq_records(text: &str) -> Vec<Vec<String>> {
    // As `progress::load` does: a byte-order mark is not data.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (records, problems) = csv::read(text);
    assert_eq!(problems, [], "planq reported problems in {text:?}");
    records
        .into_iter()
        .map(|r| r.fields.into_iter().map(|f| f.text).collect())
        .collect()
}

fn crate_records(text: &str) -> Vec<Vec<String>> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            let r = r.unwrap_or_else(|e| panic!("csv crate failed on {text:?}: {e}"));
            r.iter().map(str::to_string).collect()
        })
        .collect()
}

#[test]
fn hand_picked_files_agree() {
    for text in [
        "a,b\nc,d\n",
        "a,b\r\nc,d",
        "a,b\rc,d\r",
        "\u{feff}target_id,actual\n1,2\n",
        "a,\"x,y\",\"say \"\"hi\"\"\"\n",
        "a,\"line\nbreak\",b\n",
        "a,\"cr\rinside\",b\r",
        "a,\"crlf\r\ninside\"\r\nb\r\n",
        ",,\n,\n",
        "# comment\n\na\n\n\nb",
        "\"\"\n\"\",\"\"\n",
        "a\"b,c\"\"d\n",
        "\"q\"tail,x\n",
        "省数字办,2010-06-30\r",
    ] {
        assert_eq!(planq_records(text), crate_records(text), "{text:?}");
    }
}

#[test]
fn generated_corpus_agrees_with_the_csv_crate() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut records = 0;
    for _ in 0..4000 {
        let text = file(&mut rng);
        let ours = planq_records(&text);
        assert_eq!(ours, crate_records(&text), "{text:?}");
        records += ours.len();
    }
    // The corpus is not trivially empty.
    assert!(records > 8000, "{records} records");
}
