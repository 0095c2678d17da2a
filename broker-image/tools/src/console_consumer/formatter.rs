//! Kafka's `DefaultMessageFormatter`, byte for byte: the fields in Kafka's order
//! (`CreateTime:…`, `Partition:…`, `Offset:…`, `Delivery:…`, `Epoch:…`, headers, key, value),
//! each followed by `key.separator` when another field follows, the record ended by
//! `line.separator`; headers as `k:v` joined by `headers.separator` or `NO_HEADERS`; a null key,
//! value or header value as `null.literal`. Keys and values are written as the bytes they are,
//! unless a deserializer is configured (see `deserializer.rs`).
//!
//! Kafka's console consumer hands the formatter records without leader epoch or delivery count,
//! so `print.epoch` and `print.delivery` always show `NOT_PRESENT`, here as there. Records a
//! formatter cannot deserialize leave what was already written, as Java's `PrintStream` does.

use rdkafka::message::{Headers, Message};
use rdkafka::Timestamp;

use super::deserializer::{decimal, DeserializeError, Deserializer};
use crate::exit::ToolError;
use crate::props::Props;

#[derive(Debug, Clone)]
pub struct Formatter {
    print_timestamp: bool,
    print_key: bool,
    print_value: bool,
    print_partition: bool,
    print_offset: bool,
    print_delivery: bool,
    print_epoch: bool,
    print_headers: bool,
    key_separator: Vec<u8>,
    line_separator: Vec<u8>,
    headers_separator: Vec<u8>,
    null_literal: Vec<u8>,
    key_deserializer: Deserializer,
    value_deserializer: Deserializer,
    headers_deserializer: Deserializer,
}

impl Formatter {
    /// Kafka's `DefaultMessageFormatter.configure`.
    pub fn from_props(p: &Props) -> Result<Formatter, ToolError> {
        let flag = |k: &str, default: bool| p.get(k).map_or(default, |v| v.trim().eq_ignore_ascii_case("true"));
        let text = |k: &str, default: &str| p.get(k).map_or(default, String::as_str).as_bytes().to_vec();
        Ok(Formatter {
            print_timestamp: flag("print.timestamp", false),
            print_key: flag("print.key", false),
            print_value: flag("print.value", true),
            print_partition: flag("print.partition", false),
            print_offset: flag("print.offset", false),
            print_delivery: flag("print.delivery", false),
            print_epoch: flag("print.epoch", false),
            print_headers: flag("print.headers", false),
            key_separator: text("key.separator", "\t"),
            line_separator: text("line.separator", "\n"),
            headers_separator: text("headers.separator", ","),
            null_literal: text("null.literal", "null"),
            key_deserializer: Deserializer::from_props(p, "key.deserializer")?,
            value_deserializer: Deserializer::from_props(p, "value.deserializer")?,
            headers_deserializer: Deserializer::from_props(p, "headers.deserializer")?,
        })
    }

    /// Appends one record to `out`; on a deserialization error, what was written stays.
    pub fn write<M: Message>(&self, m: &M, out: &mut Vec<u8>) -> Result<(), DeserializeError> {
        // Field flags after each field decide whether a column separator or nothing follows.
        let after_timestamp = self.print_partition || self.after_partition();
        if self.print_timestamp {
            match m.timestamp() {
                Timestamp::CreateTime(t) => labelled(out, "CreateTime:", t),
                Timestamp::LogAppendTime(t) => labelled(out, "LogAppendTime:", t),
                // librdkafka reports a timestamp of -1 as "not available"; Kafka 4 brokers only
                // store v2 batches, where Java sees CreateTime -1.
                Timestamp::NotAvailable => out.extend_from_slice(b"CreateTime:-1"),
            }
            self.separator(out, after_timestamp);
        }
        if self.print_partition {
            labelled(out, "Partition:", i64::from(m.partition()));
            self.separator(out, self.after_partition());
        }
        if self.print_offset {
            labelled(out, "Offset:", m.offset());
            self.separator(out, self.after_offset());
        }
        if self.print_delivery {
            out.extend_from_slice(b"Delivery:NOT_PRESENT");
            self.separator(out, self.after_delivery());
        }
        if self.print_epoch {
            out.extend_from_slice(b"Epoch:NOT_PRESENT");
            self.separator(out, self.print_headers || self.print_key || self.print_value);
        }
        if self.print_headers {
            match m.headers().filter(|h| h.count() > 0) {
                None => out.extend_from_slice(b"NO_HEADERS"),
                Some(headers) => {
                    for (i, h) in headers.iter().enumerate() {
                        if i > 0 {
                            out.extend_from_slice(&self.headers_separator);
                        }
                        out.extend_from_slice(h.key.as_bytes());
                        out.push(b':');
                        self.headers_deserializer.write(h.value.unwrap_or(&self.null_literal), out)?;
                    }
                }
            }
            self.separator(out, self.print_key || self.print_value);
        }
        if self.print_key {
            self.key_deserializer.write(m.key().unwrap_or(&self.null_literal), out)?;
            self.separator(out, self.print_value);
        }
        if self.print_value {
            self.value_deserializer.write(m.payload().unwrap_or(&self.null_literal), out)?;
            out.extend_from_slice(&self.line_separator);
        }
        Ok(())
    }

    fn after_partition(&self) -> bool {
        self.print_offset || self.after_offset()
    }

    fn after_offset(&self) -> bool {
        self.print_delivery || self.after_delivery()
    }

    fn after_delivery(&self) -> bool {
        self.print_epoch || self.print_headers || self.print_key || self.print_value
    }

    /// Kafka's `writeSeparator`: the column separator when more follows, else the line's end.
    fn separator(&self, out: &mut Vec<u8>, column: bool) {
        out.extend_from_slice(if column { &self.key_separator } else { &self.line_separator });
    }
}

/// `label` then `n` in decimal, appended with no allocation (this runs once per record).
fn labelled(out: &mut Vec<u8>, label: &str, n: i64) {
    out.extend_from_slice(label.as_bytes());
    decimal(out, n);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::message::{Header, OwnedHeaders, OwnedMessage};

    fn formatter(pairs: &[(&str, &str)]) -> Formatter {
        Formatter::from_props(&pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()).unwrap()
    }

    fn message(key: Option<&[u8]>, value: Option<&[u8]>, headers: Option<OwnedHeaders>) -> OwnedMessage {
        OwnedMessage::new(
            value.map(<[u8]>::to_vec),
            key.map(<[u8]>::to_vec),
            "t".into(),
            Timestamp::CreateTime(17),
            3,
            42,
            headers,
        )
    }

    fn text(f: &Formatter, m: &OwnedMessage) -> String {
        let mut out = Vec::new();
        f.write(m, &mut out).unwrap();
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn default_prints_the_value_and_a_newline() {
        let f = formatter(&[]);
        assert_eq!(text(&f, &message(Some(b"k"), Some(b"v"), None)), "v\n");
        assert_eq!(text(&f, &message(None, None, None)), "null\n");
        let mut out = Vec::new();
        f.write(&message(None, Some(b"\xff\xfe"), None), &mut out).unwrap();
        assert_eq!(out, b"\xff\xfe\n");
    }

    #[test]
    fn every_field_in_kafkas_order() {
        let all = [
            ("print.timestamp", "true"),
            ("print.partition", "TRUE"),
            ("print.offset", " true "),
            ("print.delivery", "true"),
            ("print.epoch", "true"),
            ("print.headers", "true"),
            ("print.key", "true"),
        ];
        let headers = OwnedHeaders::new()
            .insert(Header {
                key: "h1",
                value: Some("v1"),
            })
            .insert(Header {
                key: "h2",
                value: None::<&str>,
            });
        let m = message(Some(b"k"), Some(b"v"), Some(headers));
        assert_eq!(
            text(&formatter(&all), &m),
            "CreateTime:17\tPartition:3\tOffset:42\tDelivery:NOT_PRESENT\tEpoch:NOT_PRESENT\th1:v1,h2:null\tk\tv\n"
        );
        let mut no_value = all.to_vec();
        no_value.extend([("print.value", "false"), ("key.separator", " | "), ("headers.separator", ";")]);
        assert_eq!(
            text(&formatter(&no_value), &message(None, Some(b"v"), None)),
            "CreateTime:17 | Partition:3 | Offset:42 | Delivery:NOT_PRESENT | Epoch:NOT_PRESENT | NO_HEADERS | null\n"
        );
        let f = formatter(&[("print.offset", "true"), ("print.value", "false"), ("line.separator", "\r\n")]);
        assert_eq!(text(&f, &m), "Offset:42\r\n");
        let f = formatter(&[("print.value", "false")]);
        assert_eq!(text(&f, &m), "");
        let f = formatter(&[("print.key", "true"), ("null.literal", "<nil>")]);
        assert_eq!(text(&f, &message(None, None, None)), "<nil>\t<nil>\n");
    }

    #[test]
    fn deserializers() {
        let f = formatter(&[
            ("print.key", "true"),
            ("key.deserializer", "org.apache.kafka.common.serialization.LongDeserializer"),
            ("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer"),
        ]);
        let m = message(Some(&(-5i64).to_be_bytes()), Some(b"ok\xff"), None);
        assert_eq!(text(&f, &m), "-5\tok\u{fffd}\n");
        let mut out = Vec::new();
        let err = f.write(&message(Some(b"abc"), Some(b"v"), None), &mut out).unwrap_err();
        assert_eq!(
            err.to_string(),
            "SerializationException: Size of data received by LongDeserializer is not 8"
        );
        let bad = [("value.deserializer", "com.example.Avro")];
        let e = Formatter::from_props(&bad.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()).unwrap_err();
        assert!(e.to_string().contains("com.example.Avro is not supported"), "{e}");
    }
}
