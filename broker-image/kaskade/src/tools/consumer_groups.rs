//! `kaskade consumer-groups`: being built (issue 12).

use clap::Args;

use super::exit::{ToolError, ToolResult};

#[derive(Args, Debug)]
pub struct ConsumerGroupsArgs {}

pub async fn run(_args: ConsumerGroupsArgs) -> ToolResult {
    Err(ToolError::new("not built yet"))
}
