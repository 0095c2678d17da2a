//! `kaskade topics`: being built (issue 12).

use clap::Args;

use super::exit::{ToolError, ToolResult};

#[derive(Args, Debug)]
pub struct TopicsArgs {}

pub async fn run(_args: TopicsArgs) -> ToolResult {
    Err(ToolError::new("not built yet"))
}
