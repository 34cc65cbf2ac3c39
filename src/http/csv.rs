//! The CSV options a request sets: `sep`, `decimal` and `bom` (see `render::csv`).

use super::param::{Accepts, Param};
use super::query::QueryReader;
use crate::render::csv::CsvOptions;

const SEP: Param = Param::new(
    "sep",
    Accepts::OneOf(&[",", "comma", ";", "semicolon", "tab"]),
)
.doc("CSV separator: `,` (default), `;` (Swedish Excel, adds a BOM), `tab`.");
const DECIMAL: Param = Param::new("decimal", Accepts::OneOf(&["point", "comma"]))
    .doc("CSV decimal mark: `point` (default) or `comma` (with `sep=;` or `tab`).");
const BOM: Param = Param::new("bom", Accepts::OneOf(&["true", "false"]))
    .doc("CSV byte-order mark: `true` or `false` (default: `true` with `sep=;`).");

impl CsvOptions {
    /// `sep` (`,` `;` `tab`), `decimal` (`point` `comma`), `bom` (`true` `false`; defaults to
    /// true with `sep=;`, Swedish Excel's setting).
    pub fn read(r: &mut QueryReader) -> CsvOptions {
        let mut o = CsvOptions::default();
        match r.one_of(&SEP) {
            None | Some(",") | Some("comma") => {}
            Some(";") | Some("semicolon") => {
                o.sep = ';';
                o.bom = true;
            }
            Some("tab") => o.sep = '\t',
            Some(_) => {}
        }
        match r.one_of(&DECIMAL) {
            None | Some("point") => {}
            Some("comma") if o.sep == ',' => {
                r.fail("decimal", "decimal=comma needs sep=; or sep=tab")
            }
            Some("comma") => o.decimal_comma = true,
            Some(_) => {}
        }
        match r.one_of(&BOM) {
            None => {}
            Some("true") => o.bom = true,
            Some("false") => o.bom = false,
            Some(_) => {}
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::csv::CsvWriter;

    #[test]
    fn swedish_excel_gets_semicolons_decimal_commas_and_a_bom() {
        let mut r = QueryReader::parse("sep=;&decimal=comma").unwrap();
        let o = CsvOptions::read(&mut r);
        r.finish().unwrap();
        let mut w = CsvWriter::new(o, &["namn", "värde"], false);
        let n = w.number(Some(12.5));
        w.row(["Malmö; centrum".to_owned(), n]);
        let text = w.finish();
        assert_eq!(text, "\u{feff}namn;värde\r\n\"Malmö; centrum\";12,5\r\n");
    }

    #[test]
    fn decimal_comma_with_comma_separator_is_refused() {
        let mut r = QueryReader::parse("decimal=comma").unwrap();
        CsvOptions::read(&mut r);
        assert!(r.finish().is_err());
    }
}
