//! `--output text`: awscli's text.py, rule for rule.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::python_str;

pub fn format(value: &Value) -> String {
    let mut out = String::new();
    format_value(value, None, None, &mut out);
    out
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Array(_) | Value::Object(_))
}

fn format_value(
    value: &Value,
    identifier: Option<&str>,
    scalar_keys: Option<&[String]>,
    out: &mut String,
) {
    match value {
        Value::Object(map) => format_dict(map, identifier, scalar_keys, out),
        Value::Array(items) => format_list(items, identifier, out),
        scalar => {
            out.push_str(&python_str(scalar));
            out.push('\n');
        }
    }
}

fn format_list(items: &[Value], identifier: Option<&str>, out: &mut String) {
    if items.is_empty() {
        return;
    }
    if items.iter().any(Value::is_object) {
        let keys = all_scalar_keys(items);
        for item in items {
            format_value(item, identifier, Some(&keys), out);
        }
    } else if items.iter().any(Value::is_array) {
        let (scalars, others): (Vec<&Value>, Vec<&Value>) =
            items.iter().partition(|v| is_scalar(v));
        if !scalars.is_empty() {
            format_scalar_list(&scalars, identifier, out);
        }
        for item in others {
            format_value(item, identifier, None, out);
        }
    } else {
        let all: Vec<&Value> = items.iter().collect();
        format_scalar_list(&all, identifier, out);
    }
}

fn format_scalar_list(items: &[&Value], identifier: Option<&str>, out: &mut String) {
    match identifier {
        Some(id) => {
            for item in items {
                out.push_str(&id.to_uppercase());
                out.push('\t');
                out.push_str(&python_str(item));
                out.push('\n');
            }
        }
        None => {
            let line: Vec<String> = items.iter().map(|v| python_str(v)).collect();
            out.push_str(&line.join("\t"));
            out.push('\n');
        }
    }
}

fn format_dict(
    map: &Map<String, Value>,
    identifier: Option<&str>,
    scalar_keys: Option<&[String]>,
    out: &mut String,
) {
    let mut scalars: Vec<String> = Vec::new();
    let mut others: Vec<(&str, &Value)> = Vec::new();
    match scalar_keys {
        None => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            for (key, value) in entries {
                if is_scalar(value) {
                    scalars.push(python_str(value));
                } else {
                    others.push((key, value));
                }
            }
        }
        Some(keys) => {
            for key in keys {
                scalars.push(map.get(key).map(python_str).unwrap_or_default());
            }
            let mut remaining: Vec<&String> = map.keys().filter(|k| !keys.contains(k)).collect();
            remaining.sort();
            for key in remaining {
                others.push((key, &map[key.as_str()]));
            }
        }
    }
    if !scalars.is_empty() {
        if let Some(id) = identifier {
            scalars.insert(0, id.to_uppercase());
        }
        out.push_str(&scalars.join("\t"));
        out.push('\n');
    }
    for (key, value) in others {
        format_value(value, Some(key), None, out);
    }
}

fn all_scalar_keys(items: &[Value]) -> Vec<String> {
    let mut keys = BTreeSet::new();
    for item in items {
        if let Value::Object(map) = item {
            for (key, value) in map {
                if is_scalar(value) {
                    keys.insert(key.clone());
                }
            }
        }
    }
    keys.into_iter().collect()
}
