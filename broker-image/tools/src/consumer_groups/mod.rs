//! `kaskade consumer-groups`: Kafka's `kafka-consumer-groups.sh` (`ConsumerGroupCommand`, Kafka
//! 4.4) with its flags, checks, tables and messages: `--list` (with `--state`/`--type`),
//! `--describe` (offsets, `--members`, `--state`), `--delete`, `--delete-offsets`,
//! `--reset-offsets` (every scenario, `--dry-run`/`--execute`/`--export`), `--validate-regex`.
//!
//! One difference on purpose: Kafka's tool exits 0 after a runtime failure (it prints `Error: …`
//! and returns); ours prints the same stdout and exits 1, with the error on stderr, so scripts
//! can tell. Usage errors exit 1 in both.
//!
//! Files: `args` (flags), `checks` (Kafka's checks of them), `service` (the admin calls, Kafka's
//! way), `list`, `describe` (+ `views`, its tables), `reset` (+ `plan`, plans as table and CSV),
//! `delete` (one action each), `states` (group states and types), `time` (`--to-datetime`,
//! `--by-duration`), `regex` (`--validate-regex`), `errors` (failures in Kafka's words), `java`
//! (Java's padding and hash-map order), `output` (stdout/stderr buffer).

mod args;
mod checks;
mod delete;
mod describe;
mod errors;
mod java;
mod list;
mod output;
mod plan;
mod regex;
mod reset;
mod service;
mod states;
mod time;
mod views;

use std::io::Write;
use std::time::Duration;

use kaskade_client::KafkaAdmin;

pub use args::ConsumerGroupsArgs;

use super::exit::{ToolError, ToolResult};
use super::{admin, props};
use args::Action;
use errors::Failure;
use output::Out;
use service::Service;

pub async fn run(args: ConsumerGroupsArgs) -> ToolResult {
    let mut out = Out::default();
    let result = execute(&args, &mut out).await;
    out.flush();
    match result {
        Ok(()) => match out.failed {
            Some(message) => Err(ToolError::new(message)),
            None => Ok(()),
        },
        Err(Failure::Usage(message)) => Err(ToolError::new(message)),
        Err(Failure::Runtime(cause)) => {
            let line = format!("Error: Executing consumer group command failed due to {cause}");
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "\n{line}");
            let _ = stdout.flush();
            Err(ToolError::new(line))
        }
    }
}

async fn execute(args: &ConsumerGroupsArgs, out: &mut Out) -> Result<(), Failure> {
    let action = args.check()?;
    match action {
        Action::ValidateRegex => {
            out.println(&regex::validate(args.regex()?));
            return Ok(());
        }
        Action::Version => {
            out.println(env!("CARGO_PKG_VERSION"));
            return Ok(());
        }
        _ => {}
    }
    let service = Service::new(connect(args)?);
    match action {
        Action::List => list::run(&service, args, out).await,
        Action::Describe => describe::run(&service, args, out).await,
        Action::Delete => delete::delete_groups(&service, args, out).await,
        Action::ResetOffsets => reset::run(&service, args, out).await,
        Action::DeleteOffsets => delete::delete_offsets(&service, args, out).await,
        Action::ValidateRegex | Action::Version => Ok(()),
    }
}

/// The admin client Kafka's tool builds: `--command-config` properties (the client id is
/// honoured; only PLAINTEXT connections are possible), `--bootstrap-server`, and `--timeout` for
/// every request. Kafka converts the flags' values here, so their errors surface here.
fn connect(args: &ConsumerGroupsArgs) -> Result<KafkaAdmin, Failure> {
    let props = match args.command_config()? {
        Some(path) if !path.exists() => {
            return Err(Failure::Runtime(format!("java.nio.file.NoSuchFileException: {}", path.display())));
        }
        Some(path) => props::load_file(path).map_err(|e| Failure::Runtime(e.to_string()))?,
        None => props::Props::new(),
    };
    args.check_values()?;
    let timeout = Duration::from_millis(u64::try_from(args.timeout_ms()?).unwrap_or(0));
    admin::client_with_timeout(args.bootstrap()?, &props, timeout).map_err(|e| Failure::Runtime(e.to_string()))
}
