//! The SARIF 2.1.0 objects `--format sarif` emits, as typed structs in key order.
//! Not for building them from a run (that is the parent module) nor for reading SARIF.

use serde::Serialize;
use std::borrow::Cow;

/// The top-level `sarifLog`.
#[derive(Debug, Serialize)]
pub struct Log<'a> {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<Run<'a>>,
}

/// A `run`; a batch run also names its `%SRCROOT%` and its repository.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run<'a> {
    pub tool: Tool<'a>,
    pub column_kind: &'static str,
    pub invocations: [Invocation<'a>; 1],
    pub results: Vec<SarifResult<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_uri_base_ids: Option<OriginalUriBaseIds>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub automation_details: Option<AutomationDetails>,
}

#[derive(Debug, Serialize)]
pub struct Tool<'a> {
    pub driver: Driver<'a>,
}

/// `tool.driver`: mapfix and its rules.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver<'a> {
    pub name: &'static str,
    pub version: &'static str,
    pub semantic_version: &'static str,
    pub rules: Vec<ReportingDescriptor<'a>>,
}

/// A rule (`reportingDescriptor`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportingDescriptor<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub short_description: Message<'a>,
    pub full_description: Message<'a>,
    pub help: MultiformatMessage,
    pub default_configuration: ReportingConfiguration,
    pub properties: RuleProperties<'a>,
}

/// A `multiformatMessageString` with both formats.
#[derive(Debug, Serialize)]
pub struct MultiformatMessage {
    pub text: String,
    pub markdown: String,
}

#[derive(Debug, Serialize)]
pub struct ReportingConfiguration {
    pub level: &'static str,
}

/// A rule's property bag.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleProperties<'a> {
    pub fix_safety: &'a str,
    pub tags: [&'static str; 2],
}

/// An `invocation`: whether every file was processed, and the file errors.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation<'a> {
    pub execution_successful: bool,
    pub tool_execution_notifications: Vec<Notification<'a>>,
}

/// A file error (`notification`).
#[derive(Debug, Serialize)]
pub struct Notification<'a> {
    pub level: &'static str,
    pub message: Message<'a>,
    pub locations: [Location; 1],
}

/// A `result`: one finding, with its fix when it has one.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult<'a> {
    pub rule_id: &'a str,
    pub rule_index: usize,
    pub level: &'static str,
    pub message: Message<'a>,
    pub locations: [Location; 1],
    /// The finding's related locations; left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_locations: Vec<RelatedLocation<'a>>,
    pub partial_fingerprints: PartialFingerprints,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixes: Option<[Fix<'a>; 1]>,
}

/// A `message` (also a `multiformatMessageString` or `artifactContent` with text only).
#[derive(Debug, Serialize)]
pub struct Message<'a> {
    pub text: Cow<'a, str>,
}

impl<'a> From<&'a str> for Message<'a> {
    fn from(text: &'a str) -> Self {
        Message {
            text: Cow::Borrowed(text),
        }
    }
}

impl From<String> for Message<'_> {
    fn from(text: String) -> Self {
        Message { text: Cow::Owned(text) }
    }
}

impl<'a> From<Cow<'a, str>> for Message<'a> {
    fn from(text: Cow<'a, str>) -> Self {
        Message { text }
    }
}

/// A `location`: a file, and the region when it points into one.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub physical_location: PhysicalLocation,
}

/// A result's `relatedLocations` entry: a location with an `id` and a message.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedLocation<'a> {
    pub id: usize,
    pub physical_location: PhysicalLocation,
    pub message: Message<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

/// An `artifactLocation`: a URI, relative to `uriBaseId` when given.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    pub uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<&'static str>,
}

/// A text `region`: 1-based lines and columns, end exclusive.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// A result's `partialFingerprints`.
#[derive(Debug, Serialize)]
pub struct PartialFingerprints {
    /// [`crate::baseline::fingerprint`] of the matched text.
    #[serde(rename = "mapfixSnippet/v1")]
    pub snippet: String,
}

/// A `fix`: its edits in one file, and mapfix's safety and applied state.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fix<'a> {
    pub description: Message<'a>,
    pub artifact_changes: [ArtifactChange<'a>; 1],
    pub properties: FixProperties,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactChange<'a> {
    pub artifact_location: ArtifactLocation,
    pub replacements: Vec<Replacement<'a>>,
}

/// A `replacement`: a region of the file as read, and the text put there.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Replacement<'a> {
    pub deleted_region: Region,
    pub inserted_content: Message<'a>,
}

/// A fix's property bag.
#[derive(Debug, Serialize)]
pub struct FixProperties {
    pub safety: &'static str,
    pub applied: bool,
}

/// A batch run's `originalUriBaseIds`: its repository's directory.
#[derive(Debug, Serialize)]
pub struct OriginalUriBaseIds {
    /// [`super::SRCROOT`].
    #[serde(rename = "%SRCROOT%")]
    pub src_root: ArtifactLocation,
}

/// A batch run's `automationDetails`: `mapfix/<repository>/`.
#[derive(Debug, Serialize)]
pub struct AutomationDetails {
    pub id: String,
}
