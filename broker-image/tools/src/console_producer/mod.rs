//! `kaskade console-producer`: Kafka's `kafka-console-producer.sh` (`ConsoleProducer` with its
//! `LineMessageReader`). Each line of standard input becomes one record of `--topic`; at the end
//! of input everything is flushed before the exit.
//!
//! Where it differs from Kafka on purpose: a record that cannot be delivered makes the exit code
//! 1 (Kafka logs the error and still exits 0 unless `--sync`); an unreachable broker or a missing
//! topic is one error line at the first record, not a minute of warnings; input bytes are sent
//! as they are (Kafka replaces invalid UTF-8); deprecation warnings go to stderr (Kafka: stdout).
//!
//! Files: `args` (flags and the producer properties they make), `reader` (the line format),
//! `send` (the librdkafka producer and its delivery reports).

mod args;
mod reader;
mod send;

use std::io::{self, BufReader, IsTerminal, Write};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use rdkafka::producer::Producer;

pub use args::ConsoleProducerArgs;
use args::ProducerOptions;
use reader::{LineFormat, LineReader};
use send::LineProducer;

use super::console_shared::connect;
use super::console_shared::signals::{self, Shutdown};
use super::exit::{ToolError, ToolResult};

pub async fn run(args: ConsoleProducerArgs) -> ToolResult {
    if args.version {
        println!("{}", env!("CARGO_PKG_VERSION"));
        return Ok(());
    }
    let mut warn = |w: String| eprintln!("{w}");
    let options = args.options(&mut warn)?;
    let format = LineFormat::from_props(&options.reader)?;
    let (producer, delivery_timeout) = send::create(&options, &mut warn)?;
    let producer = Arc::new(producer);
    let mut shutdown = Shutdown::listen()?;
    let worker = {
        let producer = producer.clone();
        tokio::task::spawn_blocking(move || produce_stdin(&producer, &options, &format, delivery_timeout))
    };
    tokio::select! {
        done = worker => done.map_err(|e| ToolError::new(format!("the producer thread failed: {e}")))?,
        signal = shutdown.recv() => {
            // Kafka's shutdown hook closes the producer: what was read is still sent.
            let _ = producer.flush(delivery_timeout);
            std::process::exit(signals::exit_code(signal))
        }
    }
}

/// Reads stdin to the end, sending one record per line, then flushes.
fn produce_stdin(producer: &LineProducer, o: &ProducerOptions, format: &LineFormat, delivery_timeout: Duration) -> ToolResult {
    let stdin = io::stdin();
    // Kafka prompts with '>' when it runs in a terminal (System.console() != null).
    let prompt = stdin.is_terminal() && io::stdout().is_terminal();
    let mut lines = LineReader::new(BufReader::with_capacity(64 * 1024, stdin.lock()));
    let mut line = Vec::new();
    let (mut line_number, mut sent) = (0u64, 0u64);
    let mut connected = false;
    let outcome = loop {
        if prompt {
            print!(">");
            let _ = io::stdout().flush();
        }
        match lines.next_line(&mut line) {
            Ok(true) => {}
            Ok(false) => break Ok(()),
            Err(e) => break Err(ToolError::new(format!("Cannot read standard input: {e}"))),
        }
        line_number += 1;
        let record = match format.parse(&line, line_number) {
            Ok(r) => r,
            Err(e) => break Err(e),
        };
        if !connected {
            // As the Java producer's first send, wait (max.block.ms) for the topic's metadata.
            let ctx = &producer.context().base;
            if let Err(e) = connect::wait_for_metadata(producer.client(), ctx, &o.bootstrap, Some(&o.topic), o.max_block, &mut || false) {
                break Err(e);
            }
            connected = true;
        }
        if let Err(e) = send::send(producer, &o.topic, &record, o.max_block) {
            break Err(e);
        }
        sent += 1;
        if o.sync {
            let _ = producer.flush(delivery_timeout);
            if producer.context().failed.load(Ordering::Relaxed) > 0 {
                break Ok(());
            }
        }
    };
    // Kafka closes the producer on the way out, whatever happened: sent records are delivered.
    let flushed = producer.flush(delivery_timeout + Duration::from_secs(5));
    outcome?;
    let failed = producer.context().failed.load(Ordering::Relaxed);
    if failed > 0 {
        return Err(ToolError::new(format!(
            "{failed} of {sent} records were not delivered to topic {}",
            o.topic
        )));
    }
    flushed.map_err(|e| ToolError::new(format!("Records were still undelivered at the delivery timeout: {e}")))
}
