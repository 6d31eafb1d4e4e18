//! The Kubernetes label selector grammar, checked at compile time: a malformed
//! `#[secondary(selector = "...")]` would otherwise compile and make every watch of that kind
//! fail at run time. It follows `labels.Parse` of `k8s.io/apimachinery`:
//!
//! ```text
//! selector    ::= requirement ("," requirement)*
//! requirement ::= "!" KEY | KEY | KEY ("=" | "==" | "!=") VALUE? | KEY (">" | "<") INTEGER
//!               | KEY ("in" | "notin") "(" VALUE ("," VALUE)* ")"
//! ```
//!
//! A KEY is a name of at most 63 characters, alphanumeric at both ends with `-`, `_` or `.`
//! inside, optionally prefixed by a DNS subdomain and `/`; a VALUE is such a name or, after `=`,
//! `==` or `!=`, empty. Spaces between tokens are ignored. Unlike the API server, an empty value
//! inside `in (...)`/`notin (...)` is refused: `app in ()` and `app in (a,)` are typos.

use std::fmt;

/// Checks `selector`; the error says what is wrong, in words that fit after "invalid label
/// selector `...`: ".
pub fn check(selector: &str) -> Result<(), String> {
    let mut parser = Parser {
        tokens: tokens(selector),
        next: 0,
    };
    if parser.tokens.is_empty() {
        return Err("it is empty".into());
    }
    loop {
        parser.requirement()?;
        match parser.advance() {
            None => return Ok(()),
            Some(Token::Comma) => {}
            Some(other) => {
                return Err(format!(
                    "expected `,` or the end after a requirement, found `{other}`"
                ));
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    /// A key, a value, `in` or `notin`: any run of characters other than spaces and the symbols.
    Word(&'a str),
    Comma,
    Open,
    Close,
    /// `=`, `==`, `!=`, `>`, `<`.
    Operator(&'static str),
    /// `!`, before a key.
    Not,
}

impl fmt::Display for Token<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Token::Word(word) => word,
            Token::Comma => ",",
            Token::Open => "(",
            Token::Close => ")",
            Token::Operator(operator) => operator,
            Token::Not => "!",
        })
    }
}

const SYMBOLS: &[char] = &[',', '(', ')', '=', '!', '>', '<'];

fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut rest = text.trim_start();
    while let Some(c) = rest.chars().next() {
        let (token, len) = match c {
            ',' => (Token::Comma, 1),
            '(' => (Token::Open, 1),
            ')' => (Token::Close, 1),
            '>' => (Token::Operator(">"), 1),
            '<' => (Token::Operator("<"), 1),
            '=' if rest.starts_with("==") => (Token::Operator("=="), 2),
            '=' => (Token::Operator("="), 1),
            '!' if rest.starts_with("!=") => (Token::Operator("!="), 2),
            '!' => (Token::Not, 1),
            _ => {
                let len = rest
                    .find(|c: char| c.is_whitespace() || SYMBOLS.contains(&c))
                    .unwrap_or(rest.len());
                (Token::Word(&rest[..len]), len)
            }
        };
        tokens.push(token);
        rest = rest[len..].trim_start();
    }
    tokens
}

struct Parser<'a> {
    tokens: Vec<Token<'a>>,
    next: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<Token<'a>> {
        self.tokens.get(self.next).copied()
    }

    fn advance(&mut self) -> Option<Token<'a>> {
        let token = self.peek();
        self.next += 1;
        token
    }

    fn requirement(&mut self) -> Result<(), String> {
        let negated = self.peek() == Some(Token::Not);
        if negated {
            self.advance();
        }
        let key = match self.advance() {
            Some(Token::Word(key)) => key,
            Some(Token::Comma) if self.next == 1 => return Err("it starts with `,`".into()),
            None | Some(Token::Comma) if negated => {
                return Err("a label key is missing after `!`".into());
            }
            None | Some(Token::Comma) => return Err("a label key is missing after `,`".into()),
            Some(other) => return Err(format!("expected a label key, found `{other}`")),
        };
        check_key(key)?;
        // `key` and `!key` end here.
        let Some(token) = self.peek().filter(|token| *token != Token::Comma) else {
            return Ok(());
        };
        if negated {
            return Err(format!(
                "`!{key}` selects objects without the label and takes no value; write `{key}!=value` to exclude one value"
            ));
        }
        self.advance();
        match token {
            Token::Operator(operator @ ("=" | "==" | "!=")) => match self.peek() {
                None | Some(Token::Comma) => Ok(()),
                Some(Token::Word(value)) => {
                    self.advance();
                    check_value(value)
                }
                Some(other) => Err(format!(
                    "expected a value after `{key}{operator}`, found `{other}`"
                )),
            },
            Token::Operator(operator) => match self.advance() {
                Some(Token::Word(value)) if value.parse::<i64>().is_ok() => check_value(value),
                Some(other) => Err(format!(
                    "`{key}{operator}` compares with an integer, found `{other}`"
                )),
                None => Err(format!("`{key}{operator}` compares with an integer")),
            },
            Token::Word(operator @ ("in" | "notin")) => self.values(key, operator),
            other => Err(format!(
                "expected `=`, `!=`, `in` or `notin` after the key `{key}`, found `{other}`"
            )),
        }
    }

    /// The `(a,b)` after `in` or `notin`.
    fn values(&mut self, key: &str, operator: &str) -> Result<(), String> {
        let example = format!("`{key} {operator} (a,b)`");
        match self.advance() {
            Some(Token::Open) => {}
            Some(other) => {
                return Err(format!(
                    "expected `(` after `{operator}`, found `{other}`; write e.g. {example}"
                ));
            }
            None => {
                return Err(format!(
                    "expected `(` after `{operator}`; write e.g. {example}"
                ));
            }
        }
        let mut first = true;
        loop {
            match self.advance() {
                Some(Token::Word(value)) => check_value(value)?,
                None => return Err(format!("missing `)` after the values of `{operator}`")),
                Some(Token::Close) if first => {
                    return Err(format!(
                        "`{operator}` needs at least one value, e.g. {example}"
                    ));
                }
                Some(Token::Comma | Token::Close) => {
                    return Err(format!(
                        "a value of `{operator}` is empty; write e.g. {example}"
                    ));
                }
                Some(other) => {
                    return Err(format!("expected a value of `{operator}`, found `{other}`"));
                }
            }
            first = false;
            match self.advance() {
                Some(Token::Comma) => {}
                Some(Token::Close) => return Ok(()),
                None => return Err(format!("missing `)` after the values of `{operator}`")),
                Some(other) => {
                    return Err(format!(
                        "expected `,` or `)` between the values of `{operator}`, found `{other}`"
                    ));
                }
            }
        }
    }
}

/// `name` or `prefix/name`, the prefix a DNS subdomain (Kubernetes' `IsQualifiedName`).
fn check_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if prefix == Some("") {
        return Err(format!(
            "the label key `{key}` has an empty prefix; write `prefix/name` or only the name"
        ));
    }
    if let Some(prefix) = prefix
        && !is_dns_subdomain(prefix)
    {
        return Err(format!(
            "the prefix `{prefix}` of the label key `{key}` is not a DNS subdomain (lowercase letters, digits, `-` and `.`, at most 253 characters)"
        ));
    }
    if name.contains('/') {
        return Err(format!(
            "the label key `{key}` has more than one `/`; write `prefix/name`"
        ));
    }
    if !is_name(name) {
        return Err(format!(
            "the label key `{key}` must be a name of at most 63 characters, alphanumeric at both ends with `-`, `_` or `.` inside, after an optional `prefix/`"
        ));
    }
    Ok(())
}

fn check_value(value: &str) -> Result<(), String> {
    if is_name(value) {
        Ok(())
    } else {
        Err(format!(
            "the label value `{value}` must be at most 63 characters, alphanumeric at both ends with `-`, `_` or `.` inside"
        ))
    }
}

/// A label name or non-empty label value: at most 63 characters, `[A-Za-z0-9]` at both ends and
/// `[-A-Za-z0-9_.]` inside.
fn is_name(text: &str) -> bool {
    let alphanumeric = |c: char| c.is_ascii_alphanumeric();
    !text.is_empty()
        && text.len() <= 63
        && text.starts_with(alphanumeric)
        && text.ends_with(alphanumeric)
        && text.chars().all(|c| alphanumeric(c) || "-_.".contains(c))
}

/// Dot-separated labels of `[a-z0-9-]`, each alphanumeric at both ends; at most 253 characters.
fn is_dns_subdomain(text: &str) -> bool {
    let alphanumeric = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    text.len() <= 253
        && text.split('.').all(|label| {
            label.starts_with(alphanumeric)
                && label.ends_with(alphanumeric)
                && label.chars().all(|c| alphanumeric(c) || c == '-')
        })
}

#[cfg(test)]
#[path = "selector_tests.rs"]
mod tests;
