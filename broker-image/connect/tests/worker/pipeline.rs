//! The FileStream pipeline through our worker on our broker: a source file's lines → a topic →
//! a sink file. After clean stops every line is there exactly once and in order, and the
//! source's offset is the file's length; after a SIGKILL mid-stream every line is there at least
//! once, in order of first occurrence.

use std::io::Write;
use std::path::Path;

use super::*;

/// Waits until the sink file holds `n` complete lines and the source's offset is the source
/// file's length (both committed).
fn wait_delivered(w: &ConnectProc, source: &Path, sink: &Path, n: usize) {
    let len = std::fs::metadata(source).expect("source file").len();
    let url = w.url();
    wait_until(w, &format!("{n} lines in {}", sink.display()), || {
        (complete_lines(sink).len() >= n).then_some(())
    });
    wait_until(w, &format!("the source offset at {len}"), || {
        (file_position(&url, "source", source) == Some(len)).then_some(())
    });
}

fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new().append(true).open(path).expect("open source file");
    f.write_all(text.as_bytes()).expect("append");
}

#[test]
fn lines_arrive_exactly_once_across_clean_restarts() {
    let broker = broker();
    create_topic(&broker, "lines");
    let mut w = worker(&broker, "pipeline", &[]);
    let mut expected = numbered("line-", 1..=3000);
    let source = w.write_file("in.txt", &expected);
    let sink = w.file("out.txt");
    create(&w, "source", source_config(&source, "lines"));
    create(&w, "sink", sink_config(&sink, "lines"));
    wait_states(&w, "source", "RUNNING", &["RUNNING"]);
    wait_states(&w, "sink", "RUNNING", &["RUNNING"]);
    wait_delivered(&w, &source, &sink, 3000);

    let offsets = expect(&w, "GET", "/connectors/source/offsets", None, 200);
    assert_eq!(
        offsets,
        json!({"offsets": [{"partition": {"filename": source.to_str()}, "offset": {"position": expected.len()}}]})
    );
    assert!(w.stop().success(), "SIGTERM exit status; log:\n{}", tail(&w.log()));
    assert_eq!(std::fs::read_to_string(&sink).unwrap(), expected, "after the first clean stop");

    // Lines appended while the worker is down are read from where it stopped.
    let more = numbered("line-", 3001..=4500);
    append(&source, &more);
    expected.push_str(&more);
    w.spawn();
    wait_delivered(&w, &source, &sink, 4500);
    // And lines appended while it runs.
    let more = numbered("line-", 4501..=5000);
    append(&source, &more);
    expected.push_str(&more);
    wait_delivered(&w, &source, &sink, 5000);

    // A restart of a running worker (SIGTERM, start) duplicates nothing either.
    w.restart();
    wait_states(&w, "source", "RUNNING", &["RUNNING"]);
    wait_states(&w, "sink", "RUNNING", &["RUNNING"]);
    let more = numbered("line-", 5001..=5500);
    append(&source, &more);
    expected.push_str(&more);
    wait_delivered(&w, &source, &sink, 5500);
    assert!(w.stop().success(), "SIGTERM exit status; log:\n{}", tail(&w.log()));
    let got = std::fs::read_to_string(&sink).unwrap();
    if got != expected {
        let (g, e): (Vec<&str>, Vec<&str>) = (got.lines().collect(), expected.lines().collect());
        let first = g.iter().zip(&e).position(|(a, b)| a != b).unwrap_or(g.len().min(e.len()));
        panic!(
            "the sink file differs: {} lines, {} expected, first difference at line {}: {:?} vs {:?}\n--- worker log\n{}",
            g.len(),
            e.len(),
            first + 1,
            g.get(first),
            e.get(first),
            tail(&w.log())
        );
    }
}

#[test]
fn sigkill_mid_stream_loses_nothing() {
    const N: u32 = 300_000;
    let broker = broker();
    create_topic(&broker, "many");
    let mut w = worker(&broker, "crash", &[]);
    let source = w.write_file("in.txt", &numbered("", 1..=N));
    let len = std::fs::metadata(&source).unwrap().len();
    let sink = w.file("out.txt");
    create(&w, "sink", sink_config(&sink, "many"));
    wait_states(&w, "sink", "RUNNING", &["RUNNING"]);
    create(&w, "source", source_config(&source, "many"));

    // Mid-stream: the source has committed some of the file, not all of it.
    let url = w.url();
    let at = wait_until(&w, "a first source offset commit", || {
        file_position(&url, "source", &source).filter(|p| *p > 0)
    });
    let delivered = complete_lines(&sink).len();
    w.kill();
    eprintln!("SIGKILL at source position {at} of {len}, {delivered} lines in the sink file");

    w.spawn();
    wait_until(&w, "every line in the sink file", || {
        let lines = complete_lines(&sink);
        (lines.len() >= N as usize && first_occurrences(&lines).is_ok_and(|next| next > N)).then_some(())
    });
    wait_until(&w, "the source offset at the file's end", || {
        (file_position(&url, "source", &source) == Some(len)).then_some(())
    });
    assert!(w.stop().success(), "SIGTERM exit status; log:\n{}", tail(&w.log()));
    let text = std::fs::read_to_string(&sink).unwrap();
    assert!(text.ends_with('\n'), "the sink file ends in an unfinished line");
    let lines = complete_lines(&sink);
    match first_occurrences(&lines) {
        Ok(next) => assert_eq!(next, N + 1, "lines missing at the end"),
        Err(e) => panic!("{e}\n--- worker log\n{}", tail(&w.log())),
    }
    eprintln!("{} lines for {N}: {} duplicates", lines.len(), lines.len() - N as usize);
}

/// Checks that the numbers first appear as 1, 2, 3, …: each line is a number seen before (a
/// duplicate) or the next one. Returns the next number expected.
fn first_occurrences(lines: &[String]) -> Result<u32, String> {
    let mut next = 1u32;
    for (i, line) in lines.iter().enumerate() {
        let n: u32 = line
            .parse()
            .map_err(|_| format!("line {}: {line:?} is not one of the source's lines", i + 1))?;
        if n == next {
            next += 1;
        } else if n > next {
            return Err(format!("line {}: {n} before {next} ever appeared (lost or out of order)", i + 1));
        }
    }
    Ok(next)
}
