#![doc = include_str!("../../rules/docs/RU203.md")]

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use super::Rule;
use crate::checker::Checker;
use crate::constructors::Keywords;
use crate::diagnostic::Diagnostic;
use crate::python::clients::{Construction, string_value};
use crate::redis_url::{RedisUrl, Scheme, is_false_option};

pub const DOC: &str = include_str!("../../rules/docs/RU203.md");

/// `ssl_cert_reqs` values that skip verification: `RedisSSLContext` maps a
/// `None` to `ssl.CERT_NONE` too (reference §5.3). `"optional"` is not one of
/// them: for a client socket `CERT_OPTIONAL` means the same as `CERT_REQUIRED`
/// (CPython `ssl` docs since bpo-31432; a handshake with an untrusted
/// certificate fails under it, checked with CPython 3.11).
const UNVERIFIED_CERT_REQS: &[&str] = &["none"];
const UNVERIFIED_CERT_CONSTANTS: &[&str] = &["ssl.CERT_NONE", "ssl.VerifyMode.CERT_NONE"];

const CERT_REQS_ADVICE: &str = "drop it (the default is \"required\") and pass `ssl_ca_certs=` \
     if the server's certificate comes from a private CA";
const CHECK_HOSTNAME_ADVICE: &str =
    "drop it and connect with the host name the certificate was issued for";

pub fn check(checker: &mut Checker, construction: &Construction) {
    if !checker.enabled(Rule::TlsVerificationDisabled)
        || construction.constructor.keywords != Keywords::RedisPy
    {
        return;
    }
    if let Some(keyword) = construction.call.arguments.find_keyword("ssl_cert_reqs")
        && turns_off_cert_verification(checker, &keyword.value)
    {
        let written = checker.text(keyword.value.range());
        checker.report(Diagnostic::new(
            Rule::TlsVerificationDisabled,
            keyword.range(),
            format!(
                "`ssl_cert_reqs={written}` turns off TLS certificate verification, so anyone \
                     on the network path can pose as the Redis server; {CERT_REQS_ADVICE}"
            ),
        ));
    }
    if let Some(keyword) = construction
        .call
        .arguments
        .find_keyword("ssl_check_hostname")
        && matches!(&keyword.value, Expr::BooleanLiteral(b) if !b.value)
    {
        checker.report(Diagnostic::new(
            Rule::TlsVerificationDisabled,
            keyword.range(),
            format!(
                "`ssl_check_hostname=False` accepts a valid certificate issued for any host \
                     name; {CHECK_HOSTNAME_ADVICE}"
            ),
        ));
    }
    check_url(checker, construction);
}

fn turns_off_cert_verification(checker: &Checker, value: &Expr) -> bool {
    if value.is_none_literal_expr() {
        return true;
    }
    if let Some(text) = string_value(value, checker.model(), checker.scope()) {
        return UNVERIFIED_CERT_REQS.contains(&text.text.as_ref());
    }
    checker
        .resolve(value)
        .iter()
        .any(|qualified| UNVERIFIED_CERT_CONSTANTS.contains(&qualified.as_str()))
}

/// `rediss://...?ssl_cert_reqs=none` and `?ssl_check_hostname=false`.
fn check_url(checker: &mut Checker, construction: &Construction) {
    let Some((argument, value)) = construction.url_argument(checker.model(), checker.scope())
    else {
        return;
    };
    let Some(url) = RedisUrl::parse(&value.text) else {
        return;
    };
    if url.scheme != Scheme::Rediss {
        return;
    }
    let mut messages = Vec::new();
    if let Some(reqs) = url
        .option("ssl_cert_reqs")
        .filter(|reqs| UNVERIFIED_CERT_REQS.contains(reqs))
    {
        messages.push(format!(
            "The URL `{}` sets `ssl_cert_reqs={reqs}`, which turns off TLS certificate \
             verification; {CERT_REQS_ADVICE}",
            url.masked()
        ));
    }
    if url
        .option("ssl_check_hostname")
        .is_some_and(is_false_option)
    {
        messages.push(format!(
            "The URL `{}` turns off `ssl_check_hostname`, which accepts a certificate issued for \
             any host name; {CHECK_HOSTNAME_ADVICE}",
            url.masked()
        ));
    }
    for message in messages {
        checker.report(Diagnostic::new(
            Rule::TlsVerificationDisabled,
            argument.range(),
            message,
        ));
    }
}
