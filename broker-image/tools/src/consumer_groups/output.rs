//! What the command prints, kept apart from where it goes: Kafka's tool writes tables and its
//! `Error:` lines to stdout and notes (an empty group, a rebalancing one, resetter warnings) to
//! stderr. The command fills an [`Out`] and prints it at the end (or when it fails), so each
//! view can be tested as text; [`Out::failed`] records that an `Error:` line was printed, for
//! the exit code.

use std::io::Write;

#[derive(Debug, Default)]
pub struct Out {
    pub stdout: String,
    pub stderr: String,
    /// Set by [`Out::error`]: the command printed an error and exits 1.
    pub failed: Option<String>,
}

impl Out {
    pub fn print(&mut self, text: &str) {
        self.stdout.push_str(text);
    }

    pub fn println(&mut self, line: &str) {
        self.stdout.push_str(line);
        self.stdout.push('\n');
    }

    pub fn eprintln(&mut self, line: &str) {
        self.stderr.push_str(line);
        self.stderr.push('\n');
    }

    /// Kafka's `printError`: an empty line, then `Error: {message}` on stdout.
    pub fn error(&mut self, message: &str) {
        self.stdout.push_str("\nError: ");
        self.stdout.push_str(message);
        self.stdout.push('\n');
        if self.failed.is_none() {
            self.failed = Some(format!("Error: {message}"));
        }
    }

    /// Records a failure whose `Error` text is already in the output (a table row), for the
    /// exit code.
    pub fn fail(&mut self, message: &str) {
        if self.failed.is_none() {
            self.failed = Some(message.to_string());
        }
    }

    /// Writes both streams (stderr first: Kafka prints its notes before the tables they
    /// precede) and empties them.
    pub fn flush(&mut self) {
        if !self.stderr.is_empty() {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(self.stderr.as_bytes());
            let _ = err.flush();
            self.stderr.clear();
        }
        if !self.stdout.is_empty() {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(self.stdout.as_bytes());
            let _ = out.flush();
            self.stdout.clear();
        }
    }
}
