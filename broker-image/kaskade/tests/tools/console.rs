//! `kaskade console-producer` and `kaskade console-consumer` as processes against a real
//! `kaskade broker`: the quickstart flow (lines in, the same lines out), keys, headers and every
//! `print.*` property, `--partition`/`--offset`, group commits, Kafka's endings (max messages,
//! timeout, signals, a closed stdout) and errors within a bounded time. Then against Kafka's own
//! tools and kcat: what one writes the other reads byte for byte, and Kafka's console consumer
//! and ours print the same bytes for the same flags — on a Kaskade broker and on Apache Kafka.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use kaskade_testkit::compare::assert_same_text;
use kaskade_testkit::tools::{drain, kafka_tool, kaskade_tool, run, Pipe, Ran};
use kaskade_testkit::{free_port, kafka_peer, send_signal, wait_for, BrokerProc};

fn produce(bs: &str, topic: &str, extra: &[&str], input: &[u8]) -> Ran {
    let mut args = vec!["console-producer", "--bootstrap-server", bs, "--topic", topic];
    args.extend_from_slice(extra);
    run(kaskade_tool(&args), input, Duration::from_secs(60))
}

fn consume(bs: &str, extra: &[&str]) -> Ran {
    let mut args = vec!["console-consumer", "--bootstrap-server", bs];
    args.extend_from_slice(extra);
    run(kaskade_tool(&args), b"", Duration::from_secs(60))
}

fn create_topic(bs: &str, topic: &str, partitions: i32) {
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(kaskade_testkit::clients::create_topic(bs, topic, partitions, &[]));
}

/// The last line of a tool's stderr (Kafka's tools log warnings before it).
fn last_line(stderr: &str) -> &str {
    stderr.lines().last().unwrap_or_default()
}

const SEED_LINES: &str = "This is my first event\nThis is my second event\nünïcødé ✓ 日本語\n";

#[test]
fn quickstart_flow_keys_headers_offsets_and_groups() {
    let b = BrokerProc::start(&["group.initial.rebalance.delay.ms=0"]);
    let bs = b.bootstrap();

    // The seed flow verbatim: a one-partition topic, lines in from stdin, the same lines out.
    create_topic(&bs, "quickstart-events", 1);
    produce(&bs, "quickstart-events", &[], SEED_LINES.as_bytes()).ok("console-producer");
    let out = consume(&bs, &["--topic", "quickstart-events", "--from-beginning", "--max-messages", "3"]).ok("console-consumer");
    assert_eq!(out.text(), SEED_LINES);
    assert_eq!(last_line(&out.stderr), "Processed a total of 3 messages");

    // Keys, headers and the null marker; \r\n, a lone \r and a last line without a newline end
    // lines as Java's readLine ends them; invalid UTF-8 passes through byte for byte.
    let input = b"h1:a,h2:NULL\tk1\tv1\r\nNULL\tk2\tv2\rh3:x\tNULL\tNULL\n\t\xff\xfe raw\n";
    let reader = ["--reader-property", "parse.key=true", "--reader-property", "parse.headers=true"];
    let mut extra = reader.to_vec();
    extra.extend([
        "--reader-property",
        "null.marker=NULL",
        "--reader-property",
        "ignore.error=true",
        "--sync",
    ]);
    let input_tail = b"h4:y\tk5\tlast";
    let p = produce(&bs, "quickstart-events", &extra, &[&input[..], &input_tail[..]].concat()).ok("producer with keys");
    assert!(p.stderr.is_empty(), "{}", p.stderr);
    let all = [
        "--partition",
        "0",
        "--offset",
        "3",
        "--max-messages",
        "5",
        "--formatter-property",
        "print.key=true",
        "--formatter-property",
        "print.headers=true",
        "--formatter-property",
        "print.offset=true",
        "--formatter-property",
        "print.partition=true",
    ];
    let out = consume(&bs, &[&["--topic", "quickstart-events"][..], &all[..]].concat()).ok("consumer with print.*");
    // The null marker as headers means none; empty headers are one empty pair, which
    // ignore.error turns into a header "" without value (Java's LineMessageReader does the same).
    let want: &[u8] = b"Partition:0\tOffset:3\th1:a,h2:null\tk1\tv1\n\
        Partition:0\tOffset:4\tNO_HEADERS\tk2\tv2\n\
        Partition:0\tOffset:5\th3:x\tnull\tnull\n\
        Partition:0\tOffset:6\t:null\tnull\t\xff\xfe raw\n\
        Partition:0\tOffset:7\th4:y\tk5\tlast\n";
    assert_eq!(String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(want));
    assert_eq!(out.stdout, want);

    // print.timestamp, custom separators, null.literal, print.value=false.
    let out = consume(
        &bs,
        &[
            "--topic",
            "quickstart-events",
            "--partition",
            "0",
            "--offset",
            "5",
            "--max-messages",
            "1",
            "--property",
            "print.timestamp=true",
            "--property",
            "print.key=true",
            "--property",
            "key.separator= | ",
            "--property",
            "null.literal=<nil>",
            "--property",
            "print.value=false",
            "--property",
            "line.separator=;\n",
        ],
    )
    .ok("consumer with separators");
    let text = out.text();
    let ts = text.strip_prefix("CreateTime:").and_then(|t| t.strip_suffix(" | <nil>;\n"));
    assert!(
        ts.is_some_and(|t| t.parse::<i64>().is_ok_and(|t| t > 1_600_000_000_000)),
        "{text:?}"
    );
    assert!(out.stderr.contains("Option --property is deprecated"), "{}", out.stderr);

    // --offset latest waits for new records; --offset beyond the end starts at the end too.
    let out = consume(
        &bs,
        &[
            "--topic",
            "quickstart-events",
            "--partition",
            "0",
            "--offset",
            "latest",
            "--timeout-ms",
            "1500",
        ],
    )
    .ok("latest");
    assert_eq!(out.text(), "");
    assert!(out.stderr.contains("TimeoutException"), "{}", out.stderr);
    assert_eq!(last_line(&out.stderr), "Processed a total of 0 messages");

    // A group commits what it printed, and the next member of the group goes on from there.
    let out = consume(
        &bs,
        &[
            "--topic",
            "quickstart-events",
            "--group",
            "readers",
            "--from-beginning",
            "--max-messages",
            "2",
        ],
    )
    .ok("group");
    assert_eq!(out.text(), "This is my first event\nThis is my second event\n");
    assert_eq!(kaskade_testkit::groups::committed(&bs, "readers", "quickstart-events", 1)[&0], 2);
    let out = consume(&bs, &["--topic", "quickstart-events", "--group", "readers", "--max-messages", "1"]).ok("group again");
    assert_eq!(out.text(), "ünïcødé ✓ 日本語\n");
    assert_eq!(kaskade_testkit::groups::committed(&bs, "readers", "quickstart-events", 1)[&0], 3);
    // Without --group: a throwaway group that commits nothing.
    consume(&bs, &["--topic", "quickstart-events", "--from-beginning", "--max-messages", "1"]).ok("no group");

    // --include: a regex over whole topic names.
    create_topic(&bs, "metrics-a", 1);
    create_topic(&bs, "metrics-b", 1);
    produce(&bs, "metrics-a", &[], b"from a\n").ok("metrics-a");
    produce(&bs, "metrics-b", &[], b"from b\n").ok("metrics-b");
    let out = consume(&bs, &["--include", "metrics-.*", "--from-beginning", "--max-messages", "2"]).ok("include");
    let mut lines: Vec<&str> = out
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| std::str::from_utf8(l).unwrap())
        .collect();
    lines.sort_unstable();
    assert_eq!(lines, ["from a", "from b"]);

    // Every codec of --compression-codec (a bare flag means gzip).
    for codec in [
        &["--compression-codec"][..],
        &["--compression-codec", "snappy"],
        &["--compression-codec", "lz4"],
        &["--compression-codec", "zstd"],
    ] {
        // Long enough to shrink: librdkafka sends a batch uncompressed when the codec does not.
        produce(&bs, "codecs", codec, format!("{codec:?} {}\n", "z".repeat(500)).as_bytes()).ok("codec");
    }
    let out = consume(
        &bs,
        &[
            "--topic",
            "codecs",
            "--partition",
            "0",
            "--offset",
            "earliest",
            "--max-messages",
            "4",
        ],
    )
    .ok("codecs");
    let zs = "z".repeat(500);
    assert_eq!(
        out.text(),
        format!(
            "[\"--compression-codec\"] {zs}\n[\"--compression-codec\", \"snappy\"] {zs}\n\
             [\"--compression-codec\", \"lz4\"] {zs}\n[\"--compression-codec\", \"zstd\"] {zs}\n"
        )
    );
    // The broker keeps batches as the producer sent them: each one carries its codec
    // (1 gzip, 2 snappy, 3 lz4, 4 zstd).
    let stored = kaskade_testkit::raw::RawClient::connect(&bs).fetch_records("codecs", 0, 0);
    let codecs: Vec<i16> = kaskade_testkit::raw::batch_attributes(&stored).iter().map(|a| a & 7).collect();
    assert_eq!(codecs, [1, 2, 3, 4]);
}

/// A console consumer of partition 0 of `topic` from the beginning, its output piped.
fn spawn_consumer(bs: &str, topic: &str) -> Child {
    kaskade_tool(&[
        "console-consumer",
        "--bootstrap-server",
        bs,
        "--topic",
        topic,
        "--partition",
        "0",
        "--offset",
        "earliest",
    ])
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("spawn consumer")
}

/// Starts a consumer of `topic` from the beginning and waits until it printed `lines` lines.
fn running_consumer(bs: &str, topic: &str, lines: usize) -> (Child, Pipe, Pipe) {
    let mut child = spawn_consumer(bs, topic);
    let (out, _) = drain(child.stdout.take().expect("stdout"));
    let (err, _) = drain(child.stderr.take().expect("stderr"));
    let seen = wait_for(Duration::from_secs(30), || {
        (out.lock().unwrap().iter().filter(|&&b| b == b'\n').count() >= lines).then_some(())
    });
    assert!(
        seen.is_some(),
        "consumer printed {:?}",
        String::from_utf8_lossy(&out.lock().unwrap())
    );
    (child, out, err)
}

fn wait_exit(child: &mut Child) -> Option<i32> {
    let status = wait_for(Duration::from_secs(20), || child.try_wait().expect("wait")).expect("consumer exits");
    std::thread::sleep(Duration::from_millis(50));
    status.code()
}

#[test]
fn endings_signals_closed_stdout_and_the_producers_flush() {
    let b = BrokerProc::start(&[]);
    let bs = b.bootstrap();
    produce(&bs, "events", &[], b"one\ntwo\nthree\n").ok("produce");

    // Ctrl-C and SIGTERM: the count on stderr, Kafka's exit codes 130 and 143.
    for (signal, code) in [(2, 130), (15, 143)] {
        let (mut child, out, err) = running_consumer(&bs, "events", 3);
        send_signal(child.id() as i32, signal);
        assert_eq!(wait_exit(&mut child), Some(code));
        assert_eq!(String::from_utf8_lossy(&out.lock().unwrap()), "one\ntwo\nthree\n");
        assert_eq!(String::from_utf8_lossy(&err.lock().unwrap()), "Processed a total of 3 messages\n");
    }

    // Ctrl-C on a producer whose input is still open: what it read is sent (Kafka's shutdown
    // hook closes the producer) and it exits 130.
    let mut producer = kaskade_tool(&["console-producer", "--bootstrap-server", &bs, "--topic", "events"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn producer");
    let mut input = producer.stdin.take().expect("stdin");
    input.write_all(b"four\n").expect("write");
    input.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(500));
    send_signal(producer.id() as i32, 2);
    assert_eq!(wait_exit(&mut producer), Some(130));
    drop(input);
    let out = consume(
        &bs,
        &["--topic", "events", "--partition", "0", "--offset", "3", "--max-messages", "1"],
    )
    .ok("after Ctrl-C");
    assert_eq!(out.text(), "four\n");

    // A reader that goes away (`| head -1`): Kafka's two lines, exit 0, at once.
    let many: String = (0..100_000)
        .map(|i| format!("record number {i:06} of a topic larger than a pipe buffer\n"))
        .collect();
    let p = produce(&bs, "many", &[], many.as_bytes()).ok("produce many");
    assert!(p.took < Duration::from_secs(30), "{:?}", p.took);
    let mut child = spawn_consumer(&bs, "many");
    let (err, _) = drain(child.stderr.take().expect("stderr"));
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).expect("first bytes");
    assert_eq!(&first, b"record number 00");
    drop(stdout);
    let code = wait_exit(&mut child);
    let err = String::from_utf8_lossy(&err.lock().unwrap()).into_owned();
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.starts_with("Unable to write to standard out, closing consumer.\nProcessed a total of "),
        "{err}"
    );

    // All 100 000 lines arrived, in order, and --timeout-ms ends the read with exit 0.
    let out = consume(
        &bs,
        &[
            "--topic",
            "many",
            "--partition",
            "0",
            "--offset",
            "earliest",
            "--timeout-ms",
            "1000",
        ],
    )
    .ok("read many");
    assert!(out.text() == many, "{} lines", out.text().lines().count());
    assert_eq!(last_line(&out.stderr), "Processed a total of 100000 messages");
}

#[test]
fn errors_are_one_clear_line_and_exit_1_in_bounded_time() {
    let b = BrokerProc::start(&["auto.create.topics.enable=false"]);
    let bs = b.bootstrap();
    let nobody = format!("127.0.0.1:{}", free_port());
    let check = |ran: Ran, want: &str| {
        assert_eq!(ran.code, Some(1), "stdout {:?}, stderr {}", ran.text(), ran.stderr);
        assert!(ran.stderr.contains(want), "want {want:?} in:\n{}", ran.stderr);
        assert!(ran.took < Duration::from_secs(15), "took {:?}", ran.took);
    };
    let refused = format!("Cannot reach any broker of --bootstrap-server {nobody}: ");
    check(produce(&nobody, "t", &[], b"x\n"), &refused);
    check(consume(&nobody, &["--topic", "t"]), &refused);
    check(produce(&nobody, "t", &["--max-block-ms", "2000"], b"x\n"), "Connection refused");
    let unknown = "Topic nope does not exist: the broker answered UNKNOWN_TOPIC_OR_PARTITION";
    check(produce(&bs, "nope", &[], b"x\n"), unknown);
    check(consume(&bs, &["--topic", "nope", "--from-beginning"]), unknown);
    create_topic(&bs, "one", 1);
    check(
        consume(&bs, &["--topic", "one", "--partition", "4"]),
        "Partition 4 of topic one does not exist",
    );
    // An unparsable line: what came before is delivered, then exit 1 with Kafka's message.
    check(
        produce(&bs, "one", &["--reader-property", "parse.key=true"], b"k\tv\nno separator\n"),
        "No key separator found on line number 2: 'no separator'",
    );
    let out = consume(
        &bs,
        &["--topic", "one", "--partition", "0", "--offset", "earliest", "--timeout-ms", "500"],
    )
    .ok("after a bad line");
    assert_eq!(out.text(), "v\n");
    // Flags.
    check(
        consume(&bs, &["--topic", "one", "--formatter", "kafka.tools.LoggingMessageFormatter"]),
        "is not supported",
    );
    check(
        consume(&bs, &["--topic", "one", "--value-deserializer", "com.example.AvroDeserializer"]),
        "is not supported",
    );
    check(consume(&bs, &["--topic", "one", "--no-such-flag"]), "--no-such-flag");
    check(
        produce(&bs, "one", &["--request-required-acks", "2"], b"x\n"),
        "Invalid value 2 for configuration acks",
    );
    check(
        produce(&bs, "one", &["--command-property", "linger.ms=forever"], b"x\n"),
        "Invalid value forever for configuration linger.ms",
    );
    check(
        run(
            kaskade_tool(&["console-producer", "--bootstrap-server", &bs]),
            b"",
            Duration::from_secs(10),
        ),
        "Missing required argument \"[topic]\"",
    );
    // A value deserializer that does not fit the data stops the consumer, after the count.
    let out = consume(
        &bs,
        &[
            "--topic",
            "one",
            "--partition",
            "0",
            "--offset",
            "earliest",
            "--value-deserializer",
            "org.apache.kafka.common.serialization.LongDeserializer",
        ],
    );
    check(out, "Size of data received by LongDeserializer is not 8");
}

/// Kafka's console consumer and ours, same flags, same records: the same bytes on stdout.
fn same_output(bs: &str, topic: &str, flags: &[&str], records: usize) {
    let n = records.to_string();
    let mut args = vec![
        "--bootstrap-server",
        bs,
        "--topic",
        topic,
        "--partition",
        "0",
        "--offset",
        "earliest",
        "--max-messages",
        &n,
    ];
    args.extend_from_slice(flags);
    let theirs = run(kafka_tool("kafka-console-consumer", &args), b"", Duration::from_secs(90)).ok("Kafka's console consumer");
    let mut ours_args = vec!["console-consumer"];
    ours_args.extend_from_slice(&args);
    let ours = run(kaskade_tool(&ours_args), b"", Duration::from_secs(60)).ok("kaskade console-consumer");
    assert_same_text(&format!("stdout for {flags:?}"), &theirs.text(), &ours.text());
    assert_eq!(theirs.stdout, ours.stdout, "byte for byte for {flags:?}");
    assert_eq!(last_line(&theirs.stderr), last_line(&ours.stderr));
}

/// Lines for the producers: keys, headers, the null marker, UTF-8, CRLF, a line with no
/// delimiters (ignore.error), an empty line, and a last line without a newline.
const PRODUCER_INPUT: &[u8] = b"h1:v1,h2:NULL\tk1\tvalue one\nNULL\tk2\t\xc3\xbcn\xc3\xaf \xe2\x9c\x93 \xe6\x97\xa5\r\nh3:x\tNULL\tNULL\nplain line\n\nh4:\xe2\x9c\x93\tk6\tlast";
const READER: &[&str] = &[
    "--reader-property",
    "parse.key=true",
    "--reader-property",
    "parse.headers=true",
    "--reader-property",
    "null.marker=NULL",
    "--reader-property",
    "ignore.error=true",
];

/// Runs the differential on one broker: Kafka's producer and ours write the same input to two
/// topics, our consumer prints both the same way; then Kafka's consumer and ours print the same
/// topic (written by ours, plus raw bytes from kcat) with two sets of formatter properties.
fn differential(bs: &str, tag: &str) {
    let (theirs_topic, ours_topic) = (format!("{tag}-by-kafka"), format!("{tag}-by-kaskade"));
    create_topic(bs, &theirs_topic, 1);
    create_topic(bs, &ours_topic, 1);
    let mut args = vec!["--bootstrap-server", bs, "--topic", &theirs_topic];
    args.extend_from_slice(READER);
    run(kafka_tool("kafka-console-producer", &args), PRODUCER_INPUT, Duration::from_secs(90)).ok("Kafka's console producer");
    produce(bs, &ours_topic, READER, PRODUCER_INPUT).ok("kaskade console-producer");
    let print = [
        "--partition",
        "0",
        "--offset",
        "earliest",
        "--max-messages",
        "6",
        "--formatter-property",
        "print.key=true",
        "--formatter-property",
        "print.headers=true",
        "--formatter-property",
        "print.offset=true",
    ];
    let by_kafka = consume(bs, &[&["--topic", &theirs_topic][..], &print[..]].concat()).ok("read Kafka's records");
    let by_us = consume(bs, &[&["--topic", &ours_topic][..], &print[..]].concat()).ok("read our records");
    assert_same_text("records of Kafka's producer (-) and ours (+)", &by_kafka.text(), &by_us.text());
    assert_eq!(by_kafka.stdout, by_us.stdout);

    // kcat adds a record with bytes that are not UTF-8 and headers.
    let kcat = run(
        {
            let mut c = Command::new("kcat");
            c.args(["-b", bs, "-P", "-t", &ours_topic, "-K", ":", "-H", "via=kcat", "-H", "n=2"]);
            c
        },
        b"key\xff:value\xfe\xff\n",
        Duration::from_secs(30),
    );
    assert_eq!(kcat.code, Some(0), "{}", kcat.stderr);
    let everything = [
        "--formatter-property",
        "print.timestamp=true",
        "--formatter-property",
        "print.partition=true",
        "--formatter-property",
        "print.offset=true",
        "--formatter-property",
        "print.headers=true",
        "--formatter-property",
        "print.key=true",
        "--formatter-property",
        "print.epoch=true",
        "--formatter-property",
        "key.separator= | ",
        "--formatter-property",
        "headers.separator=;",
        "--formatter-property",
        "line.separator=~\n",
        "--formatter-property",
        "null.literal=<null>",
    ];
    same_output(bs, &ours_topic, &everything, 7);
    let strings = [
        "--formatter-property",
        "print.key=true",
        "--key-deserializer",
        "org.apache.kafka.common.serialization.StringDeserializer",
        "--value-deserializer",
        "org.apache.kafka.common.serialization.StringDeserializer",
    ];
    same_output(bs, &ours_topic, &strings, 7);
    deserializers(bs, tag);
}

/// Kafka's other deserializers, a key and a value class at a time: kcat writes binary keys and
/// values, Kafka's console consumer and ours print them the same. (Values where JDK 17's
/// `Float.toString` and `Double.toString` print the shortest digits, as ours do: see
/// docs/compatibility.md.)
fn deserializers(bs: &str, tag: &str) {
    let doubles = [
        0.1,
        -2.5e-7,
        1e21,
        123456.789,
        6.02214076e23,
        f64::NAN,
        f64::NEG_INFINITY,
        4.9e-324,
        f64::MAX,
        0.001,
        -0.0,
        1e7,
    ];
    let floats = [
        0.1f32,
        f32::MAX,
        1e-30,
        1e-45,
        16_777_216.0,
        0.3,
        -1.5e-5,
        1234.5678,
        1e10,
        7.0,
        0.0,
        -2.0,
    ];
    let uuids = [
        "3F2504E0-4F89-11D3-9A0C-0305E82C3301",
        "1-2-3-4-5",
        "+a-+b-c-d-e",
        "00000000-0000-0000-0000-000000000000",
    ];
    type Records = Vec<(Vec<u8>, Vec<u8>)>;
    let cases: Vec<(&str, &str, Records)> = vec![
        (
            "FloatDeserializer",
            "DoubleDeserializer",
            floats
                .iter()
                .zip(doubles)
                .map(|(f, d)| (f.to_be_bytes().to_vec(), d.to_be_bytes().to_vec()))
                .collect(),
        ),
        (
            "UUIDDeserializer",
            "BooleanDeserializer",
            uuids
                .iter()
                .enumerate()
                .map(|(i, u)| (u.as_bytes().to_vec(), vec![(i % 2) as u8]))
                .collect(),
        ),
        (
            "BytesDeserializer",
            "ByteBufferDeserializer",
            vec![
                (b"\x00\xff\\ab~\x7f \x1e\n".to_vec(), b"abc".to_vec()),
                (b"plain".to_vec(), b"\x00".to_vec()),
            ],
        ),
    ];
    for (key_class, value_class, records) in cases {
        let topic = format!("{tag}-deser-{}", key_class.trim_end_matches("Deserializer").to_lowercase());
        create_topic(bs, &topic, 1);
        let (key_end, record_end) = ("@@KEY@@", "@@END@@");
        let mut input = Vec::new();
        for (k, v) in &records {
            input.extend_from_slice(k);
            input.extend_from_slice(key_end.as_bytes());
            input.extend_from_slice(v);
            input.extend_from_slice(record_end.as_bytes());
        }
        // kcat cuts at the first delimiter: no record may hold one.
        let text = String::from_utf8_lossy(&input);
        let split: Vec<&str> = text.split(record_end).filter(|r| !r.is_empty()).collect();
        assert_eq!(split.len(), records.len(), "a test record holds {record_end}");
        assert!(
            split.iter().all(|r| r.matches(key_end).count() == 1),
            "a test record holds {key_end}"
        );
        let kcat = run(
            {
                let mut c = Command::new("kcat");
                c.args(["-b", bs, "-P", "-t", &topic, "-K", key_end, "-D", record_end]);
                c
            },
            &input,
            Duration::from_secs(30),
        );
        assert_eq!(kcat.code, Some(0), "{}", kcat.stderr);
        let (key_class, value_class) = (
            format!("org.apache.kafka.common.serialization.{key_class}"),
            format!("org.apache.kafka.common.serialization.{value_class}"),
        );
        let flags = [
            "--formatter-property",
            "print.key=true",
            "--key-deserializer",
            &key_class,
            "--value-deserializer",
            &value_class,
        ];
        same_output(bs, &topic, &flags, records.len());
    }
}

#[test]
fn differential_and_interop_on_a_kaskade_broker() {
    let b = BrokerProc::start(&[]);
    let bs = b.bootstrap();
    differential(&bs, "kaskade");
    // kcat reads what our producer wrote, byte for byte (keys, values, headers).
    let kcat = run(
        {
            let mut c = Command::new("kcat");
            c.args([
                "-b",
                &bs,
                "-C",
                "-t",
                "kaskade-by-kaskade",
                "-e",
                "-q",
                "-c",
                "6",
                "-f",
                "%k|%s|%h\n",
            ]);
            c
        },
        b"",
        Duration::from_secs(30),
    );
    assert_eq!(kcat.code, Some(0), "{}", kcat.stderr);
    // (kcat shows a header without value as NULL.)
    let want: &[u8] = b"k1|value one|h1=v1,h2=NULL\n\
        k2|\xc3\xbcn\xc3\xaf \xe2\x9c\x93 \xe6\x97\xa5|\n\
        ||h3=x\n\
        |plain line|\n\
        ||\n\
        k6|last|h4=\xe2\x9c\x93\n";
    assert_eq!(String::from_utf8_lossy(&kcat.stdout), String::from_utf8_lossy(want));
}

#[test]
fn differential_on_apache_kafka() {
    let bs = kafka_peer::shared();
    differential(bs, "kafka");
}

#[test]
fn usage_errors_match_kafkas_first_line() {
    let dummy = "127.0.0.1:9";
    let cases: &[(&str, &[&str])] = &[
        ("kafka-console-consumer", &["--bootstrap-server", dummy]),
        (
            "kafka-console-consumer",
            &["--bootstrap-server", dummy, "--topic", "t", "--offset", "5"],
        ),
        (
            "kafka-console-consumer",
            &["--bootstrap-server", dummy, "--topic", "t", "--partition", "0", "--group", "g"],
        ),
        (
            "kafka-console-consumer",
            &["--bootstrap-server", dummy, "--topic", "t", "--partition", "0", "--offset", "-3"],
        ),
        ("kafka-console-consumer", &["--topic", "t"]),
        ("kafka-console-producer", &["--bootstrap-server", dummy]),
    ];
    for (tool, args) in cases {
        let theirs = run(kafka_tool(tool, args), b"", Duration::from_secs(60));
        let ours_tool = tool.trim_start_matches("kafka-");
        let ours = run(kaskade_tool(&[&[ours_tool][..], args].concat()), b"", Duration::from_secs(10));
        assert_eq!(
            (theirs.code, ours.code),
            (Some(1), Some(1)),
            "{tool} {args:?}: {}\n{}",
            theirs.stderr,
            ours.stderr
        );
        let first = |s: &str| s.lines().next().unwrap_or_default().to_string();
        assert_eq!(first(&theirs.stderr), first(&ours.stderr), "{tool} {args:?}");
    }
}
