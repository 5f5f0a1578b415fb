//! The default format: each finding with an annotated excerpt of its source,
//! rendered by annotate-snippets (pinned, and snapshot-tested, so an upgrade
//! cannot silently change what users see).

use std::io::{self, Write};

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use ruff_source_file::OneIndexed;
use ruff_text_size::TextSize;

use super::{Located, ReportOptions, fix_marker};

/// Lines of context shown before and after the finding.
const CONTEXT_LINES: usize = 2;

pub fn write(out: &mut dyn Write, located: &[Located], options: &ReportOptions) -> io::Result<()> {
    let renderer = if options.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Ascii);
    for item in located {
        let text = &item.file.text;
        let index = item.line_index;
        let first_line = item.start.line.get().saturating_sub(CONTEXT_LINES).max(1);
        let last_line = (item.end.line.get() + CONTEXT_LINES).min(index.line_count());
        let mut window_start =
            index.line_start(OneIndexed::new(first_line).unwrap_or(OneIndexed::MIN), text);
        if window_start == TextSize::new(0) && text.starts_with('\u{feff}') {
            window_start = TextSize::new(3); // the BOM is not part of the first line's text
        }
        let last = OneIndexed::new(last_line).unwrap_or(OneIndexed::MIN);
        let window_end = index.line_end(last, text).max(window_start);
        let window = &text[window_start.to_usize()..window_end.to_usize()];
        let range = item.diagnostic.range;
        let span_start = range
            .start()
            .to_usize()
            .saturating_sub(window_start.to_usize())
            .min(window.len());
        let span_end = range
            .end()
            .to_usize()
            .saturating_sub(window_start.to_usize())
            .clamp(span_start, window.len());

        let code = item.diagnostic.rule.code();
        let marker = fix_marker(item, options.fix_mode);
        let title = format!("{code}{marker} {}", item.diagnostic.message);
        let mut report = vec![
            Level::ERROR.no_name().primary_title(&title).element(
                Snippet::source(window)
                    .line_start(first_line)
                    .path(item.file.display.as_str())
                    .fold(false)
                    .annotation(AnnotationKind::Primary.span(span_start..span_end)),
            ),
        ];
        let help = match &item.diagnostic.fix {
            Some(fix) => Some(match fix.applicability {
                crate::diagnostic::Applicability::Safe => fix.title.clone(),
                other => format!("{} ({} fix)", fix.title, super::applicability_name(other)),
            }),
            None => item.diagnostic.help.clone(),
        };
        if let Some(help) = &help {
            report.push(Group::with_title(Level::HELP.secondary_title(help)));
        }
        let notes: Vec<String> = item
            .diagnostic
            .related
            .iter()
            .map(|r| format!("{}:{}:{}: {}", r.path, r.line, r.column, r.message))
            .collect();
        for note in &notes {
            report.push(Group::with_title(Level::NOTE.secondary_title(note)));
        }
        writeln!(out, "{}", renderer.render(&report))?;
        writeln!(out)?;
    }
    Ok(())
}
