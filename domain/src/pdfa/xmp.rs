//! XMP metadata rules of ISO 19005-1 §6.7: the packet header (§6.7.5), XMP
//! 2004 validity with the predefined schemas' namespaces, prefixes and value
//! types (§6.7.9), extension schemas described by the PDF/A extension schema
//! container (§6.7.8), the PDF/A identification schema (§6.7.11), and the
//! equivalence of the document information dictionary (§6.7.3).

use super::{Claim, Sink};
use crate::conformance::Finding;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use std::collections::{HashMap, HashSet};

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const XML: &str = "http://www.w3.org/XML/1998/namespace";
/// ISO 19005-1 §6.7.11: the PDF/A identification schema namespace.
pub(crate) const PDFAID: &str = "http://www.aiim.org/pdfa/ns/id/";
const PDFA_EXTENSION: &str = "http://www.aiim.org/pdfa/ns/extension/";
const PDFA_SCHEMA: &str = "http://www.aiim.org/pdfa/ns/schema#";
const PDFA_PROPERTY: &str = "http://www.aiim.org/pdfa/ns/property#";
const PDFA_TYPE: &str = "http://www.aiim.org/pdfa/ns/type#";
const PDFA_FIELD: &str = "http://www.aiim.org/pdfa/ns/field#";
const DC: &str = "http://purl.org/dc/elements/1.1/";
const XMP_BASIC: &str = "http://ns.adobe.com/xap/1.0/";
const PDF: &str = "http://ns.adobe.com/pdf/1.3/";

/// The value type of a predefined property (XMP Specification, January 2004).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ty {
    Text,
    Date,
    Integer,
    Bool,
    LangAlt,
    Seq,
    Bag,
    Struct,
    Any,
}

type Schema = (
    &'static str,
    &'static str,
    Option<&'static [(&'static str, Ty)]>,
);

/// Predefined schemas of XMP 2004 and PDF/A-1: namespace, preferred prefix, properties
/// (`None`: properties not checked).
const SCHEMAS: &[Schema] = &[
    (
        DC,
        "dc",
        Some(&[
            ("contributor", Ty::Bag),
            ("coverage", Ty::Text),
            ("creator", Ty::Seq),
            ("date", Ty::Seq),
            ("description", Ty::LangAlt),
            ("format", Ty::Text),
            ("identifier", Ty::Text),
            ("language", Ty::Bag),
            ("publisher", Ty::Bag),
            ("relation", Ty::Bag),
            ("rights", Ty::LangAlt),
            ("source", Ty::Text),
            ("subject", Ty::Bag),
            ("title", Ty::LangAlt),
            ("type", Ty::Bag),
        ]),
    ),
    (
        XMP_BASIC,
        "xmp",
        Some(&[
            ("Advisory", Ty::Bag),
            ("BaseURL", Ty::Text),
            ("CreateDate", Ty::Date),
            ("CreatorTool", Ty::Text),
            ("Identifier", Ty::Bag),
            ("Label", Ty::Text),
            ("MetadataDate", Ty::Date),
            ("ModifyDate", Ty::Date),
            ("Nickname", Ty::Text),
            ("Rating", Ty::Any),
            ("Thumbnails", Ty::Any),
        ]),
    ),
    (
        PDF,
        "pdf",
        Some(&[
            ("Keywords", Ty::Text),
            ("PDFVersion", Ty::Text),
            ("Producer", Ty::Text),
        ]),
    ),
    (
        "http://ns.adobe.com/xap/1.0/rights/",
        "xmpRights",
        Some(&[
            ("Certificate", Ty::Text),
            ("Marked", Ty::Bool),
            ("Owner", Ty::Bag),
            ("UsageTerms", Ty::LangAlt),
            ("WebStatement", Ty::Text),
        ]),
    ),
    (
        "http://ns.adobe.com/xap/1.0/mm/",
        "xmpMM",
        Some(&[
            ("DerivedFrom", Ty::Struct),
            ("DocumentID", Ty::Text),
            ("InstanceID", Ty::Text),
            ("History", Ty::Seq),
            ("ManagedFrom", Ty::Struct),
            ("Manager", Ty::Text),
            ("ManageTo", Ty::Text),
            ("ManageUI", Ty::Text),
            ("ManagerVariant", Ty::Text),
            ("RenditionClass", Ty::Text),
            ("RenditionParams", Ty::Text),
            ("VersionID", Ty::Text),
            ("Versions", Ty::Seq),
            ("LastURL", Ty::Text),
            ("RenditionOf", Ty::Struct),
            ("SaveID", Ty::Integer),
        ]),
    ),
    (
        "http://ns.adobe.com/xap/1.0/bj/",
        "xmpBJ",
        Some(&[("JobRef", Ty::Bag)]),
    ),
    (
        "http://ns.adobe.com/xap/1.0/t/pg/",
        "xmpTPg",
        Some(&[
            ("MaxPageSize", Ty::Struct),
            ("NPages", Ty::Integer),
            ("Fonts", Ty::Bag),
            ("Colorants", Ty::Seq),
            ("PlateNames", Ty::Seq),
        ]),
    ),
    ("http://ns.adobe.com/xmp/1.0/DynamicMedia/", "xmpDM", None),
    ("http://ns.adobe.com/photoshop/1.0/", "photoshop", None),
    ("http://ns.adobe.com/camera-raw-settings/1.0/", "crs", None),
    ("http://ns.adobe.com/tiff/1.0/", "tiff", None),
    ("http://ns.adobe.com/exif/1.0/", "exif", None),
    ("http://ns.adobe.com/exif/1.0/aux/", "aux", None),
    (
        PDFAID,
        "pdfaid",
        Some(&[
            ("part", Ty::Integer),
            ("conformance", Ty::Text),
            ("amd", Ty::Text),
        ]),
    ),
];

/// Namespaces of the PDF/A extension schema container and their required prefixes (§6.7.8).
const EXTENSION_NS: &[(&str, &str)] = &[
    (PDFA_EXTENSION, "pdfaExtension"),
    (PDFA_SCHEMA, "pdfaSchema"),
    (PDFA_PROPERTY, "pdfaProperty"),
    (PDFA_TYPE, "pdfaType"),
    (PDFA_FIELD, "pdfaField"),
];

/// An XMP property value in the RDF data model.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Text(String),
    Seq(Vec<Value>),
    Bag(Vec<Value>),
    Alt(Vec<(Option<String>, Value)>),
    Struct(Vec<Prop>),
}

/// One property: namespace, name, prefix used, value.
#[derive(Debug, Clone)]
pub(crate) struct Prop {
    ns: String,
    local: String,
    prefix: String,
    value: Value,
}

/// The parsed metadata: top-level properties.
#[derive(Debug, Default)]
pub(crate) struct Xmp {
    props: Vec<Prop>,
}

impl Xmp {
    fn get(&self, ns: &str, local: &str) -> Option<&Value> {
        self.props
            .iter()
            .find(|p| p.ns == ns && p.local == local)
            .map(|p| &p.value)
    }

    fn text(&self, ns: &str, local: &str) -> Option<&str> {
        match self.get(ns, local)? {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The PDF/A identification claimed (§6.7.11).
    pub(crate) fn claim(&self) -> Option<Claim> {
        let part = self.text(PDFAID, "part")?;
        Some(Claim {
            part: part.trim().to_owned(),
            conformance: self
                .text(PDFAID, "conformance")
                .map(|c| c.trim().to_owned()),
        })
    }
}

#[derive(Debug, Default)]
struct Node {
    ns: String,
    local: String,
    prefix: String,
    attrs: Vec<(String, String, String, String)>,
    children: Vec<Node>,
    text: String,
}

const MAX_NODES: usize = 200_000;
const MAX_DEPTH: usize = 64;

fn finding(sink: &mut Sink, kind: &'static str, clause: &str, message: String, object: &str) {
    sink.push(kind, Finding::at(clause, message, object));
}

/// Checks the catalog's metadata stream (decoded bytes); `object` names it.
pub(crate) fn check(data: &[u8], object: &str, sink: &mut Sink) -> Option<Xmp> {
    let text = match decode(data) {
        Ok(t) => t,
        Err(m) => {
            finding(sink, "xmp-encoding", "6.7.5", m, object);
            return None;
        }
    };
    packet_header(&text, object, sink);
    let root = match parse(&text) {
        Ok(r) => r,
        Err(m) => {
            finding(
                sink,
                "xmp-xml",
                "6.7.9",
                format!("the XMP metadata is not well-formed XML: {m}"),
                object,
            );
            return None;
        }
    };
    let mut xmp = Xmp::default();
    let Some(rdf) = find_rdf(&root, 0) else {
        finding(
            sink,
            "xmp-rdf",
            "6.7.9",
            "the XMP metadata has no rdf:RDF element".to_owned(),
            object,
        );
        return Some(xmp);
    };
    for d in &rdf.children {
        if d.ns == RDF && d.local == "Description" {
            description_props(d, &mut xmp.props, 0);
        }
    }
    validate(&xmp, object, sink);
    Some(xmp)
}

/// UTF-8 (with or without BOM) or UTF-16 with BOM.
fn decode(data: &[u8]) -> Result<String, String> {
    let utf16 = |bytes: &[u8], be: bool| {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|c| {
                if be {
                    u16::from_be_bytes([c[0], c[1]])
                } else {
                    u16::from_le_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16(&units).map_err(|_| "the XMP metadata is not valid UTF-16".to_owned())
    };
    if let Some(rest) = data.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, true);
    }
    if let Some(rest) = data.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, false);
    }
    let data = data.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(data);
    if data.len() >= 2 && data[0] == 0 && data[1] == b'<' {
        return utf16(data, true);
    }
    if data.len() >= 2 && data[0] == b'<' && data[1] == 0 {
        return utf16(data, false);
    }
    String::from_utf8(data.to_vec())
        .map_err(|_| "the XMP metadata is neither UTF-8 nor UTF-16".to_owned())
}

/// §6.7.5: an `<?xpacket begin=…?>` header without `bytes` or `encoding`.
fn packet_header(text: &str, object: &str, sink: &mut Sink) {
    let Some(start) = text.find("<?xpacket begin=") else {
        finding(
            sink,
            "xmp-header",
            "6.7.5",
            "the XMP metadata has no <?xpacket begin=…?> header".to_owned(),
            object,
        );
        return;
    };
    let header = &text[start..];
    let header = &header[..header.find("?>").unwrap_or(header.len())];
    for attr in ["bytes", "encoding"] {
        if header.contains(&format!(" {attr}=")) {
            finding(
                sink,
                "xmp-header",
                "6.7.5",
                format!("the XMP packet header has the '{attr}' attribute, which is not allowed"),
                object,
            );
        }
    }
}

fn parse(text: &str) -> Result<Node, String> {
    let mut reader = quick_xml::NsReader::from_str(text);
    reader.config_mut().expand_empty_elements = true;
    let mut stack: Vec<Node> = vec![Node::default()];
    let mut nodes = 0usize;
    loop {
        let (res, ev) = reader.read_resolved_event().map_err(|e| e.to_string())?;
        match ev {
            Event::Start(e) => {
                nodes += 1;
                if nodes > MAX_NODES || stack.len() > MAX_DEPTH {
                    return Err("too many or too deeply nested elements".to_owned());
                }
                let mut node = Node {
                    ns: ns_of(&res),
                    local: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                    prefix: e
                        .name()
                        .prefix()
                        .map(|p| String::from_utf8_lossy(p.as_ref()).into_owned())
                        .unwrap_or_default(),
                    ..Node::default()
                };
                for a in e.attributes() {
                    let a = a.map_err(|e| e.to_string())?;
                    let key = a.key;
                    if key.as_namespace_binding().is_some() {
                        continue;
                    }
                    let (ares, local) = reader.resolve_attribute(key);
                    let value = a.unescape_value().map_err(|e| e.to_string())?.into_owned();
                    let prefix = key
                        .prefix()
                        .map(|p| String::from_utf8_lossy(p.as_ref()).into_owned())
                        .unwrap_or_default();
                    let ns = if prefix == "xml" {
                        XML.to_owned()
                    } else {
                        ns_of(&ares)
                    };
                    node.attrs.push((
                        ns,
                        String::from_utf8_lossy(local.as_ref()).into_owned(),
                        prefix,
                        value,
                    ));
                }
                stack.push(node);
            }
            Event::End(_) => {
                let node = stack.pop().ok_or("unbalanced end tag")?;
                let parent = stack.last_mut().ok_or("unbalanced end tag")?;
                parent.children.push(node);
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|e| e.to_string())?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&s);
                }
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|e| e.to_string())?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref().map_err(|e| e.to_string())?
                } else {
                    let name: &[u8] = r.as_ref();
                    match name {
                        b"lt" => Some('<'),
                        b"gt" => Some('>'),
                        b"amp" => Some('&'),
                        b"apos" => Some('\''),
                        b"quot" => Some('"'),
                        _ => return Err("an undefined entity is referenced".to_owned()),
                    }
                };
                if let (Some(c), Some(top)) = (c, stack.last_mut()) {
                    top.text.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err("an element is not closed".to_owned());
    }
    stack.pop().ok_or_else(|| "empty document".to_owned())
}

fn ns_of(res: &ResolveResult<'_>) -> String {
    match res {
        ResolveResult::Bound(ns) => String::from_utf8_lossy(ns.as_ref()).into_owned(),
        _ => String::new(),
    }
}

fn find_rdf(node: &Node, depth: usize) -> Option<&Node> {
    if node.ns == RDF && node.local == "RDF" {
        return Some(node);
    }
    if depth > MAX_DEPTH {
        return None;
    }
    node.children.iter().find_map(|c| find_rdf(c, depth + 1))
}

fn is_rdf_attr(ns: &str, local: &str) -> bool {
    ns == RDF || ns == XML || (ns.is_empty() && local == "about")
}

/// Properties of an `rdf:Description` (attributes and child elements).
fn description_props(d: &Node, out: &mut Vec<Prop>, depth: usize) {
    for (ns, local, prefix, value) in &d.attrs {
        if !is_rdf_attr(ns, local) {
            out.push(Prop {
                ns: ns.clone(),
                local: local.clone(),
                prefix: prefix.clone(),
                value: Value::Text(value.clone()),
            });
        }
    }
    for c in &d.children {
        out.push(Prop {
            ns: c.ns.clone(),
            local: c.local.clone(),
            prefix: c.prefix.clone(),
            value: value_of(c, depth + 1),
        });
    }
}

fn value_of(e: &Node, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Text(String::new());
    }
    let parse_type = e
        .attrs
        .iter()
        .find(|a| a.0 == RDF && a.1 == "parseType")
        .map(|a| a.3.as_str());
    if parse_type == Some("Resource") {
        let mut fields = Vec::new();
        description_props(e, &mut fields, depth);
        return Value::Struct(fields);
    }
    if let Some(c) = e.children.iter().find(|c| c.ns == RDF) {
        let items = || {
            c.children
                .iter()
                .filter(|li| li.ns == RDF && li.local == "li")
        };
        return match c.local.as_str() {
            "Seq" => Value::Seq(items().map(|li| value_of(li, depth + 1)).collect()),
            "Bag" => Value::Bag(items().map(|li| value_of(li, depth + 1)).collect()),
            "Alt" => Value::Alt(
                items()
                    .map(|li| {
                        let lang = li
                            .attrs
                            .iter()
                            .find(|a| a.0 == XML && a.1 == "lang")
                            .map(|a| a.3.clone());
                        (lang, value_of(li, depth + 1))
                    })
                    .collect(),
            ),
            "Description" => {
                let mut fields = Vec::new();
                description_props(c, &mut fields, depth);
                Value::Struct(fields)
            }
            _ => Value::Text(String::new()),
        };
    }
    if let Some(r) = e.attrs.iter().find(|a| a.0 == RDF && a.1 == "resource") {
        return Value::Text(r.3.clone());
    }
    let fields: Vec<_> = e
        .attrs
        .iter()
        .filter(|a| !is_rdf_attr(&a.0, &a.1))
        .collect();
    if !fields.is_empty() && e.children.is_empty() {
        let mut out = Vec::new();
        description_props(e, &mut out, depth);
        return Value::Struct(out);
    }
    if !e.children.is_empty() {
        let mut out = Vec::new();
        description_props(e, &mut out, depth);
        return Value::Struct(out);
    }
    Value::Text(e.text.clone())
}

fn validate(xmp: &Xmp, object: &str, sink: &mut Sink) {
    // §6.7.11 identification.
    let wrong_ns = xmp.props.iter().find(|p| {
        (p.local == "part" || p.local == "conformance")
            && p.ns != PDFAID
            && p.ns.contains("aiim.org/pdfa")
    });
    if let Some(p) = wrong_ns {
        finding(
            sink,
            "pdfaid-ns",
            "6.7.11",
            format!(
                "pdfaid:{} uses the namespace '{}' instead of '{PDFAID}'",
                p.local, p.ns
            ),
            object,
        );
    }
    match xmp.text(PDFAID, "part") {
        None => finding(
            sink,
            "pdfaid",
            "6.7.11",
            "the XMP metadata has no pdfaid:part property".to_owned(),
            object,
        ),
        Some(p) if p.trim() != "1" => finding(
            sink,
            "pdfaid",
            "6.7.11",
            format!("pdfaid:part is '{p}', not 1: the file does not claim PDF/A-1"),
            object,
        ),
        Some(_) => {}
    }
    match xmp.text(PDFAID, "conformance") {
        Some(c) if matches!(c.trim(), "A" | "B") => {}
        Some(c) => finding(
            sink,
            "pdfaid",
            "6.7.11",
            format!("pdfaid:conformance is '{c}', not A or B"),
            object,
        ),
        None => finding(
            sink,
            "pdfaid",
            "6.7.11",
            "the XMP metadata has no pdfaid:conformance property".to_owned(),
            object,
        ),
    }
    if xmp.get(PDFAID, "corr").is_some() {
        finding(
            sink,
            "pdfaid",
            "6.7.11",
            "pdfaid:corr is not defined for PDF/A-1".to_owned(),
            object,
        );
    }

    // §6.7.8 extension schemas.
    let described = extension_schemas(xmp, object, sink);

    // §6.7.9 predefined schemas; §6.7.8 anything else must be described.
    for p in &xmp.props {
        if let Some(&(_, req)) = EXTENSION_NS.iter().find(|(ns, _)| *ns == p.ns) {
            if p.prefix != req {
                finding(
                    sink,
                    "xmp-prefix",
                    "6.7.8",
                    format!(
                        "the namespace {} uses the prefix '{}' instead of '{req}'",
                        p.ns, p.prefix
                    ),
                    object,
                );
            }
            continue;
        }
        if let Some((ns, prefix, props)) = SCHEMAS.iter().find(|s| s.0 == p.ns) {
            if p.prefix != *prefix {
                let clause = if *ns == PDFAID { "6.7.11" } else { "6.7.9" };
                finding(
                    sink,
                    "xmp-prefix",
                    clause,
                    format!(
                        "the property {}:{} of {ns} should use the preferred prefix '{prefix}'",
                        p.prefix, p.local
                    ),
                    object,
                );
            }
            let Some(props) = props else { continue };
            match props.iter().find(|(n, _)| *n == p.local) {
                None => finding(
                    sink,
                    "xmp-undefined",
                    "6.7.9",
                    format!(
                        "the property {prefix}:{} is not defined in the predefined schema {ns}",
                        p.local
                    ),
                    object,
                ),
                Some((_, ty)) => {
                    if !type_ok(*ty, &p.value) {
                        finding(
                            sink,
                            "xmp-type",
                            "6.7.9",
                            format!(
                                "the property {prefix}:{} does not have the value type its schema defines",
                                p.local
                            ),
                            object,
                        );
                    }
                }
            }
            continue;
        }
        let known = described
            .get(&p.ns)
            .is_some_and(|names| names.contains(&p.local));
        if !known {
            finding(
                sink,
                "xmp-extension",
                "6.7.8",
                format!(
                    "the property {}:{} ({}) is neither predefined nor described by a PDF/A extension schema",
                    p.prefix, p.local, p.ns
                ),
                object,
            );
        }
    }
}

fn type_ok(ty: Ty, v: &Value) -> bool {
    match (ty, v) {
        (Ty::Any, _) => true,
        (Ty::Text, Value::Text(_)) => true,
        (Ty::Date, Value::Text(t)) => is_date(t.trim()),
        (Ty::Integer, Value::Text(t)) => t.trim().parse::<i64>().is_ok(),
        (Ty::Bool, Value::Text(t)) => matches!(t.trim(), "True" | "False"),
        (Ty::LangAlt, Value::Alt(_)) => true,
        (Ty::Seq, Value::Seq(_)) => true,
        (Ty::Bag, Value::Bag(_)) => true,
        (Ty::Struct, Value::Struct(_)) => true,
        _ => false,
    }
}

/// XMP date: `YYYY[-MM[-DD[Thh:mm[:ss[.s+]][TZD]]]]`.
pub(crate) fn is_date(s: &str) -> bool {
    parse_xmp_date(s).is_some()
}

/// A date as (fields y, mo, d, h, mi, s) and an optional offset in minutes.
pub(crate) type DateParts = ([i64; 6], Option<i64>);

pub(crate) fn parse_xmp_date(s: &str) -> Option<DateParts> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        if t.bytes().all(|c| c.is_ascii_digit()) {
            t.parse().ok()
        } else {
            None
        }
    };
    let mut f = [0i64, 1, 1, 0, 0, 0];
    f[0] = num(0..4)?;
    let mut p = 4;
    if b.len() == p {
        return Some((f, None));
    }
    if b.get(p) != Some(&b'-') {
        return None;
    }
    f[1] = num(p + 1..p + 3)?;
    p += 3;
    if b.len() == p {
        return Some((f, None));
    }
    if b.get(p) != Some(&b'-') {
        return None;
    }
    f[2] = num(p + 1..p + 3)?;
    p += 3;
    if b.len() == p {
        return Some((f, None));
    }
    if b.get(p) != Some(&b'T') {
        return None;
    }
    f[3] = num(p + 1..p + 3)?;
    if b.get(p + 3) != Some(&b':') {
        return None;
    }
    f[4] = num(p + 4..p + 6)?;
    p += 6;
    if b.get(p) == Some(&b':') {
        f[5] = num(p + 1..p + 3)?;
        p += 3;
        if b.get(p) == Some(&b'.') {
            p += 1;
            while b.get(p).is_some_and(u8::is_ascii_digit) {
                p += 1;
            }
        }
    }
    let tz = match b.get(p) {
        None => None,
        Some(b'Z') if b.len() == p + 1 => Some(0),
        Some(&c @ (b'+' | b'-')) => {
            let h = num(p + 1..p + 3)?;
            if b.get(p + 3) != Some(&b':') || b.len() != p + 6 {
                return None;
            }
            let m = num(p + 4..p + 6)?;
            let off = h * 60 + m;
            Some(if c == b'-' { -off } else { off })
        }
        _ => return None,
    };
    if !(1..=12).contains(&f[1]) || !(1..=31).contains(&f[2]) || f[3] > 23 || f[4] > 59 || f[5] > 60
    {
        return None;
    }
    Some((f, tz))
}

/// Reads the `pdfaExtension:schemas` container; returns namespace → described property names.
fn extension_schemas(xmp: &Xmp, object: &str, sink: &mut Sink) -> HashMap<String, HashSet<String>> {
    let mut out: HashMap<String, HashSet<String>> = HashMap::new();
    let Some(schemas) = xmp.get(PDFA_EXTENSION, "schemas") else {
        return out;
    };
    let Value::Bag(items) = schemas else {
        finding(
            sink,
            "xmp-ext",
            "6.7.8",
            "pdfaExtension:schemas is not an unordered array (rdf:Bag)".to_owned(),
            object,
        );
        return out;
    };
    for item in items {
        let Value::Struct(fields) = item else {
            finding(
                sink,
                "xmp-ext",
                "6.7.8",
                "an extension schema description is not a structure".to_owned(),
                object,
            );
            continue;
        };
        let field = |name: &str| {
            fields
                .iter()
                .find(|f| f.ns == PDFA_SCHEMA && f.local == name)
                .map(|f| &f.value)
        };
        for required in ["schema", "namespaceURI", "prefix"] {
            if !matches!(field(required), Some(Value::Text(_))) {
                finding(
                    sink,
                    "xmp-ext",
                    "6.7.8",
                    format!("an extension schema description lacks pdfaSchema:{required}"),
                    object,
                );
            }
        }
        let ns = match field("namespaceURI") {
            Some(Value::Text(t)) => t.trim().to_owned(),
            _ => continue,
        };
        let names = out.entry(ns).or_default();
        match field("property") {
            None => {}
            Some(Value::Seq(props)) => {
                for prop in props {
                    let Value::Struct(pf) = prop else { continue };
                    let pfield = |n: &str| {
                        pf.iter()
                            .find(|f| f.ns == PDFA_PROPERTY && f.local == n)
                            .map(|f| &f.value)
                    };
                    for required in ["name", "valueType", "category", "description"] {
                        if !matches!(pfield(required), Some(Value::Text(_))) {
                            finding(
                                sink,
                                "xmp-ext",
                                "6.7.8",
                                format!(
                                    "an extension schema property lacks pdfaProperty:{required}"
                                ),
                                object,
                            );
                        }
                    }
                    if let Some(Value::Text(c)) = pfield("category")
                        && !matches!(c.trim(), "internal" | "external")
                    {
                        finding(
                            sink,
                            "xmp-ext",
                            "6.7.8",
                            format!("pdfaProperty:category is '{c}', not internal or external"),
                            object,
                        );
                    }
                    if let Some(Value::Text(n)) = pfield("name") {
                        names.insert(n.trim().to_owned());
                    }
                }
            }
            Some(_) => finding(
                sink,
                "xmp-ext",
                "6.7.8",
                "pdfaSchema:property is not an ordered array (rdf:Seq)".to_owned(),
                object,
            ),
        }
    }
    out
}

/// §6.7.3: each Info entry with an XMP analogue must be present in the XMP
/// with an equivalent value. `info` holds decoded (key, value) pairs.
pub(crate) fn compare_info(info: &[(String, String)], xmp: &Xmp, object: &str, sink: &mut Sink) {
    for (key, value) in info {
        let (name, found): (&str, Option<String>) = match key.as_str() {
            "Title" => ("dc:title", lang_default(xmp.get(DC, "title"))),
            "Author" => ("dc:creator", first_item(xmp.get(DC, "creator"))),
            "Subject" => ("dc:description", lang_default(xmp.get(DC, "description"))),
            "Keywords" => ("pdf:Keywords", xmp.text(PDF, "Keywords").map(str::to_owned)),
            "Creator" => (
                "xmp:CreatorTool",
                xmp.text(XMP_BASIC, "CreatorTool").map(str::to_owned),
            ),
            "Producer" => ("pdf:Producer", xmp.text(PDF, "Producer").map(str::to_owned)),
            "CreationDate" => (
                "xmp:CreateDate",
                xmp.text(XMP_BASIC, "CreateDate").map(str::to_owned),
            ),
            "ModDate" => (
                "xmp:ModifyDate",
                xmp.text(XMP_BASIC, "ModifyDate").map(str::to_owned),
            ),
            _ => continue,
        };
        let equal = match &found {
            None => false,
            Some(x) if key.ends_with("Date") => dates_equal(value, x),
            Some(x) => x == value,
        };
        if !equal {
            let message = match found {
                None => format!(
                    "the Info entry {key} ('{value}') has no equivalent {name} in the XMP metadata"
                ),
                Some(x) => format!(
                    "the Info entry {key} ('{value}') differs from {name} ('{x}') in the XMP metadata"
                ),
            };
            finding(sink, "info-xmp", "6.7.3", message, object);
        }
    }
}

fn lang_default(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Alt(items) => items
            .iter()
            .find(|(l, _)| l.as_deref() == Some("x-default"))
            .or_else(|| items.first())
            .and_then(|(_, v)| match v {
                Value::Text(t) => Some(t.clone()),
                _ => None,
            }),
        Value::Text(t) => Some(t.clone()),
        _ => None,
    }
}

fn first_item(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Seq(items) if items.len() == 1 => match &items[0] {
            Value::Text(t) => Some(t.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// Parses a PDF date `D:YYYYMMDDHHmmSSOHH'mm'`.
fn parse_pdf_date(s: &str) -> Option<DateParts> {
    let s = s.trim();
    let s = s.strip_prefix("D:").unwrap_or(s);
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        if t.bytes().all(|c| c.is_ascii_digit()) {
            t.parse().ok()
        } else {
            None
        }
    };
    let mut f = [0i64, 1, 1, 0, 0, 0];
    f[0] = num(0..4)?;
    let mut p = 4;
    for (i, item) in f.iter_mut().enumerate().skip(1) {
        if b.get(p).is_some_and(u8::is_ascii_digit) {
            *item = num(p..p + 2)?;
            p += 2;
        } else {
            let _ = i;
            break;
        }
    }
    let tz = match b.get(p) {
        None => None,
        Some(b'Z') => Some(0),
        Some(&c @ (b'+' | b'-')) => {
            let h = num(p + 1..p + 3)?;
            let m = if b.get(p + 3) == Some(&b'\'') {
                num(p + 4..p + 6).unwrap_or(0)
            } else {
                0
            };
            let off = h * 60 + m;
            Some(if c == b'-' { -off } else { off })
        }
        _ => None,
    };
    Some((f, tz))
}

/// Minutes since an arbitrary epoch, adjusted for the offset.
fn minutes(f: &[i64; 6], tz: Option<i64>) -> (i64, i64) {
    // Days from civil (Howard Hinnant's algorithm).
    let (y, m, d) = (f[0], f[1], f[2]);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe;
    let mins = days * 1440 + f[3] * 60 + f[4] - tz.unwrap_or(0);
    (mins, f[5])
}

fn dates_equal(pdf: &str, xmp: &str) -> bool {
    let (Some((pf, ptz)), Some((xf, xtz))) = (parse_pdf_date(pdf), parse_xmp_date(xmp.trim()))
    else {
        return false;
    };
    if ptz.is_some() != xtz.is_some() {
        // One side without a time zone: compare the wall-clock fields.
        return pf == xf;
    }
    minutes(&pf, ptz) == minutes(&xf, xtz)
}
