//! `kaskade console-consumer`: being built (issue 12).

use clap::Args;

use super::exit::{ToolError, ToolResult};

#[derive(Args, Debug)]
pub struct ConsoleConsumerArgs {}

pub async fn run(_args: ConsoleConsumerArgs) -> ToolResult {
    Err(ToolError::new("not built yet"))
}
