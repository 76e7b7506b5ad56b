//! Custom attribute formulas (`ConnectedAppAttribute.formula`, `reference/salesforce-oauth.md`
//! §9): the subset of Salesforce's formula language that attributes use — merge fields
//! `$User.<Field>` and `$Organization.<Field>`, string literals in single or double quotes, and
//! `&` concatenation, with parentheses. Parsed once when the app is saved (a bad formula is an
//! error naming it) and evaluated for each user when a token or userinfo response is built.

use std::fmt;

use crate::org::{Org, User};

/// Salesforce's limit on a formula's length.
pub const MAX_FORMULA_CHARS: usize = 3900;

/// A parsed formula: the parts whose texts are concatenated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formula(Vec<Part>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    User(UserField),
    Org(OrgField),
}

/// `$User` fields Portico knows (Salesforce's API names; matched case-insensitively, as
/// Salesforce formulas do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UserField {
    Id,
    Username,
    Email,
    FirstName,
    LastName,
    Name,
    ProfileId,
    LocaleSidKey,
    TimeZoneSidKey,
    IsActive,
}

const USER_FIELDS: &[(&str, UserField)] = &[
    ("Id", UserField::Id),
    ("Username", UserField::Username),
    ("Email", UserField::Email),
    ("FirstName", UserField::FirstName),
    ("LastName", UserField::LastName),
    ("Name", UserField::Name),
    ("ProfileId", UserField::ProfileId),
    ("LocaleSidKey", UserField::LocaleSidKey),
    ("TimeZoneSidKey", UserField::TimeZoneSidKey),
    ("IsActive", UserField::IsActive),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OrgField {
    Id,
    Name,
    OrganizationType,
}

const ORG_FIELDS: &[(&str, OrgField)] = &[
    ("Id", OrgField::Id),
    ("Name", OrgField::Name),
    ("OrganizationType", OrgField::OrganizationType),
];

/// Why a formula does not parse, with the character position (from 1) where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormulaError(String);

impl fmt::Display for FormulaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Formula {
    pub fn parse(text: &str) -> Result<Self, FormulaError> {
        if text.trim().is_empty() {
            return Err(FormulaError("the formula is empty".to_owned()));
        }
        if text.chars().count() > MAX_FORMULA_CHARS {
            return Err(FormulaError(format!(
                "the formula is longer than {MAX_FORMULA_CHARS} characters"
            )));
        }
        let mut p = Parser {
            chars: text.chars().collect(),
            pos: 0,
            depth: 0,
        };
        let parts = p.expr()?;
        p.skip_ws();
        if p.pos < p.chars.len() {
            return Err(p.error("expected `&` or the end of the formula"));
        }
        Ok(Self(parts))
    }

    /// The formula's value for a user of an org.
    pub fn evaluate(&self, user: &User, org: &Org) -> String {
        let mut out = String::new();
        for part in &self.0 {
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::User(f) => out.push_str(&user_value(*f, user)),
                Part::Org(f) => out.push_str(&org_value(*f, org)),
            }
        }
        out
    }
}

fn user_value(field: UserField, u: &User) -> String {
    match field {
        UserField::Id => u.id.to_string(),
        UserField::Username => u.username.clone(),
        UserField::Email => u.email.clone(),
        UserField::FirstName => u.first_name.clone(),
        UserField::LastName => u.last_name.clone(),
        UserField::Name => u.display_name(),
        UserField::ProfileId => u.profile_id.to_string(),
        UserField::LocaleSidKey => u.locale.clone(),
        UserField::TimeZoneSidKey => u.time_zone.clone(),
        UserField::IsActive => u.is_active.to_string(),
    }
}

fn org_value(field: OrgField, o: &Org) -> String {
    match field {
        OrgField::Id => o.id.to_string(),
        OrgField::Name => o.name.clone(),
        OrgField::OrganizationType => format!("{} Edition", o.edition.as_str()),
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
}

/// Parentheses nest at most this deep, so a hostile formula cannot exhaust the stack.
const MAX_DEPTH: usize = 32;

impl Parser {
    fn error(&self, what: &str) -> FormulaError {
        FormulaError(format!("{what} at character {}", self.pos + 1))
    }

    fn skip_ws(&mut self) {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }

    /// expr := term ('&' term)*
    fn expr(&mut self) -> Result<Vec<Part>, FormulaError> {
        let mut parts = self.term()?;
        loop {
            self.skip_ws();
            if self.chars.get(self.pos) != Some(&'&') {
                return Ok(parts);
            }
            self.pos += 1;
            parts.extend(self.term()?);
        }
    }

    /// term := string | merge-field | '(' expr ')'
    fn term(&mut self) -> Result<Vec<Part>, FormulaError> {
        self.skip_ws();
        match self.chars.get(self.pos).copied() {
            Some(q @ ('\'' | '"')) => self.string(q).map(|s| vec![Part::Literal(s)]),
            Some('$') => self.merge_field().map(|p| vec![p]),
            Some('(') => {
                if self.depth >= MAX_DEPTH {
                    return Err(self.error("parentheses nest too deeply"));
                }
                self.pos += 1;
                self.depth += 1;
                let inner = self.expr()?;
                self.skip_ws();
                if self.chars.get(self.pos) != Some(&')') {
                    return Err(self.error("expected `)`"));
                }
                self.pos += 1;
                self.depth -= 1;
                Ok(inner)
            }
            Some(_) => Err(self
                .error("expected a string in quotes, $User.<Field>, $Organization.<Field> or `(`")),
            None => Err(self.error("the formula ends where a value is expected")),
        }
    }

    fn string(&mut self, quote: char) -> Result<String, FormulaError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        while let Some(&c) = self.chars.get(self.pos) {
            self.pos += 1;
            match c {
                c if c == quote => return Ok(out),
                '\\' => {
                    let escaped = self.chars.get(self.pos).copied();
                    self.pos += 1;
                    match escaped {
                        Some('n') => out.push('\n'),
                        Some('t') => out.push('\t'),
                        Some(e @ ('\\' | '\'' | '"')) => out.push(e),
                        _ => return Err(self.error("unknown escape sequence")),
                    }
                }
                c => out.push(c),
            }
        }
        self.pos = start;
        Err(self.error("unterminated string"))
    }

    fn ident(&mut self) -> String {
        let start = self.pos;
        while self
            .chars
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
        {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    fn merge_field(&mut self) -> Result<Part, FormulaError> {
        let start = self.pos;
        self.pos += 1;
        let object = self.ident();
        if self.chars.get(self.pos) != Some(&'.') {
            self.pos = start;
            return Err(self.error("expected $User.<Field> or $Organization.<Field>"));
        }
        self.pos += 1;
        let field_start = self.pos;
        let field = self.ident();
        if object.eq_ignore_ascii_case("User") {
            lookup(USER_FIELDS, &field)
                .map(Part::User)
                .ok_or_else(|| unknown(&object, &field, field_start, USER_FIELDS))
        } else if object.eq_ignore_ascii_case("Organization") {
            lookup(ORG_FIELDS, &field)
                .map(Part::Org)
                .ok_or_else(|| unknown(&object, &field, field_start, ORG_FIELDS))
        } else {
            self.pos = start;
            Err(self.error(&format!(
                "unknown merge field object `${object}`; use $User or $Organization"
            )))
        }
    }
}

fn lookup<T: Copy>(table: &[(&str, T)], name: &str) -> Option<T> {
    table
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, f)| *f)
}

fn unknown<T>(object: &str, field: &str, at: usize, known: &[(&str, T)]) -> FormulaError {
    let names: Vec<&str> = known.iter().map(|(n, _)| *n).collect();
    FormulaError(format!(
        "unknown field `${object}.{field}` at character {}; known fields are {}",
        at + 1,
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::UnixMillis;
    use crate::ids::{KeyPrefix, SfId};
    use crate::org::Edition;

    fn user() -> User {
        User {
            id: SfId::generate(KeyPrefix::User),
            org_id: SfId::generate(KeyPrefix::Org),
            username: "ada@example.com".into(),
            email: "ada@mail.example.com".into(),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            profile_id: SfId::generate(KeyPrefix::Profile),
            is_active: true,
            locale: "en_GB".into(),
            time_zone: "Europe/London".into(),
            password_hash: None,
            failed_logins: 0,
            locked_until: None,
            created_at: UnixMillis(0),
            updated_at: UnixMillis(0),
        }
    }

    fn org() -> Org {
        Org {
            id: SfId::generate(KeyPrefix::Org),
            name: "Acme".into(),
            edition: Edition::Enterprise,
            created_at: UnixMillis(0),
        }
    }

    fn eval(text: &str) -> String {
        Formula::parse(text).unwrap().evaluate(&user(), &org())
    }

    #[test]
    fn merge_fields_literals_and_concatenation() {
        assert_eq!(eval("$User.Email"), "ada@mail.example.com");
        assert_eq!(
            eval("$user.firstname & ' ' & $User.LastName"),
            "Ada Lovelace"
        );
        assert_eq!(eval("\"org:\" & $Organization.Name"), "org:Acme");
        assert_eq!(
            eval("'it\\'s' & (\"-\" & $Organization.OrganizationType)"),
            "it's-Enterprise Edition"
        );
        assert_eq!(eval("'plain'"), "plain");
    }

    #[test]
    fn bad_formulas_say_what_is_wrong() {
        let err = |t: &str| Formula::parse(t).unwrap_err().to_string();
        assert!(err("$User.Salary").contains("unknown field `$User.Salary`"));
        assert!(err("$Account.Name").contains("$Account"));
        assert!(err("'open").contains("unterminated"));
        assert!(err("$User.Email &").contains("ends"));
        assert!(err("$User.Email $User.Email").contains("expected `&`"));
        assert!(err("UPPER($User.Email)").contains("expected a string"));
        assert!(err("($User.Email").contains("`)`"));
        assert!(err("").contains("empty"));
        assert!(err(&"(".repeat(100)).contains("deeply"));
        assert!(err(&format!("'{}'", "x".repeat(MAX_FORMULA_CHARS))).contains("longer"));
    }
}
