//! Errors by category, and the one mapping from category to exit code.

use std::fmt;

/// What went wrong, as far as the exit code is concerned (see README's exit-code table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Unknown or missing argument, bad value, bad `--cli-input-json`, invalid ARN, bad `--query`.
    Usage,
    /// No region, no credentials, unknown profile, unreadable config file or CA bundle.
    Config,
    /// The service answered with an error (after retries).
    Service,
    /// Anything else: connection refused, timeout, TLS failure, malformed response.
    Other,
    /// Interrupted by SIGINT.
    Interrupted,
}

impl Category {
    pub fn exit_code(self) -> u8 {
        match self {
            Category::Usage => 252,
            Category::Config => 253,
            Category::Service => 254,
            Category::Other => 255,
            Category::Interrupted => 130,
        }
    }
}

/// One error: a category and the exact message the user sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    category: Category,
    message: String,
}

impl Error {
    pub fn new(category: Category, message: impl Into<String>) -> Self {
        Error {
            category,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Category::Usage, message)
    }

    pub fn config(message: impl Into<String>) -> Self {
        Self::new(Category::Config, message)
    }

    pub fn service(message: impl Into<String>) -> Self {
        Self::new(Category::Service, message)
    }

    pub fn other(message: impl Into<String>) -> Self {
        Self::new(Category::Other, message)
    }

    pub fn category(&self) -> Category {
        self.category
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn exit_code(&self) -> u8 {
        self.category.exit_code()
    }

    /// The bytes written to stderr. Usage errors read like argparse's last line; every other
    /// error is framed as the AWS CLI frames it (a blank line, then the message), so scripts that
    /// match the AWS CLI's stderr keep working.
    pub fn render(&self) -> String {
        match self.category {
            Category::Usage => format!("kvs: error: {}\n", self.message),
            Category::Interrupted => String::new(),
            _ => format!("\n{}\n", self.message),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_map_to_documented_exit_codes() {
        assert_eq!(Error::usage("x").exit_code(), 252);
        assert_eq!(Error::config("x").exit_code(), 253);
        assert_eq!(Error::service("x").exit_code(), 254);
        assert_eq!(Error::other("x").exit_code(), 255);
        assert_eq!(Category::Interrupted.exit_code(), 130);
    }

    #[test]
    fn usage_errors_are_one_line_and_others_are_framed_like_the_aws_cli() {
        assert_eq!(Error::usage("bad").render(), "kvs: error: bad\n");
        assert_eq!(
            Error::service("An error occurred").render(),
            "\nAn error occurred\n"
        );
    }
}
