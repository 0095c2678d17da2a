//! `--validate-regex`: whether a subscription pattern (KIP-848 regular-expression subscriptions
//! are RE2) parses, in the words of RE2/J's error descriptions, which Kafka's tool prints. The
//! syntax is checked with `regex-syntax`, whose grammar is RE2's; character class names
//! (`\p{Greek}`) are not looked up.

use regex_syntax::ast::parse::Parser;
use regex_syntax::ast::ErrorKind;

/// The line Kafka prints for `regex`.
pub fn validate(regex: &str) -> String {
    match Parser::new().parse(regex) {
        Ok(_) => format!("The regular expression `{regex}` is valid."),
        Err(e) => format!("The regular expression `{regex}` is invalid: {}.", describe(e.kind())),
    }
}

/// RE2/J's `PatternSyntaxException.getDescription()` for a parse error.
fn describe(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::GroupUnclosed => "missing closing )",
        ErrorKind::GroupUnopened => "unexpected )",
        ErrorKind::ClassUnclosed => "missing closing ]",
        ErrorKind::ClassRangeInvalid | ErrorKind::ClassRangeLiteral => "invalid character class range",
        ErrorKind::EscapeUnexpectedEof => "trailing backslash at end of expression",
        ErrorKind::ClassEscapeInvalid
        | ErrorKind::EscapeHexEmpty
        | ErrorKind::EscapeHexInvalid
        | ErrorKind::EscapeHexInvalidDigit
        | ErrorKind::EscapeUnrecognized => "invalid escape sequence",
        ErrorKind::RepetitionMissing => "missing argument to repetition operator",
        ErrorKind::RepetitionCountInvalid | ErrorKind::RepetitionCountDecimalEmpty | ErrorKind::DecimalInvalid => "invalid repeat count",
        ErrorKind::GroupNameDuplicate { .. }
        | ErrorKind::GroupNameEmpty
        | ErrorKind::GroupNameInvalid
        | ErrorKind::GroupNameUnexpectedEof => "invalid named capture",
        ErrorKind::UnicodeClassInvalid => "invalid character class",
        ErrorKind::NestLimitExceeded(_) => "expression nests too deeply",
        _ => "invalid or unsupported Perl syntax",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_kafkas() {
        // As Kafka 4.4 printed it.
        assert_eq!(validate("a(b"), "The regular expression `a(b` is invalid: missing closing ).");
        assert_eq!(validate("orders-.*"), "The regular expression `orders-.*` is valid.");
        assert_eq!(validate("[a"), "The regular expression `[a` is invalid: missing closing ].");
        assert_eq!(
            validate("*"),
            "The regular expression `*` is invalid: missing argument to repetition operator."
        );
        assert_eq!(validate("a)"), "The regular expression `a)` is invalid: unexpected ).");
        assert_eq!(
            validate("(?=a)"),
            "The regular expression `(?=a)` is invalid: invalid or unsupported Perl syntax."
        );
    }
}
