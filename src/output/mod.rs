//! Output: apply `--query`, then format as json, text or table, exactly as the AWS CLI does
//! (awscli's formatter.py, text.py and table.py).

mod json;
mod query;
mod table;
mod text;

use std::io::Write;
use std::str::FromStr;

use serde_json::Value;

use crate::error::{Error, Result};
pub use query::Query;

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

/// Apply `query` to `response`, format it and write it to `out`.
/// `operation` is the operation name (the table title); `color` is whether table output is coloured.
pub fn render(
    response: &Value,
    query: Option<&Query>,
    format: OutputFormat,
    color: bool,
    operation: &str,
    out: &mut dyn Write,
) -> Result<()> {
    let data = match query {
        Some(query) => query.search(response)?,
        None => response.clone(),
    };
    let text = match format {
        OutputFormat::Json => json::format(&data),
        OutputFormat::Text => text::format(&data),
        OutputFormat::Table => table::format(&data, operation, color, terminal_width())?,
    };
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => Error::other("broken pipe"),
            _ => Error::other(format!("Unable to write output: {e}")),
        })
}

/// The terminal's width when stdout is one, else 80, as the AWS CLI decides it.
fn terminal_width() -> usize {
    let mut size = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ fills the winsize struct we pass, or fails without touching it.
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    if ok && size.ws_col > 0 {
        usize::from(size.ws_col)
    } else {
        80
    }
}

/// Python's `str()` of a JSON scalar, as the text and table formats print them.
pub(crate) fn python_str(value: &Value) -> String {
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => json::python_number(n),
        Value::String(s) => s.clone(),
        // Containers are printed with Python's repr; they do not reach here in practice.
        other => other.to_string(),
    }
}

/// Python's truthiness: the table format prints nothing for a falsy value.
pub(crate) fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}
