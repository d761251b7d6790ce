//! `--output table`: awscli's table.py (MultiTable) and TableFormatter, byte for byte. Written
//! here because comfy-table has no column spans: the AWS CLI's layout puts a title row across
//! the table and nests sub-tables by indentation.

use serde_json::{Map, Value};

use super::{is_truthy, python_str};
use crate::error::{Error, Result};

/// colorama's codes for `--color on`.
const BRIGHT_BLUE: &str = "\x1b[1m\x1b[34m";
const DIM_YELLOW: &str = "\x1b[2m\x1b[33m";
const RESET: &str = "\x1b[0m";

#[derive(Default)]
struct Section {
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    indent_level: usize,
    num_cols: Option<usize>,
    max_widths: Vec<usize>,
}

/// Display width as the AWS CLI counts it: East Asian wide, full-width and ambiguous count two.
fn text_length(text: &str) -> usize {
    text.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    let c = c as u32;
    matches!(c,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF | 0x20000..=0x2FFFD | 0x30000..=0x3FFFD
        // East Asian ambiguous characters common in text (Python counts 'A' as wide here).
        | 0x00A1 | 0x00A4 | 0x00A7..=0x00A8 | 0x00AA | 0x00AD..=0x00AE | 0x00B0..=0x00B4
        | 0x00B6..=0x00BA | 0x00BC..=0x00BF | 0x00C6 | 0x00D0 | 0x00D7..=0x00D8
        | 0x00DE..=0x00E1 | 0x00E6 | 0x00E8..=0x00EA | 0x00EC..=0x00ED | 0x00F0
        | 0x00F2..=0x00F3 | 0x00F7..=0x00FA | 0x00FC | 0x00FE
    )
}

impl Section {
    fn update_max_widths(&mut self, row: &[String]) {
        if self.max_widths.is_empty() {
            self.max_widths = row.iter().map(|e| text_length(e)).collect();
        } else {
            for (i, e) in row.iter().enumerate() {
                if let Some(w) = self.max_widths.get_mut(i) {
                    *w = (*w).max(text_length(e));
                }
            }
        }
    }

    fn add_header(&mut self, headers: Vec<String>) {
        self.update_max_widths(&headers);
        if self.num_cols.is_none() {
            self.num_cols = Some(headers.len());
        }
        self.headers = headers;
    }

    fn add_row(&mut self, row: Vec<String>) -> Result<()> {
        let cols = *self.num_cols.get_or_insert(row.len());
        if row.len() != cols {
            return Err(Error::other(format!(
                "Row should have {cols} elements, instead it has {}",
                row.len()
            )));
        }
        self.update_max_widths(&row);
        self.rows.push(row);
        Ok(())
    }

    fn column_widths(&self, padding: usize, max_width: Option<usize>) -> Vec<usize> {
        let unscaled: Vec<usize> = self.max_widths.iter().map(|w| w + padding).collect();
        let Some(max_width) = max_width else {
            return unscaled;
        };
        if unscaled.is_empty() {
            return unscaled;
        }
        let total: usize = unscaled.iter().sum();
        let scale = max_width as f64 / total as f64;
        // Python's round() rounds half to even.
        let mut scaled: Vec<i64> = unscaled
            .iter()
            .map(|w| (scale * *w as f64).round_ties_even() as i64)
            .collect();
        let mut off_by: i64 = scaled.iter().sum::<i64>() - max_width as i64;
        while off_by != 0 {
            let order: Vec<usize> = if off_by < 0 {
                (0..scaled.len()).rev().collect()
            } else {
                (0..scaled.len()).collect()
            };
            for i in order {
                if off_by > 0 {
                    scaled[i] -= 1;
                    off_by -= 1;
                } else {
                    scaled[i] += 1;
                    off_by += 1;
                }
                if off_by == 0 {
                    break;
                }
            }
        }
        scaled.into_iter().map(|w| w.max(0) as usize).collect()
    }

    fn total_width(&self, padding: usize, outer_padding: usize) -> usize {
        let total: usize = self
            .column_widths(0, None)
            .iter()
            .map(|w| w + padding)
            .sum::<usize>()
            + 2
            + 2 * outer_padding;
        total.max(text_length(&self.title) + 2 + 2 * outer_padding)
    }
}

struct Table {
    sections: Vec<Section>,
    color: bool,
}

impl Table {
    fn current(&mut self) -> Result<&mut Section> {
        self.sections
            .last_mut()
            .ok_or_else(|| Error::other("'NoneType' object has no attribute 'add_row'"))
    }

    fn new_section(&mut self, title: &str, indent_level: usize) {
        self.sections.push(Section {
            title: title.to_string(),
            indent_level,
            ..Section::default()
        });
    }

    fn build(&mut self, title: Option<&str>, current: &Value, indent_level: usize) -> Result<bool> {
        if !is_truthy(current) {
            return Ok(false);
        }
        if let Some(title) = title {
            self.new_section(title, indent_level);
        }
        match current {
            Value::Array(items) => {
                if items[0].is_object() {
                    self.build_from_list(items, indent_level, title)?;
                } else {
                    for item in items {
                        match item {
                            Value::Array(inner) if inner.iter().all(is_scalar) => {
                                self.current()?
                                    .add_row(inner.iter().map(python_str).collect())?
                            }
                            // Iterating a dict gives its keys, as in Python.
                            Value::Object(map) => {
                                self.current()?.add_row(map.keys().cloned().collect())?
                            }
                            Value::Array(_) => {
                                self.build(None, item, 0)?;
                            }
                            scalar => self.current()?.add_row(vec![python_str(scalar)])?,
                        }
                    }
                }
            }
            Value::Object(map) => self.build_from_dict(map, indent_level)?,
            _ => {}
        }
        Ok(true)
    }

    fn build_from_dict(&mut self, map: &Map<String, Value>, indent_level: usize) -> Result<()> {
        let (headers, more) = group_scalar_keys(map);
        if headers.len() == 1 {
            let value = python_str(&map[&headers[0]]);
            self.current()?.add_row(vec![headers[0].clone(), value])?;
        } else if !headers.is_empty() {
            let row = headers.iter().map(|k| python_str(&map[k])).collect();
            let section = self.current()?;
            section.add_header(headers);
            section.add_row(row)?;
        }
        for key in more {
            self.build(Some(&key), &map[&key], indent_level + 1)?;
        }
        Ok(())
    }

    fn build_from_list(
        &mut self,
        items: &[Value],
        indent_level: usize,
        title: Option<&str>,
    ) -> Result<()> {
        let mut headers = std::collections::BTreeSet::new();
        let mut more = std::collections::BTreeSet::new();
        for item in items {
            if let Value::Object(map) = item {
                let (h, m) = group_scalar_keys(map);
                headers.extend(h);
                more.extend(m);
            }
        }
        let headers: Vec<String> = headers.into_iter().collect();
        let more: Vec<String> = more.into_iter().collect();
        self.current()?.add_header(headers.clone());
        for (i, item) in items.iter().enumerate() {
            if i > 0 && !more.is_empty() {
                self.new_section(title.unwrap_or(""), indent_level);
                self.current()?.add_header(headers.clone());
            }
            let empty = Map::new();
            let map = item.as_object().unwrap_or(&empty);
            let row = headers
                .iter()
                .map(|h| map.get(h).map(python_str).unwrap_or_default())
                .collect();
            self.current()?.add_row(row)?;
            for key in &more {
                if let Some(value) = map.get(key) {
                    self.build(Some(key), value, indent_level + 1)?;
                }
            }
        }
        Ok(())
    }

    fn max_width(&self) -> usize {
        self.sections
            .iter()
            .map(|s| s.total_width(4, s.indent_level))
            .max()
            .unwrap_or(0)
    }

    fn render(&mut self, terminal_width: usize) -> String {
        let mut max_width = self.max_width();
        if max_width > terminal_width {
            self.convert_to_vertical();
            max_width = self.max_width();
        }
        let mut out = String::new();
        out.push_str(&"-".repeat(max_width));
        out.push('\n');
        for section in &self.sections {
            self.render_section(section, max_width, &mut out);
        }
        out
    }

    fn convert_to_vertical(&mut self) {
        for section in &mut self.sections {
            if section.rows.len() == 1 && !section.headers.is_empty() {
                let mut vertical = Section {
                    title: section.title.clone(),
                    indent_level: section.indent_level,
                    ..Section::default()
                };
                let pairs: Vec<Vec<String>> = section
                    .headers
                    .iter()
                    .zip(&section.rows[0])
                    .map(|(h, e)| vec![h.clone(), e.clone()])
                    .collect();
                for pair in pairs {
                    let _ = vertical.add_row(pair);
                }
                *section = vertical;
            }
        }
    }

    /// The indentation bars on each side of a line. With colour, colorama's autoreset wraps
    /// each bar run in resets, even an empty one.
    fn indentation(&self, level: usize) -> String {
        if self.color {
            format!(
                "{RESET}{}{RESET}",
                format!("{DIM_YELLOW}|{RESET}").repeat(level)
            )
        } else {
            "|".repeat(level)
        }
    }

    fn render_section(&self, section: &Section, max_width: usize, out: &mut String) {
        let indent = self.indentation(section.indent_level);
        let mut write = |line: String| {
            out.push_str(&indent);
            out.push_str(&line);
            out.push_str(&indent);
            out.push('\n');
        };
        let width = max_width - section.indent_level * 2;
        if !section.title.is_empty() {
            write(center_text(
                &section.title,
                width,
                "|",
                "|",
                text_length(&section.title),
            ));
            if section.headers.is_empty() && section.rows.is_empty() {
                write(format!("+{}+", "-".repeat(width.saturating_sub(2))));
            }
        }
        if !section.headers.is_empty() {
            let widths = section.column_widths(4, Some(width));
            let mut line = String::new();
            for (i, (w, header)) in widths.iter().zip(&section.headers).enumerate() {
                let left = if i == 0 { "|" } else { "" };
                line.push_str(&center_text(header, *w, left, "|", text_length(header)));
            }
            write(line_break(&widths));
            write(line);
        }
        if !section.rows.is_empty() {
            let widths = section.column_widths(4, Some(width));
            if widths.is_empty() {
                return;
            }
            write(line_break(&widths));
            for row in &section.rows {
                let mut line = String::new();
                for (i, (w, element)) in widths.iter().zip(row).enumerate() {
                    let left = if i == 0 { "|" } else { "" };
                    let styled = if self.color {
                        format!("{BRIGHT_BLUE}{element}{RESET}")
                    } else {
                        element.clone()
                    };
                    line.push_str(&align_left(&styled, *w, left, "|", text_length(element)));
                }
                write(line);
            }
            write(line_break(&widths));
        }
    }
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Array(_) | Value::Object(_))
}

fn group_scalar_keys(map: &Map<String, Value>) -> (Vec<String>, Vec<String>) {
    let (mut headers, mut more): (Vec<String>, Vec<String>) =
        map.keys().cloned().partition(|k| is_scalar(&map[k]));
    headers.sort();
    more.sort();
    (headers, more)
}

fn center_text(text: &str, length: usize, left: &str, right: &str, text_len: usize) -> String {
    let start = (length / 2) as i64 - (text_len / 2) as i64 - 1;
    let start = start.max(0) as usize;
    let so_far = text_length(left) + start + text_len;
    let right_spaces = (length as i64 - text_length(right) as i64 - so_far as i64).max(0) as usize;
    format!(
        "{left}{}{text}{}{right}",
        " ".repeat(start),
        " ".repeat(right_spaces)
    )
}

fn align_left(text: &str, length: usize, left: &str, right: &str, text_len: usize) -> String {
    let computed = text_len + 2 + text_length(left) + text_length(right);
    let padding = if length >= computed { 2 } else { 0 };
    let so_far = left.chars().count() + padding + text_len;
    let fill = (length as i64 - so_far as i64 - right.chars().count() as i64).max(0) as usize;
    format!(
        "{left}{}{text}{}{right}",
        " ".repeat(padding),
        " ".repeat(fill)
    )
}

fn line_break(widths: &[usize]) -> String {
    let mut out = String::new();
    for (i, w) in widths.iter().enumerate() {
        if i == 0 {
            out.push_str(&format!("+{}+", "-".repeat(w.saturating_sub(2))));
        } else {
            out.push_str(&format!("{}+", "-".repeat(w.saturating_sub(1))));
        }
    }
    out
}

/// The whole table for `value`, titled with the operation name; nothing for a falsy value.
pub fn format(
    value: &Value,
    operation: &str,
    color: bool,
    terminal_width: usize,
) -> Result<String> {
    let mut table = Table {
        sections: Vec::new(),
        color,
    };
    if !table.build(Some(operation), value, 0)? {
        return Ok(String::new());
    }
    let mut text = table.render(terminal_width);
    if color {
        // colorama resets once more when the stream is flushed.
        text.push_str(RESET);
    }
    Ok(text)
}
