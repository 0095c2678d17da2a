//! Comparing two brokers' answers as text: the `Debug` rendering of each, after the caller has
//! normalised what legitimately differs, must be equal; otherwise the test fails with a line
//! diff and both answers.

/// Panics with a diff when the renderings differ.
#[track_caller]
pub fn assert_same_text(what: &str, kafka: &str, kaskade: &str) {
    if kafka != kaskade {
        panic!(
            "{what}: Kaskade's answer differs from Kafka's\n--- diff (- Kafka, + Kaskade)\n{}\n--- Kafka\n{kafka}\n--- Kaskade\n{kaskade}",
            line_diff(kafka, kaskade)
        );
    }
}

/// A minimal LCS line diff (answers are a few hundred lines at most).
pub fn line_diff(a: &str, b: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("+{:>4}: {}\n", j + 1, b[j]));
            j += 1;
        } else {
            out.push_str(&format!("-{:>4}: {}\n", i + 1, a[i]));
            i += 1;
        }
    }
    out
}
