#![doc = include_str!("../../rules/docs/RU202.md")]

use ruff_python_ast::Expr;
use ruff_text_size::{Ranged, TextRange};

use super::Rule;
use crate::checker::Checker;
use crate::constructors::Keywords;
use crate::diagnostic::Diagnostic;
use crate::python::clients::{Construction, StringValue, string_value};
use crate::redis_url::RedisUrl;

pub const DOC: &str = include_str!("../../rules/docs/RU202.md");

pub fn check(checker: &mut Checker, construction: &Construction) {
    if !checker.enabled(Rule::HardcodedRedisPassword)
        || construction.constructor.keywords == Keywords::None
    {
        return;
    }
    check_password_argument(checker, construction);
    check_url_argument(checker, construction);
}

/// `password="..."`, alone or with `username="..."`.
fn check_password_argument(checker: &mut Checker, construction: &Construction) {
    let Some(argument) = construction.argument("password") else {
        return;
    };
    let Some(password) = secret(argument, checker) else {
        return;
    };
    let with_username = construction
        .argument("username")
        .and_then(|username| secret(username, checker))
        .is_some();
    let what = if with_username {
        "username and password"
    } else {
        "password"
    };
    let through = through_name(&password);
    let range = argument_range(construction, "password", argument);
    checker.report(Diagnostic::new(
        Rule::HardcodedRedisPassword,
        range,
        format!(
            "Redis {what} written in the source (`password=\"***\"`{through}); read the password \
             from the environment or a secret store instead"
        ),
    ));
}

/// A redis URL with a password: `redis://:secret@host`, `?password=secret`.
fn check_url_argument(checker: &mut Checker, construction: &Construction) {
    let Some((argument, value)) = construction.url_argument(checker.model(), checker.scope())
    else {
        return;
    };
    let Some(url) = RedisUrl::parse(&value.text) else {
        return;
    };
    if !url.password().is_some_and(is_real_secret) {
        return;
    }
    let message = format!(
        "Redis URL `{}` carries a password written in the source{}; build the URL from an \
         environment variable or a secret store instead",
        url.masked(),
        through_name(&value)
    );
    checker.report(Diagnostic::new(
        Rule::HardcodedRedisPassword,
        argument.range(),
        message,
    ));
}

/// The string an argument holds, when it is a credential written in the source.
fn secret<'a>(argument: &'a Expr, checker: &'a Checker) -> Option<StringValue<'a>> {
    string_value(argument, checker.model(), checker.scope())
        .filter(|value| is_real_secret(&value.text))
}

/// Non-empty and not a template placeholder (`${REDIS_PASSWORD}`, `<password>`,
/// `{password}`, `%(password)s`) that something fills in before use.
fn is_real_secret(text: &str) -> bool {
    let text = text.trim();
    !(text.is_empty()
        || text.starts_with('$')
        || text.contains("%(")
        || (text.starts_with('<') && text.ends_with('>'))
        || (text.starts_with('{') && text.ends_with('}')))
}

fn through_name(value: &StringValue) -> String {
    value
        .through_name
        .map(|name| format!(", through `{name}`"))
        .unwrap_or_default()
}

/// The whole `name=value` keyword, or the positional argument.
fn argument_range(construction: &Construction, parameter: &str, argument: &Expr) -> TextRange {
    construction
        .call
        .arguments
        .find_keyword(parameter)
        .map_or(argument.range(), Ranged::range)
}
