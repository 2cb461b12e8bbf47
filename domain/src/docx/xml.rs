//! A bounded, streaming XML scan for the parts of a package.
//!
//! One pass per part: well-formedness as far as quick-xml and our own
//! checks go, no DTD, bounded depth and attribute count, and a visitor that
//! sees each element once (content types, relationships, the main document).

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesStart, Event};

use super::DocxLimits;

/// Why an XML part was not read to its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum XmlProblem {
    /// A `<!DOCTYPE` declaration.
    Doctype,
    /// Deeper nesting than the limit.
    TooDeep(usize),
    /// More attributes on one element than the limit.
    TooManyAttributes(usize),
    /// Not well-formed, or not UTF-8; the message says where.
    Malformed(String),
    /// The bytes could not be read (the entry reader failed); the caller
    /// knows why.
    Read,
}

/// Sees the elements of one XML part. `depth` is 1 for the root.
pub(crate) trait Visitor {
    /// An element starts (`empty` for `<a/>`).
    fn start(
        &mut self,
        depth: usize,
        element: &BytesStart<'_>,
        attributes: &[Attribute<'_>],
        empty: bool,
    );
    /// The element at `depth` ends (also called after an empty element).
    fn end(&mut self, depth: usize) {
        let _ = depth;
    }
    /// Character data, entity references already replaced.
    fn text(&mut self, text: &str) {
        let _ = text;
    }
}

/// A visitor that wants nothing: the part is only checked.
pub(crate) struct Ignore;

impl Visitor for Ignore {
    fn start(&mut self, _: usize, _: &BytesStart<'_>, _: &[Attribute<'_>], _: bool) {}
}

/// Scans one XML part to its end.
///
/// # Errors
///
/// The first [`XmlProblem`] met; the scan stops there.
pub(crate) fn scan<R: BufRead>(
    mut source: R,
    limits: &DocxLimits,
    visitor: &mut dyn Visitor,
) -> Result<(), XmlProblem> {
    let head = source.fill_buf().map_err(|_| XmlProblem::Read)?;
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(XmlProblem::Malformed(
            "the part is UTF-16; the portal reads UTF-8 XML only".to_owned(),
        ));
    }
    let mut reader = Reader::from_reader(source);
    reader.config_mut().enable_all_checks(true);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        buf.clear();
        let event = match reader.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(quick_xml::Error::Io(_)) => return Err(XmlProblem::Read),
            Err(e) => {
                return Err(XmlProblem::Malformed(format!(
                    "{e} (near byte {})",
                    reader.error_position()
                )));
            }
        };
        match event {
            Event::DocType(_) => return Err(XmlProblem::Doctype),
            Event::Decl(decl) => {
                if let Some(Ok(encoding)) = decl.encoding() {
                    let encoding = String::from_utf8_lossy(&encoding).to_ascii_lowercase();
                    if encoding != "utf-8" && encoding != "utf8" {
                        return Err(XmlProblem::Malformed(format!(
                            "the part declares encoding `{encoding}`; the portal reads UTF-8 XML only"
                        )));
                    }
                }
            }
            Event::Start(element) | Event::Empty(element) if depth == 0 && roots > 0 => {
                let name = String::from_utf8_lossy(element.name().as_ref()).into_owned();
                return Err(XmlProblem::Malformed(format!(
                    "a second root element `{name}`"
                )));
            }
            Event::Start(element) => {
                depth += 1;
                roots += usize::from(depth == 1);
                if depth > limits.max_xml_depth {
                    return Err(XmlProblem::TooDeep(limits.max_xml_depth));
                }
                let attributes = attributes(&element, limits)?;
                visitor.start(depth, &element, &attributes, false);
            }
            Event::Empty(element) => {
                roots += usize::from(depth == 0);
                if depth + 1 > limits.max_xml_depth {
                    return Err(XmlProblem::TooDeep(limits.max_xml_depth));
                }
                let attributes = attributes(&element, limits)?;
                visitor.start(depth + 1, &element, &attributes, true);
                visitor.end(depth + 1);
            }
            Event::End(_) => {
                visitor.end(depth);
                depth = depth.saturating_sub(1);
            }
            Event::Text(text) => {
                let content = text
                    .xml10_content()
                    .map_err(|e| XmlProblem::Malformed(format!("text is not UTF-8: {e}")))?;
                if depth == 0 {
                    if !content
                        .trim_matches(['\u{20}', '\t', '\r', '\n'])
                        .is_empty()
                    {
                        return Err(XmlProblem::Malformed(
                            "text outside the root element".to_owned(),
                        ));
                    }
                } else {
                    visitor.text(&content);
                }
            }
            Event::CData(data) => {
                if depth == 0 {
                    return Err(XmlProblem::Malformed(
                        "CDATA outside the root element".to_owned(),
                    ));
                }
                let content = data
                    .decode()
                    .map_err(|e| XmlProblem::Malformed(format!("CDATA is not UTF-8: {e}")))?;
                visitor.text(&content);
            }
            Event::GeneralRef(reference) => {
                if depth == 0 {
                    return Err(XmlProblem::Malformed(
                        "a reference outside the root element".to_owned(),
                    ));
                }
                let resolved = resolve_reference(&reference)?;
                let mut utf8 = [0u8; 4];
                visitor.text(resolved.encode_utf8(&mut utf8));
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if roots == 0 {
        return Err(XmlProblem::Malformed("no root element".to_owned()));
    }
    if depth != 0 {
        return Err(XmlProblem::Malformed(
            "the part ends inside an element".to_owned(),
        ));
    }
    Ok(())
}

/// `&amp;`, `&#1179;`…: the five predefined entities and character
/// references. Any other name is undefined, since a DTD is never allowed.
fn resolve_reference(reference: &quick_xml::events::BytesRef<'_>) -> Result<char, XmlProblem> {
    if reference.is_char_ref() {
        return match reference.resolve_char_ref() {
            Ok(Some(c)) => Ok(c),
            _ => Err(XmlProblem::Malformed(
                "a bad character reference".to_owned(),
            )),
        };
    }
    let name: &[u8] = reference;
    match name {
        b"amp" => Ok('&'),
        b"lt" => Ok('<'),
        b"gt" => Ok('>'),
        b"quot" => Ok('"'),
        b"apos" => Ok('\''),
        other => Err(XmlProblem::Malformed(format!(
            "the undefined entity `&{};`",
            String::from_utf8_lossy(other)
        ))),
    }
}

/// The attributes of an element, checked: syntax, count, no duplicate names
/// (XML 1.0 §3.1, "Unique Att Spec"), in O(n log n).
fn attributes<'a>(
    element: &'a BytesStart<'_>,
    limits: &DocxLimits,
) -> Result<Vec<Attribute<'a>>, XmlProblem> {
    let mut list = Vec::new();
    let mut iter = element.attributes();
    iter.with_checks(false);
    for attribute in iter {
        let attribute =
            attribute.map_err(|e| XmlProblem::Malformed(format!("a bad attribute: {e}")))?;
        if list.len() >= limits.max_xml_attributes {
            return Err(XmlProblem::TooManyAttributes(limits.max_xml_attributes));
        }
        list.push(attribute);
    }
    let mut keys: Vec<&[u8]> = list.iter().map(|a| a.key.into_inner()).collect();
    keys.sort_unstable();
    if let Some(pair) = keys.windows(2).find(|w| w[0] == w[1]) {
        return Err(XmlProblem::Malformed(format!(
            "the attribute `{}` appears twice on one element",
            String::from_utf8_lossy(pair[0])
        )));
    }
    Ok(list)
}

/// The value of the attribute `name` (qualified name as written), unescaped.
pub(crate) fn attribute<'a>(attributes: &'a [Attribute<'_>], name: &[u8]) -> Option<Cow<'a, str>> {
    let attribute = attributes.iter().find(|a| a.key.as_ref() == name)?;
    attribute
        .unescape_value()
        .ok()
        .map(|v| Cow::Owned(v.into_owned()))
}

/// The local part of a qualified name.
pub(crate) fn local_name<'a>(element: &'a BytesStart<'_>) -> &'a [u8] {
    let name = element.name().into_inner();
    match name.iter().position(|&b| b == b':') {
        Some(colon) => &name[colon + 1..],
        None => name,
    }
}

/// Which namespaces the main-document scan cares about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ns {
    /// WordprocessingML main (transitional or strict).
    Wml,
    /// Markup compatibility (`mc:`).
    Mc,
    /// Any other, or none.
    Other,
}

const WML_TRANSITIONAL: &[u8] = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const WML_STRICT: &[u8] = b"http://purl.oclc.org/ooxml/wordprocessingml/main";
const MC: &[u8] = b"http://schemas.openxmlformats.org/markup-compatibility/2006";

/// Prefix bindings in O(1) per lookup: a stack per prefix, popped by depth.
/// (A list searched from the end would make a file of many declarations
/// quadratic.)
#[derive(Default)]
pub(crate) struct Namespaces {
    by_prefix: HashMap<Vec<u8>, Vec<(usize, Ns)>>,
    declared_at: Vec<(usize, Vec<u8>)>,
}

impl Namespaces {
    /// Records the `xmlns` declarations of an element at `depth`.
    pub(crate) fn declare(&mut self, depth: usize, attributes: &[Attribute<'_>]) {
        for attribute in attributes {
            let key = attribute.key.as_ref();
            let prefix = if key == b"xmlns" {
                Vec::new()
            } else if let Some(prefix) = key.strip_prefix(b"xmlns:") {
                prefix.to_vec()
            } else {
                continue;
            };
            let uri = attribute.value.as_ref();
            let ns = if uri == WML_TRANSITIONAL || uri == WML_STRICT {
                Ns::Wml
            } else if uri == MC {
                Ns::Mc
            } else {
                Ns::Other
            };
            self.by_prefix
                .entry(prefix.clone())
                .or_default()
                .push((depth, ns));
            self.declared_at.push((depth, prefix));
        }
    }

    /// Forgets the declarations made at `depth`, whose element ended.
    pub(crate) fn end(&mut self, depth: usize) {
        while let Some((d, _)) = self.declared_at.last()
            && *d >= depth
        {
            if let Some((_, prefix)) = self.declared_at.pop()
                && let Some(stack) = self.by_prefix.get_mut(&prefix)
            {
                stack.pop();
            }
        }
    }

    /// The namespace of an element's qualified name.
    pub(crate) fn of(&self, element: &BytesStart<'_>) -> Ns {
        let name = element.name().into_inner();
        let prefix = match name.iter().position(|&b| b == b':') {
            Some(colon) => &name[..colon],
            None => &[][..],
        };
        self.by_prefix
            .get(prefix)
            .and_then(|stack| stack.last())
            .map_or(Ns::Other, |&(_, ns)| ns)
    }
}
