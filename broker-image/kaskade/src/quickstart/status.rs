//! What flows, in one line: rows in the source, the topic's end offset, rows in the target and
//! the lag between them; refreshed in place on a terminal, one line at a time otherwise.

/// One observation of the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flow {
    pub source_rows: u64,
    pub end_offset: i64,
    pub target_rows: u64,
}

impl Flow {
    pub fn line(&self, elapsed_s: u64) -> String {
        format!(
            "[{elapsed_s:>4}s] source users: {} rows | topic my_topic_users: end offset {} | target my_topic_users: {} rows | lag {} rows",
            self.source_rows,
            self.end_offset,
            self.target_rows,
            self.source_rows.saturating_sub(self.target_rows)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line() {
        let f = Flow {
            source_rows: 12,
            end_offset: 11,
            target_rows: 10,
        };
        assert_eq!(
            f.line(7),
            "[   7s] source users: 12 rows | topic my_topic_users: end offset 11 | target my_topic_users: 10 rows | lag 2 rows"
        );
    }
}
