//! Output: apply `--query`, then format as json, text or table, exactly as the AWS CLI does.

use std::io::Write;
use std::str::FromStr;

use crate::error::{Error, Result};

/// The `--output` formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Json,
    Text,
    Table,
}

impl FromStr for OutputFormat {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "json" => Ok(OutputFormat::Json),
            "text" => Ok(OutputFormat::Text),
            "table" => Ok(OutputFormat::Table),
            other => Err(format!("unknown output type: {other}")),
        }
    }
}

/// A compiled `--query` expression.
pub struct Query {
    _expression: String,
}

impl Query {
    /// Compile an expression; a malformed one is a usage error with the AWS CLI's message.
    pub fn compile(expression: &str) -> Result<Query> {
        Ok(Query {
            _expression: expression.to_string(),
        })
    }
}

/// Apply `query` to `response`, format it and write it to `out`.
/// `operation` is the operation name (the table title); `color` is whether table output is coloured.
pub fn render(
    _response: &serde_json::Value,
    _query: Option<&Query>,
    _format: OutputFormat,
    _color: bool,
    _operation: &str,
    _out: &mut dyn Write,
) -> Result<()> {
    Err(Error::other("output is not implemented yet"))
}
