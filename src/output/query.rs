//! `--query`: JMESPath through the jmespath crate, with `avg([])` fixed to give null as the
//! specification says. The crate keeps objects in sorted key order (a multiselect hash comes
//! out sorted, where the AWS CLI keeps the expression's order).

use jmespath::functions::{ArgumentType, CustomFunction, Signature};
use jmespath::{Rcvar, Runtime, Variable};
use serde_json::Value;

use crate::error::{Error, Result};

/// A compiled `--query` expression.
pub struct Query {
    expression: jmespath::Expression<'static>,
}

fn runtime() -> &'static Runtime {
    let mut runtime = Runtime::new();
    runtime.register_builtin_functions();
    let builtin_avg = runtime.deregister_function("avg");
    runtime.register_function(
        "avg",
        Box::new(CustomFunction::new(
            Signature::new(vec![ArgumentType::Array], None),
            Box::new(move |args: &[Rcvar], ctx| {
                if args[0].as_array().is_some_and(|a| a.is_empty()) {
                    return Ok(Rcvar::new(Variable::Null));
                }
                match &builtin_avg {
                    Some(avg) => avg.evaluate(args, ctx),
                    None => Ok(Rcvar::new(Variable::Null)),
                }
            }),
        )),
    );
    // One query per process: the runtime lives as long as the process does.
    Box::leak(Box::new(runtime))
}

impl Query {
    /// Compile an expression; a malformed one is a usage error.
    pub fn compile(expression: &str) -> Result<Query> {
        let expression = runtime().compile(expression).map_err(|e| {
            Error::usage(format!(
                "Bad value for --query {expression}: {}",
                e.to_string().replace('\n', " ")
            ))
        })?;
        Ok(Query { expression })
    }

    pub fn search(&self, data: &Value) -> Result<Value> {
        let found = self
            .expression
            .search(data)
            .map_err(|e| Error::other(e.to_string().replace('\n', " ")))?;
        serde_json::to_value(&*found).map_err(|e| Error::other(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avg_of_nothing_is_null() {
        let q = Query::compile("avg(@)").unwrap();
        assert_eq!(q.search(&serde_json::json!([])).unwrap(), Value::Null);
        assert_eq!(
            q.search(&serde_json::json!([1, 2])).unwrap(),
            serde_json::json!(1.5)
        );
    }

    #[test]
    fn malformed_expressions_are_usage_errors() {
        let err = Query::compile("a[").err().unwrap();
        assert_eq!(err.exit_code(), 252);
        assert!(!err.message().contains('\n'));
    }
}
