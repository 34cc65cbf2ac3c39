//! CQL2 text (OGC API – Features Part 3), the subset `/items?filter=` accepts: comparisons
//! (`= <> < > <= >=`), `AND`/`OR`/`NOT`, `IN`, `BETWEEN`, `IS [NOT] NULL`, `TRUE`/`FALSE`, over
//! properties and string or number literals. Parsed into a small tree; what a property means is
//! decided later, from a fixed list (`db::features`), never by splicing text into SQL.
//!
//! Own parser rather than the `cql2` crate: that crate pulls geo, geozero, jsonschema and
//! sqlparser, and turns on serde_json's `preserve_order` for the whole build (which would change
//! the key order of every JSON body and of the committed OpenAPI document).

/// Longest accepted filter text, in characters.
pub const MAX_FILTER_CHARS: usize = 4000;
/// Deepest nesting of parentheses and `NOT` (keeps the recursion bounded).
const MAX_DEPTH: usize = 32;
/// Most literals in one filter.
const MAX_LITERALS: usize = 500;

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Text(String),
    Number(f64),
}

/// A property or a literal, each with its position (1-based character) in the filter text.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Property { name: String, at: usize },
    Literal { value: Literal, at: usize },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

impl Comparison {
    pub fn sql(self) -> &'static str {
        match self {
            Comparison::Eq => "=",
            Comparison::Ne => "<>",
            Comparison::Lt => "<",
            Comparison::Gt => ">",
            Comparison::Le => "<=",
            Comparison::Ge => ">=",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Bool(bool),
    Compare(Scalar, Comparison, Scalar),
    In {
        left: Scalar,
        list: Vec<Scalar>,
        negated: bool,
    },
    Between {
        left: Scalar,
        low: Scalar,
        high: Scalar,
        negated: bool,
    },
    IsNull {
        left: Scalar,
        negated: bool,
    },
}

/// A filter that cannot be read: where (1-based character) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub at: usize,
    pub problem: String,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at character {}: {}", self.at, self.problem)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    Keyword(&'static str),
    Text(String),
    Number(f64),
    Op(Comparison),
    Open,
    Close,
    Comma,
    End,
}

const KEYWORDS: &[&str] = &[
    "AND", "OR", "NOT", "IN", "BETWEEN", "IS", "NULL", "TRUE", "FALSE", "LIKE",
];

fn describe(t: &Token) -> String {
    match t {
        Token::Ident(s) => format!("property {s}"),
        Token::Keyword(k) => (*k).to_owned(),
        Token::Text(s) => format!("string '{s}'"),
        Token::Number(n) => format!("number {n}"),
        Token::Op(c) => format!("'{}'", c.sql()),
        Token::Open => "'('".into(),
        Token::Close => "')'".into(),
        Token::Comma => "','".into(),
        Token::End => "the end of the filter".into(),
    }
}

fn tokenize(text: &str) -> Result<Vec<(Token, usize)>, SyntaxError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |at: usize, problem: String| SyntaxError {
        at: at + 1,
        problem,
    };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let token = match c {
            '(' => {
                i += 1;
                Token::Open
            }
            ')' => {
                i += 1;
                Token::Close
            }
            ',' => {
                i += 1;
                Token::Comma
            }
            '=' => {
                i += 1;
                Token::Op(Comparison::Eq)
            }
            '<' | '>' => {
                let next = chars.get(i + 1).copied();
                let (op, len) = match (c, next) {
                    ('<', Some('>')) => (Comparison::Ne, 2),
                    ('<', Some('=')) => (Comparison::Le, 2),
                    ('>', Some('=')) => (Comparison::Ge, 2),
                    ('<', _) => (Comparison::Lt, 1),
                    _ => (Comparison::Gt, 1),
                };
                i += len;
                Token::Op(op)
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(err(start, "a string is not closed with '".into())),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            s.push(ch);
                            i += 1;
                        }
                    }
                }
                Token::Text(s)
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(err(
                                start,
                                "a quoted property is not closed with \"".into(),
                            ))
                        }
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            s.push(ch);
                            i += 1;
                        }
                    }
                }
                Token::Ident(s)
            }
            c if c.is_ascii_digit() || c == '-' || c == '+' || c == '.' => {
                i += 1;
                while i < chars.len()
                    && (chars[i].is_ascii_digit()
                        || chars[i] == '.'
                        || chars[i] == 'e'
                        || chars[i] == 'E'
                        || ((chars[i] == '-' || chars[i] == '+')
                            && matches!(chars[i - 1], 'e' | 'E')))
                {
                    i += 1;
                }
                let raw: String = chars[start..i].iter().collect();
                match raw.parse::<f64>() {
                    Ok(n) if n.is_finite() && raw.chars().any(|c| c.is_ascii_digit()) => {
                        Token::Number(n)
                    }
                    _ => return Err(err(start, format!("{raw:?} is not a number"))),
                }
            }
            c if c.is_alphabetic() || c == '_' => {
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '.' | ':'))
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let upper = word.to_ascii_uppercase();
                match KEYWORDS.iter().find(|k| **k == upper) {
                    Some(k) => Token::Keyword(k),
                    None => Token::Ident(word),
                }
            }
            other => return Err(err(start, format!("{other:?} is not allowed here"))),
        };
        out.push((token, start + 1));
    }
    out.push((Token::End, chars.len() + 1));
    Ok(out)
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    pos: usize,
    depth: usize,
    literals: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos].0
    }

    fn at(&self) -> usize {
        self.tokens[self.pos].1
    }

    fn next(&mut self) -> (Token, usize) {
        let t = self.tokens[self.pos].clone();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn fail<T>(&self, expected: &str) -> Result<T, SyntaxError> {
        Err(SyntaxError {
            at: self.at(),
            problem: format!("expected {expected}, found {}", describe(self.peek())),
        })
    }

    fn keyword(&mut self, k: &str) -> bool {
        if matches!(self.peek(), Token::Keyword(x) if *x == k) {
            self.next();
            true
        } else {
            false
        }
    }

    fn deeper(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(SyntaxError {
                at: self.at(),
                problem: format!("nested deeper than {MAX_DEPTH} levels"),
            });
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.and()?;
        while self.keyword("OR") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.not()?;
        while self.keyword("AND") {
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, SyntaxError> {
        if self.keyword("NOT") {
            self.deeper()?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        if self.peek() == &Token::Open {
            // A parenthesised condition; a parenthesised value is not part of this subset.
            self.next();
            self.deeper()?;
            let inner = self.or()?;
            self.depth -= 1;
            if self.peek() != &Token::Close {
                return self.fail("')'");
            }
            self.next();
            return Ok(inner);
        }
        if self.keyword("TRUE") {
            return Ok(Expr::Bool(true));
        }
        if self.keyword("FALSE") {
            return Ok(Expr::Bool(false));
        }
        self.predicate()
    }

    fn scalar(&mut self) -> Result<Scalar, SyntaxError> {
        let at = self.at();
        match self.peek().clone() {
            Token::Ident(name) => {
                self.next();
                if self.peek() == &Token::Open {
                    return Err(SyntaxError {
                        at,
                        problem: format!("functions such as {name}(…) are not supported"),
                    });
                }
                Ok(Scalar::Property { name, at })
            }
            Token::Text(s) => {
                self.next();
                self.literal(Literal::Text(s), at)
            }
            Token::Number(n) => {
                self.next();
                self.literal(Literal::Number(n), at)
            }
            _ => self.fail("a property, a 'string' or a number"),
        }
    }

    fn literal(&mut self, value: Literal, at: usize) -> Result<Scalar, SyntaxError> {
        self.literals += 1;
        if self.literals > MAX_LITERALS {
            return Err(SyntaxError {
                at,
                problem: format!("more than {MAX_LITERALS} values"),
            });
        }
        Ok(Scalar::Literal { value, at })
    }

    fn predicate(&mut self) -> Result<Expr, SyntaxError> {
        let left = self.scalar()?;
        if let Token::Op(op) = *self.peek() {
            self.next();
            let right = self.scalar()?;
            return Ok(Expr::Compare(left, op, right));
        }
        if self.keyword("IS") {
            let negated = self.keyword("NOT");
            if !self.keyword("NULL") {
                return self.fail("NULL");
            }
            return Ok(Expr::IsNull { left, negated });
        }
        let negated = self.keyword("NOT");
        if self.keyword("IN") {
            if self.peek() != &Token::Open {
                return self.fail("'(' after IN");
            }
            self.next();
            let mut list = vec![self.scalar()?];
            while self.peek() == &Token::Comma {
                self.next();
                list.push(self.scalar()?);
            }
            if self.peek() != &Token::Close {
                return self.fail("',' or ')' in the IN list");
            }
            self.next();
            return Ok(Expr::In {
                left,
                list,
                negated,
            });
        }
        if self.keyword("BETWEEN") {
            let low = self.scalar()?;
            if !self.keyword("AND") {
                return self.fail("AND in BETWEEN … AND …");
            }
            let high = self.scalar()?;
            return Ok(Expr::Between {
                left,
                low,
                high,
                negated,
            });
        }
        if self.peek() == &Token::Keyword("LIKE") {
            return Err(SyntaxError {
                at: self.at(),
                problem: "LIKE is not supported".into(),
            });
        }
        self.fail(if negated {
            "IN or BETWEEN after NOT"
        } else {
            "a comparison (= <> < > <= >=), IN, BETWEEN or IS NULL"
        })
    }
}

/// Reads a CQL2 text filter.
pub fn parse(text: &str) -> Result<Expr, SyntaxError> {
    let length = text.chars().count();
    if length > MAX_FILTER_CHARS {
        return Err(SyntaxError {
            at: MAX_FILTER_CHARS + 1,
            problem: format!("longer than {MAX_FILTER_CHARS} characters"),
        });
    }
    let mut p = Parser {
        tokens: tokenize(text)?,
        pos: 0,
        depth: 0,
        literals: 0,
    };
    if p.peek() == &Token::End {
        return p.fail("a condition");
    }
    let expr = p.or()?;
    if p.peek() != &Token::End {
        return p.fail("AND, OR or the end of the filter");
    }
    Ok(expr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prop(name: &str, at: usize) -> Scalar {
        Scalar::Property {
            name: name.into(),
            at,
        }
    }

    fn num(n: f64, at: usize) -> Scalar {
        Scalar::Literal {
            value: Literal::Number(n),
            at,
        }
    }

    #[test]
    fn reads_in_and_comparisons_with_precedence() {
        assert_eq!(
            parse("area_type IN (1,2)").unwrap(),
            Expr::In {
                left: prop("area_type", 1),
                list: vec![num(1.0, 15), num(2.0, 17)],
                negated: false
            }
        );
        let e =
            parse("population > 5000 AND municipality_code = '0180' OR NOT code IS NULL").unwrap();
        let Expr::Or(left, right) = e else { panic!() };
        assert!(matches!(*left, Expr::And(..)));
        assert!(matches!(*right, Expr::Not(..)));
    }

    #[test]
    fn keywords_are_case_insensitive_and_strings_escape_quotes() {
        let e = parse("name = 'O''Brien' and x between -1.5e2 and 3").unwrap();
        let Expr::And(l, r) = e else { panic!() };
        assert_eq!(
            *l,
            Expr::Compare(
                prop("name", 1),
                Comparison::Eq,
                Scalar::Literal {
                    value: Literal::Text("O'Brien".into()),
                    at: 8
                }
            )
        );
        assert!(matches!(*r, Expr::Between { .. }));
    }

    #[test]
    fn errors_give_the_position_and_the_problem() {
        let e = parse("population >").unwrap_err();
        assert_eq!(e.at, 13);
        assert!(e.problem.contains("expected a property"), "{e}");
        let e = parse("code = 'abc").unwrap_err();
        assert_eq!((e.at, e.problem.contains("not closed")), (8, true));
        assert_eq!(parse("a = 1 )").unwrap_err().at, 7);
        assert_eq!(parse("a ; drop").unwrap_err().at, 3);
        assert!(parse("").is_err());
        assert!(parse("S_INTERSECTS(geom, x)").is_err());
        assert!(parse("a LIKE 'x%'").is_err());
        let deep = format!("{}a = 1{}", "(".repeat(40), ")".repeat(40));
        assert!(parse(&deep).unwrap_err().problem.contains("nested"));
        assert!(parse(&"NOT ".repeat(100)).is_err());
        assert!(parse(&"x".repeat(MAX_FILTER_CHARS + 1)).is_err());
        assert!(parse("a = --").is_err());
        assert!(parse("a = 1e999").is_err());
    }
}
