//! SARIF 2.1.0, as `github/codeql-action/upload-sarif` takes it: one run whose
//! driver lists every rule (summary, documentation, help URI), and one result per
//! finding with a repository-relative location (`uriBaseId` `%SRCROOT%`, which
//! code scanning maps to the checkout) and a fingerprint that survives lines
//! moving. Columns count Unicode code points, as `columnKind` says.
//!
//! The object model is the `serde-sarif` crate's, generated from the SARIF
//! schema, so a misspelt or misplaced field does not compile.

use std::io::{self, Write};

use serde_sarif::sarif;

use super::Located;
use super::fingerprint::fingerprints;
use crate::rules::Rule;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The key of our fingerprint in `partialFingerprints`; the `/v1` changes if the
/// way it is computed ever does.
pub const FINGERPRINT_KEY: &str = "redisUnifyFingerprint/v1";
const SOURCE_ROOT: &str = "%SRCROOT%";

pub fn write(out: &mut dyn Write, located: &[Located]) -> io::Result<()> {
    let log = sarif_log(located);
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn sarif_log(located: &[Located]) -> sarif::Sarif {
    let fingerprints = fingerprints(located);
    let results: Vec<sarif::Result> = located
        .iter()
        .zip(fingerprints)
        .map(|(item, fingerprint)| result(item, fingerprint))
        .collect();
    let driver = sarif::ToolComponent::builder()
        .name("redis-unify")
        .full_name("redis-unify: aioredis to redis.asyncio linter")
        .information_uri(env!("CARGO_PKG_REPOSITORY"))
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(
            Rule::ALL
                .iter()
                .map(|rule| descriptor(*rule))
                .collect::<Vec<_>>(),
        )
        .build();
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(serde_json::Value::from("unicodeCodePoints"))
        .build();
    sarif::Sarif::builder()
        .schema(SCHEMA_URI)
        .version(serde_json::Value::from("2.1.0"))
        .runs(vec![run])
        .build()
}

fn descriptor(rule: Rule) -> sarif::ReportingDescriptor {
    let info = rule.info();
    let doc = rule.doc().trim();
    sarif::ReportingDescriptor::builder()
        .id(rule.code())
        .name(info.name.as_str())
        .short_description(
            sarif::MultiformatMessageString::builder()
                .text(info.summary.as_str())
                .build(),
        )
        // The rule's documentation is Markdown: GitHub shows `help.markdown` in
        // the alert's help panel, other viewers the plain `text`.
        .full_description(sarif::MultiformatMessageString::builder().text(doc).build())
        .help(
            sarif::MultiformatMessageString::builder()
                .text(doc)
                .markdown(doc)
                .build(),
        )
        .help_uri(rule.url())
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(serde_json::Value::from("error"))
                .build(),
        )
        .build()
}

fn result(item: &Located, fingerprint: String) -> sarif::Result {
    let rule = item.diagnostic.rule;
    let mut text = item.diagnostic.message.clone();
    if let Some(help) = &item.diagnostic.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let region = sarif::Region::builder()
        .start_line(item.start.line.get() as i64)
        .start_column(item.start.column.get() as i64)
        .end_line(item.end.line.get() as i64)
        .end_column(item.end.column.get() as i64)
        .build();
    let artifact = sarif::ArtifactLocation::builder()
        .uri(super::percent_encode_path(&item.file.relative))
        .uri_base_id(SOURCE_ROOT)
        .build();
    let location = sarif::Location::builder()
        .physical_location(
            sarif::PhysicalLocation::builder()
                .artifact_location(artifact)
                .region(region)
                .build(),
        )
        .build();
    let rule_index = Rule::ALL
        .iter()
        .position(|r| *r == rule)
        .expect("every rule is in Rule::ALL");
    let related: Vec<sarif::Location> = item
        .diagnostic
        .related
        .iter()
        .enumerate()
        .map(|(id, r)| {
            sarif::Location::builder()
                .id(id as i64)
                .physical_location(
                    sarif::PhysicalLocation::builder()
                        .artifact_location(
                            sarif::ArtifactLocation::builder()
                                .uri(super::percent_encode_path(&r.relative))
                                .uri_base_id(SOURCE_ROOT)
                                .build(),
                        )
                        .region(
                            sarif::Region::builder()
                                .start_line(r.line as i64)
                                .start_column(r.column as i64)
                                .end_line(r.end_line as i64)
                                .end_column(r.end_column as i64)
                                .build(),
                        )
                        .build(),
                )
                .message(sarif::Message::builder().text(r.message.clone()).build())
                .build()
        })
        .collect::<Vec<_>>();
    let mut result = sarif::Result::builder()
        .rule_id(rule.code())
        .rule_index(rule_index as i64)
        .level(sarif::ResultLevel::Error)
        .message(sarif::Message::builder().text(text).build())
        .locations(vec![location])
        .partial_fingerprints(std::collections::BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            fingerprint,
        )]))
        .build();
    if !related.is_empty() {
        result.related_locations = Some(related);
    }
    result
}
