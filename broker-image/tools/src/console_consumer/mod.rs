//! `kaskade console-consumer`: Kafka's `kafka-console-consumer.sh` (`ConsoleConsumer`, its
//! options and `DefaultMessageFormatter`). Records go to stdout formatted as Kafka formats them;
//! at the end `Processed a total of N messages` goes to stderr, as Kafka prints it, and the exit
//! code is Kafka's: 0 after `--max-messages` or `--timeout-ms` (with Kafka's ERROR line about the
//! timeout), 130/143 after SIGINT/SIGTERM.
//!
//! Where it differs from Kafka on purpose: a broker that cannot be reached or a topic that does
//! not exist (and is not created automatically) is one error line and exit 1 within a bounded
//! time, where Kafka waits forever; an error that stops the consumer mid-way exits 1 (Kafka: 0);
//! deprecation warnings go to stderr (Kafka: stdout); only `DefaultMessageFormatter` and the
//! String/Integer/Long/Short deserializers exist; `--include` takes POSIX extended regular
//! expressions (librdkafka's), not Java's.
//!
//! Files: `args` (flags and the properties they make), `formatter` (the output format),
//! `consume` (the librdkafka consumer and the poll loop).

mod args;
mod consume;
mod deserializer;
mod formatter;

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

pub use args::ConsoleConsumerArgs;
use consume::Ending;
use formatter::Formatter;

use super::console_shared::connect::INTERRUPTED;
use super::console_shared::signals::{self, Shutdown};
use super::exit::{ToolError, ToolResult};

pub async fn run(args: ConsoleConsumerArgs) -> ToolResult {
    if args.version {
        println!("{}", env!("CARGO_PKG_VERSION"));
        return Ok(());
    }
    let mut warn = |w: String| eprintln!("{w}");
    let options = args.options(&mut warn)?;
    let formatter = Formatter::from_props(&options.formatter)?;
    let (consumer, start_timeout) = consume::create(&options, &mut warn)?;
    let systest_events = options.systest_events;
    let stop = Arc::new(AtomicI32::new(0));
    let mut shutdown = Shutdown::listen()?;
    let worker = {
        let stop = stop.clone();
        tokio::task::spawn_blocking(move || -> Result<(Ending, u64), ToolError> {
            match consume::start(&consumer, &options, start_timeout, &stop) {
                Ok(()) => {}
                Err(e) if e.0 == INTERRUPTED => return Ok((Ending::Signal(stop.load(Ordering::Relaxed)), 0)),
                Err(e) => return Err(e),
            }
            let (ending, count) = consume::consume(&consumer, &options, &formatter, &stop);
            // Kafka closes the consumer (committing, with auto-commit) before reporting the count.
            drop(consumer);
            Ok((ending, count))
        })
    };
    tokio::pin!(worker);
    let joined = loop {
        tokio::select! {
            joined = &mut worker => break joined,
            signal = shutdown.recv() => stop.store(signal, Ordering::Relaxed),
        }
    };
    let (ending, count) = joined.map_err(|e| ToolError::new(format!("the consumer thread failed: {e}")))??;
    let processed = || eprintln!("Processed a total of {count} messages");
    match ending {
        Ending::MaxMessages => processed(),
        Ending::Timeout(t) => {
            eprintln!(
                "ERROR Error processing message, terminating consumer process: TimeoutException: no message within {} ms",
                t.as_millis()
            );
            processed();
        }
        Ending::StdoutClosed => {
            eprintln!("Unable to write to standard out, closing consumer.");
            processed();
        }
        Ending::Signal(signal) => {
            processed();
            if systest_events {
                println!("shutdown_complete");
            }
            std::process::exit(signals::exit_code(signal));
        }
        Ending::FormatError(e) => {
            processed();
            return Err(ToolError::new(format!("ERROR Unknown error when running consumer: {e}")));
        }
        Ending::ConsumerError(e) => {
            eprintln!("ERROR Error processing message, terminating consumer process: {e}");
            processed();
            std::process::exit(1);
        }
    }
    Ok(())
}
