//! `kaskade console-producer`: being built (issue 12).

use clap::Args;

use super::exit::{ToolError, ToolResult};

#[derive(Args, Debug)]
pub struct ConsoleProducerArgs {}

pub async fn run(_args: ConsoleProducerArgs) -> ToolResult {
    Err(ToolError::new("not built yet"))
}
