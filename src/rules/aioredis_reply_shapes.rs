//! RU101 on uses of a 1.x reply that only the 1.x shape has, for the shapes
//! `number` (`time()`, `lastsave()`), `decoded` (`geohash()`), `bytes_keys`
//! (`xinfo_groups()`), `flat` (`zpopmax()`), `true` (`migrate()`), `list`
//! (`command()`, `xpending()`) and `pairs` (`hscan()`) of `[reply_shapes]`, and on `repr()`/`str()` of a 1.x object
//! compared with what 1.x printed (`[printed_forms]`). Which expressions hold
//! a 1.x reply is the [`LegacyModel`](crate::python::legacy::LegacyModel)'s
//! answer, as for the shapes `aioredis_legacy_client` judges.

use ruff_python_ast::{self as ast, CmpOp, Expr, Operator};
use ruff_text_size::Ranged;

use super::Rule;
use super::aioredis_legacy_client::{has_work, kind_of, reply_command};
use crate::api::ReplyShape;
use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::python::legacy::LegacyKind;

fn report(checker: &mut Checker, operand: &Expr, used: &str, command: &str, shape: &ReplyShape) {
    let written = checker.text(operand.range());
    let message = format!(
        "`{written}` is {used}, as the aioredis 1.x reply of `{command}()` was ({}); \
         redis.asyncio returns {}; {}",
        shape.in_1x, shape.in_redis_py, shape.instead
    );
    let diagnostic = Diagnostic::new(Rule::AioredisLegacyApi, operand.range(), message);
    checker.report_on(diagnostic, operand);
}

/// The reply (or the part of one the table judges) `operand` holds: a name
/// holding it, or the awaited call on a 1.x client; with its shape, and whether
/// `operand` is a name unpacked from a `list`-shaped reply.
fn reply_of(checker: &Checker, operand: &Expr) -> Option<(String, &'static ReplyShape, bool)> {
    let part = reply_command(checker, operand)?;
    let (command, shape, unpacked) = checker.api().reply_part(&part)?;
    Some((command.to_string(), shape, unpacked))
}

/// `name` (unpacked from a `list`-shaped reply) used as 1.x's item: `used`.
fn report_unpacked(
    checker: &mut Checker,
    operand: &Expr,
    used: &str,
    command: &str,
    shape: &ReplyShape,
) {
    let written = checker.text(operand.range());
    let message = format!(
        "`{written}` was unpacked from the aioredis 1.x reply of `{command}()` ({}) and is \
         {used}; redis.asyncio returns {}, and unpacking a dict gives its keys; {}",
        shape.in_1x, shape.in_redis_py, shape.instead
    );
    let diagnostic = Diagnostic::new(Rule::AioredisLegacyApi, operand.range(), message);
    checker.report_on(diagnostic, operand);
}

/// `sorted(x)` or `list(x)` (builtins): what they were given.
fn sorted_or_listed<'a>(checker: &Checker, expr: &'a Expr) -> Option<&'a Expr> {
    let Expr::Call(call) = expr else {
        return None;
    };
    let Expr::Name(function) = call.func.as_ref() else {
        return None;
    };
    (matches!(function.id.as_str(), "sorted" | "list")
        && call.arguments.args.len() == 1
        && checker
            .model()
            .lookup(function.id.as_str(), checker.scope())
            .is_none())
    .then(|| &call.arguments.args[0])
}

fn is_bytes(expr: &Expr) -> bool {
    matches!(expr, Expr::BytesLiteral(_))
}

fn is_number(expr: &Expr) -> bool {
    match expr {
        Expr::NumberLiteral(_) => true,
        Expr::UnaryOp(unary) => matches!(unary.operand.as_ref(), Expr::NumberLiteral(_)),
        _ => false,
    }
}

/// A bytes literal, or a list/tuple display holding one (`[b"sqc8b49rny0"]`).
fn holds_bytes(expr: &Expr) -> bool {
    match expr {
        Expr::List(ast::ExprList { elts, .. }) | Expr::Tuple(ast::ExprTuple { elts, .. }) => {
            elts.iter().any(is_bytes)
        }
        other => is_bytes(other),
    }
}

/// A dict display with a bytes key, or a list/tuple display holding one.
fn holds_bytes_keyed_dict(expr: &Expr) -> bool {
    match expr {
        Expr::Dict(dict) => dict
            .items
            .iter()
            .any(|item| item.key.as_ref().is_some_and(is_bytes)),
        Expr::List(ast::ExprList { elts, .. }) | Expr::Tuple(ast::ExprTuple { elts, .. }) => {
            elts.iter().any(holds_bytes_keyed_dict)
        }
        _ => false,
    }
}

/// A non-empty list display none of whose elements is a tuple display.
fn is_flat_list(expr: &Expr) -> bool {
    matches!(expr, Expr::List(ast::ExprList { elts, .. })
        if !elts.is_empty() && !elts.iter().any(|e| e.is_tuple_expr() || e.is_starred_expr()))
}

/// `reply == [b"sqc8b49rny0"]`, `res > 0`, `ok is True`, `repr(redis) == "<Redis ...>"`.
pub fn check_compare(checker: &mut Checker, compare: &ast::ExprCompare) {
    if !has_work(checker) || checker.legacy().is_empty() {
        return;
    }
    let operands: Vec<&Expr> = std::iter::once(compare.left.as_ref())
        .chain(compare.comparators.iter())
        .collect();
    let equality = compare
        .ops
        .iter()
        .all(|op| matches!(op, CmpOp::Eq | CmpOp::NotEq));
    let ordering = compare
        .ops
        .iter()
        .any(|op| matches!(op, CmpOp::Lt | CmpOp::LtE | CmpOp::Gt | CmpOp::GtE));
    let identity = compare
        .ops
        .iter()
        .all(|op| matches!(op, CmpOp::Eq | CmpOp::NotEq | CmpOp::Is | CmpOp::IsNot));
    if check_printed(checker, compare, &operands) {
        return;
    }
    for (index, operand) in operands.iter().enumerate() {
        // `sorted(values) == [...]`: the pairs 1.x gave, sorted.
        let (reply, wrapped) = match sorted_or_listed(checker, operand) {
            Some(inner) => (inner, true),
            None => (*operand, false),
        };
        let Some((command, shape, unpacked)) = reply_of(checker, reply) else {
            continue;
        };
        if unpacked {
            if !wrapped && (equality || ordering) {
                report_unpacked(checker, operand, "compared", &command, shape);
                return;
            }
            continue;
        }
        if wrapped && shape.shape != "pairs" {
            continue;
        }
        let others = || {
            operands
                .iter()
                .enumerate()
                .filter(move |(i, _)| *i != index)
                .map(|(_, o)| *o)
        };
        let used = match shape.shape.as_str() {
            "number" if ordering && others().any(is_number) => "ordered against a number",
            "decoded" if equality && others().any(holds_bytes) => "compared with bytes",
            "bytes_keys" if equality && others().any(holds_bytes_keyed_dict) => {
                "compared with dicts keyed by bytes"
            }
            "flat" if equality && others().any(is_flat_list) => "compared with a flat list",
            // `ok is False` is false for `b"OK"` and for 1.x's `True` alike.
            "true"
                if identity
                    && others().any(
                        |other| matches!(other, Expr::BooleanLiteral(literal) if literal.value),
                    ) =>
            {
                "compared with `True`"
            }
            "pairs" if equality && others().any(Expr::is_list_expr) => "compared with a list",
            _ => continue,
        };
        report(checker, operand, used, &command, shape);
        return;
    }
}

/// `repr(x)`/`str(x)` of a 1.x client, connection or pool compared (`==`, `!=`,
/// `in`, `not in`) with what 1.x printed. Whether it reported.
fn check_printed(checker: &mut Checker, compare: &ast::ExprCompare, operands: &[&Expr]) -> bool {
    if !compare
        .ops
        .iter()
        .all(|op| matches!(op, CmpOp::Eq | CmpOp::NotEq | CmpOp::In | CmpOp::NotIn))
    {
        return false;
    }
    for (index, operand) in operands.iter().enumerate() {
        let Expr::Call(call) = operand else {
            continue;
        };
        let Expr::Name(function) = call.func.as_ref() else {
            continue;
        };
        if !matches!(function.id.as_str(), "repr" | "str")
            || call.arguments.args.len() != 1
            || !call.arguments.keywords.is_empty()
            || checker
                .model()
                .lookup(function.id.as_str(), checker.scope())
                .is_some()
        {
            continue;
        }
        let object = &call.arguments.args[0];
        let kind = match kind_of(checker, object) {
            Some(LegacyKind::Client) => "client",
            Some(LegacyKind::Pool) => "pool",
            _ => continue,
        };
        let Some(form) = checker.api().printed_form(kind) else {
            continue;
        };
        let starts = |expr: &Expr| match expr {
            Expr::StringLiteral(text) => {
                let text = text.value.to_str();
                form.starts
                    .iter()
                    .any(|start| text.starts_with(start.as_str()))
            }
            _ => false,
        };
        let printed = operands
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != index)
            .any(|(_, other)| match other {
                Expr::Set(ast::ExprSet { elts, .. })
                | Expr::List(ast::ExprList { elts, .. })
                | Expr::Tuple(ast::ExprTuple { elts, .. }) => elts.iter().any(starts),
                other => starts(other),
            });
        if !printed {
            continue;
        }
        let written = checker.text(operand.range());
        let message = format!(
            "`{written}` is compared with what aioredis 1.x printed for it ({}); \
             redis.asyncio prints {}; {}",
            form.in_1x, form.in_redis_py, form.instead
        );
        let diagnostic = Diagnostic::new(Rule::AioredisLegacyApi, operand.range(), message);
        checker.report_on(diagnostic, object);
        return true;
    }
    false
}

/// `end - start`, `(await redis.time()) * 1000`: arithmetic on a reply 1.x gave
/// as a number.
pub fn check_binop(checker: &mut Checker, binop: &ast::ExprBinOp) {
    if !has_work(checker) || checker.legacy().is_empty() {
        return;
    }
    if !matches!(
        binop.op,
        Operator::Add
            | Operator::Sub
            | Operator::Mult
            | Operator::Div
            | Operator::FloorDiv
            | Operator::Mod
            | Operator::Pow
    ) {
        return;
    }
    // `"saved at %s" % last`: formatting, not arithmetic.
    if binop.op == Operator::Mod
        && matches!(
            binop.left.as_ref(),
            Expr::StringLiteral(_) | Expr::BytesLiteral(_) | Expr::FString(_)
        )
    {
        return;
    }
    for operand in [binop.left.as_ref(), binop.right.as_ref()] {
        match reply_of(checker, operand) {
            Some((command, shape, true)) => {
                report_unpacked(checker, operand, "used in arithmetic", &command, shape);
                return;
            }
            Some((command, shape, false)) if shape.shape == "number" => {
                report(checker, operand, "used in arithmetic", &command, shape);
                return;
            }
            _ => {}
        }
    }
}

/// `isinstance(res, float)` on a reply 1.x gave as a number, `isinstance(res,
/// list)` on one it gave as a list.
pub fn check_call(checker: &mut Checker, call: &ast::ExprCall) {
    if !has_work(checker) || checker.legacy().is_empty() {
        return;
    }
    let Expr::Name(function) = call.func.as_ref() else {
        return;
    };
    let [object, classes] = &call.arguments.args[..] else {
        return;
    };
    if function.id.as_str() != "isinstance"
        || !call.arguments.keywords.is_empty()
        || checker
            .model()
            .lookup("isinstance", checker.scope())
            .is_some()
    {
        return;
    }
    let Some((command, shape, false)) = reply_of(checker, object) else {
        return;
    };
    let names: Vec<&str> = match classes {
        Expr::Tuple(tuple) => tuple
            .elts
            .iter()
            .filter_map(|e| e.as_name_expr().map(|n| n.id.as_str()))
            .collect(),
        Expr::Name(name) => vec![name.id.as_str()],
        _ => return,
    };
    let checked = match shape.shape.as_str() {
        "number" => names.iter().any(|n| matches!(*n, "float" | "int")),
        "list" => names.contains(&"list"),
        _ => false,
    };
    if checked {
        let used = format!(
            "checked with `isinstance(..., {})`",
            checker.text(classes.range())
        );
        report(checker, object, &used, &command, shape);
    }
}

/// `res[0]` on a reply 1.x gave as a list (redis-py: a dict).
pub fn check_subscript(checker: &mut Checker, subscript: &ast::ExprSubscript) {
    if !has_work(checker) || checker.legacy().is_empty() || !subscript.ctx.is_load() {
        return;
    }
    if !matches!(subscript.slice.as_ref(), Expr::NumberLiteral(_)) {
        return;
    }
    if kind_of(checker, &subscript.value) != Some(LegacyKind::Reply) {
        return;
    }
    let Some((command, shape, false)) = reply_of(checker, &subscript.value) else {
        return;
    };
    if shape.shape == "list" {
        report(
            checker,
            &subscript.value,
            "indexed by position",
            &command,
            shape,
        );
    }
}
