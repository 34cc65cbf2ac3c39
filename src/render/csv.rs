//! CSV output that opens correctly in Excel, Swedish Excel included: `sep=;` with
//! `decimal=comma`, and an optional byte-order mark so Excel reads UTF-8. A request chooses the
//! options (`http::csv`); the API and the bulk downloads write with them.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsvOptions {
    pub sep: char,
    pub decimal_comma: bool,
    pub bom: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            sep: ',',
            decimal_comma: false,
            bom: false,
        }
    }
}

pub struct CsvWriter {
    out: String,
    opts: CsvOptions,
    /// Synthetic data gets a last column `synthetic` saying so on every row, so a downloaded
    /// file still says it when the HTTP headers are gone.
    synthetic: bool,
}

/// The last column of every CSV built from synthetic data.
pub const SYNTHETIC_COLUMN: &str = "synthetic";

impl CsvWriter {
    pub fn new(opts: CsvOptions, header: &[&str], synthetic: bool) -> CsvWriter {
        let mut w = CsvWriter {
            out: String::new(),
            opts,
            synthetic: false,
        };
        if opts.bom {
            w.out.push('\u{feff}');
        }
        let mut header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        if synthetic {
            header.push(SYNTHETIC_COLUMN.into());
        }
        w.row(header);
        w.synthetic = synthetic;
        w
    }

    fn cell(&mut self, s: &str) {
        let needs_quotes =
            s.contains(self.opts.sep) || s.contains('"') || s.contains('\n') || s.contains('\r');
        if needs_quotes {
            self.out.push('"');
            self.out.push_str(&s.replace('"', "\"\""));
            self.out.push('"');
        } else {
            self.out.push_str(s);
        }
    }

    pub fn row(&mut self, cells: impl IntoIterator<Item = String>) {
        for (i, c) in cells.into_iter().enumerate() {
            if i > 0 {
                self.out.push(self.opts.sep);
            }
            self.cell(&c);
        }
        if self.synthetic {
            self.out.push(self.opts.sep);
            self.out.push_str("true");
        }
        self.out.push_str("\r\n");
    }

    /// A number with the chosen decimal mark; empty for a missing value.
    pub fn number(&self, v: Option<f64>) -> String {
        match v {
            None => String::new(),
            Some(v) if self.opts.decimal_comma => v.to_string().replace('.', ","),
            Some(v) => v.to_string(),
        }
    }

    pub fn finish(self) -> String {
        self.out
    }

    /// The text written since the last call, leaving the writer empty: a long file (a bulk
    /// download) goes out in pieces instead of as one string.
    pub fn take(&mut self) -> String {
        std::mem::take(&mut self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_csv_quotes_what_needs_quoting() {
        let mut w = CsvWriter::new(CsvOptions::default(), &["a", "b"], false);
        w.row(["say \"hi\"".to_owned(), "1,5".to_owned()]);
        let n = w.number(None);
        w.row(["x".to_owned(), n]);
        assert_eq!(w.finish(), "a,b\r\n\"say \"\"hi\"\"\",\"1,5\"\r\nx,\r\n");
    }

    #[test]
    fn synthetic_data_says_so_on_every_row() {
        let mut w = CsvWriter::new(CsvOptions::default(), &["a"], true);
        w.row(["1".to_owned()]);
        assert_eq!(w.finish(), "a,synthetic\r\n1,true\r\n");
    }
}
