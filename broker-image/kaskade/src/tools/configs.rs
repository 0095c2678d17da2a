//! `kaskade configs`: being built (issue 12).

use clap::Args;

use super::exit::{ToolError, ToolResult};

#[derive(Args, Debug)]
pub struct ConfigsArgs {}

pub async fn run(_args: ConfigsArgs) -> ToolResult {
    Err(ToolError::new("not built yet"))
}
