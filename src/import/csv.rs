//! SCB's CSV exports: UTF-8 with a byte-order mark, CRLF, quoted cells that may hold line
//! breaks, and footnotes after the data, separated by an empty row.

use crate::error::Error;

use super::Source;

/// The data part of an export: the header and each row with the line it starts on.
#[derive(Debug)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Record>,
}

/// A record and the 1-based line it starts on.
type Record = (usize, Vec<String>);

/// Splits `text` into records, honouring quotes. An error carries its line.
fn records(text: &str, sep: char) -> Result<Vec<Record>, (usize, String)> {
    let mut out = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut start_line = 1;
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            c if c == sep => {
                fields.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                out.push((start_line, std::mem::take(&mut fields)));
                line += 1;
                start_line = line;
                at_field_start = true;
            }
            _ => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if quoted {
        return Err((start_line, "a quoted cell is never closed".into()));
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        out.push((start_line, fields));
    }
    Ok(out)
}

/// Reads an export. The separator is guessed from the header (`,`, `;` or tab); reading stops
/// at the first row whose cells are all empty, where SCB's footnotes begin.
pub fn read(src: &Source) -> Result<Table, Error> {
    let text = src.text()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line = text.lines().next().unwrap_or("");
    let sep = [',', ';', '\t']
        .into_iter()
        .max_by_key(|s| first_line.matches(*s).count())
        .unwrap_or(',');
    let mut all = records(text, sep).map_err(|(line, msg)| src.error(Some(line), None, msg))?;
    if all.is_empty() {
        return Err(src.error(None, None, "the file is empty"));
    }
    let (_, header) = all.remove(0);
    let header: Vec<String> = header.into_iter().map(|h| h.trim().to_owned()).collect();
    let mut rows = Vec::new();
    for (line, cells) in all {
        if cells.iter().all(|c| c.trim().is_empty()) {
            break;
        }
        if cells.len() != header.len() {
            return Err(src.error(
                Some(line),
                None,
                format!(
                    "{} cells where the header has {}",
                    cells.len(),
                    header.len()
                ),
            ));
        }
        rows.push((line, cells));
    }
    Ok(Table { header, rows })
}

impl Table {
    /// The index of a column, or an error naming the columns there are.
    pub fn column(&self, src: &Source, name: &str) -> Result<usize, Error> {
        self.header.iter().position(|h| h == name).ok_or_else(|| {
            src.error(
                Some(1),
                Some(name),
                format!("no such column; the header has: {}", self.header.join(", ")),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(bytes: &[u8]) -> Result<Table, Error> {
        read(&Source::from_bytes("t.csv", bytes.to_vec()))
    }

    #[test]
    fn reads_bom_crlf_quotes_and_stops_at_footnotes() {
        let t = table(
            "\u{feff}Område,2022\r\nA (B),4\r\n\"C, \"\"D\"\"\",1\r\n,\r\n\"note\nwith break\",\r\nmore"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(t.header, ["Område", "2022"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1], (3, vec!["C, \"D\"".to_owned(), "1".to_owned()]));
    }

    #[test]
    fn semicolons_are_detected() {
        let t = table(b"a;b\n1;2\n").unwrap();
        assert_eq!(t.rows[0].1, ["1", "2"]);
    }

    #[test]
    fn ragged_rows_and_bad_encoding_name_the_line() {
        let err = table(b"a,b\n1,2\n3\n").unwrap_err().to_string();
        assert!(err.contains("t.csv:3"), "{err}");
        let latin1 = table(b"Omr\xe5de,2022\n").unwrap_err().to_string();
        assert!(latin1.contains("UTF-8"), "{latin1}");
        let open = table(b"a,b\n\"1,2\n").unwrap_err().to_string();
        assert!(open.contains("never closed"), "{open}");
    }
}
