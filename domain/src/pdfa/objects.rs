//! Object-level rules of ISO 19005-1 over the parsed document: trailer
//! (§6.1.3), cross-reference streams (§6.1.4), stream dictionaries (§6.1.7,
//! §6.1.10), embedded files (§6.1.11), optional content (§6.1.13), output
//! intent and colour (§6.2.2, §6.2.3), images and XObjects (§6.2.4–6.2.7),
//! extended graphics state and rendering intents (§6.2.8, §6.2.9), fonts
//! (§6.3), transparency (§6.4), annotations (§6.5), actions (§6.6),
//! metadata (§6.7), forms (§6.9) and the cheap level-A rules (§6.3.8, §6.8).
//!
//! Every object is visited once; every content stream and ICC profile is
//! decoded at most once; image data is never decoded.

use super::content::{self, DeviceUse, valid_intent};
use super::encoding::text_string;
use super::syntax::RawScan;
use super::text::deref;
use super::xmp;
use super::{Claim, Limits, Sink, Source, obj_ref};
use crate::conformance::Finding;
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::{BTreeSet, HashSet};

/// ISO 19005-1 §6.5.2: annotation types allowed (PDF 1.4 less FileAttachment, Sound, Movie).
const ANNOTATIONS: &[&[u8]] = &[
    b"Text",
    b"Link",
    b"FreeText",
    b"Line",
    b"Square",
    b"Circle",
    b"Highlight",
    b"Underline",
    b"Squiggly",
    b"StrikeOut",
    b"Stamp",
    b"Ink",
    b"Popup",
    b"Widget",
    b"PrinterMark",
    b"TrapNet",
];
/// Every annotation type of PDF 1.4–1.7, used to recognise annotation dictionaries.
const ANY_ANNOTATION: &[&[u8]] = &[
    b"FileAttachment",
    b"Sound",
    b"Movie",
    b"Screen",
    b"3D",
    b"Polygon",
    b"PolyLine",
    b"Caret",
    b"Watermark",
    b"RichMedia",
    b"Redact",
];
/// ISO 19005-1 §6.6.1: action types allowed.
const ACTIONS_OK: &[&[u8]] = &[
    b"GoTo",
    b"GoToR",
    b"Thread",
    b"URI",
    b"Named",
    b"SubmitForm",
];
/// Action types forbidden (or not in PDF 1.4), used to recognise action dictionaries.
const ACTIONS_BAD: &[&[u8]] = &[
    b"Launch",
    b"Sound",
    b"Movie",
    b"ResetForm",
    b"ImportData",
    b"JavaScript",
    b"Hide",
    b"SetState",
    b"NOP",
    b"GoToE",
    b"SetOCGState",
    b"Rendition",
    b"Trans",
    b"GoTo3DView",
    b"RichMediaExecute",
];
const STANDARD_14: &[&[u8]] = &[
    b"Times-Roman",
    b"Times-Bold",
    b"Times-Italic",
    b"Times-BoldItalic",
    b"Helvetica",
    b"Helvetica-Bold",
    b"Helvetica-Oblique",
    b"Helvetica-BoldOblique",
    b"Courier",
    b"Courier-Bold",
    b"Courier-Oblique",
    b"Courier-BoldOblique",
    b"Symbol",
    b"ZapfDingbats",
];

struct Ctx<'a, 's> {
    doc: &'a Document,
    bytes: &'a [u8],
    src: Source<'a>,
    limits: &'a Limits,
    sink: &'s mut Sink,
    /// Colour space of the PDF/A-1 output intent profile (`RGB `, `CMYK`, `GRAY`).
    output_cs: Option<[u8; 4]>,
    level_a: bool,
    contents: BTreeSet<ObjectId>,
    ext_gstates: BTreeSet<ObjectId>,
    colour_spaces: BTreeSet<ObjectId>,
    icc_checked: HashSet<ObjectId>,
    direct_use: Vec<(DeviceUse, String)>,
}

/// Runs the object pass; returns the claimed identification.
pub(crate) fn check(
    doc: &Document,
    raw: &RawScan,
    src: Source<'_>,
    limits: &Limits,
    sink: &mut Sink,
) -> Option<Claim> {
    let mut cx = Ctx {
        doc,
        bytes: src.bytes,
        src,
        limits,
        sink,
        output_cs: None,
        level_a: false,
        contents: BTreeSet::new(),
        ext_gstates: BTreeSet::new(),
        colour_spaces: BTreeSet::new(),
        icc_checked: HashSet::new(),
        direct_use: Vec::new(),
    };
    cx.trailer(raw);
    cx.deferred_lengths(raw);
    let catalog = doc.catalog().ok();
    let mut claim = None;
    match catalog {
        None => cx.sink.push(
            "catalog",
            Finding::new("6.1", "the trailer has no usable Root catalog"),
        ),
        Some(cat) => {
            cx.output_intents(cat);
            claim = cx.metadata(cat);
            cx.level_a = claim.as_ref().and_then(|c| c.conformance.as_deref()) == Some("A");
            cx.catalog(cat);
        }
    }
    for (&id, obj) in &doc.objects {
        cx.walk(obj, id, 0);
    }
    cx.finish();
    claim
}

fn name<'a>(d: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    d.get(key).ok().and_then(|o| o.as_name().ok())
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn number(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

impl Ctx<'_, '_> {
    fn at(&mut self, kind: &'static str, clause: &str, message: String, id: ObjectId) {
        self.sink
            .push(kind, Finding::at(clause, message, obj_ref(id)));
    }

    /// §6.1.3 (ID, Encrypt) and §6.1.4 (cross-reference table present).
    fn trailer(&mut self, raw: &RawScan) {
        let t = &self.doc.trailer;
        let has_id = if raw.trailer_ids.is_empty() {
            t.has(b"ID")
        } else {
            raw.trailer_ids.last().copied().unwrap_or(false)
                || (raw.linearized && raw.trailer_ids.first().copied().unwrap_or(false))
        };
        if !has_id {
            self.sink.push(
                "trailer-id",
                Finding::at("6.1.3", "the file trailer has no ID entry", "trailer"),
            );
        }
        if raw.trailer_ids.is_empty() && t.has(b"Encrypt") {
            self.sink.push(
                "encrypt",
                Finding::at(
                    "6.1.3",
                    "the trailer has an Encrypt entry: encryption is not allowed",
                    "trailer",
                ),
            );
        }
        if !raw.has_xref_table {
            self.sink.push(
                "xref-table",
                Finding::new("6.1.4", "the file has no cross-reference table (PDF 1.4 has no cross-reference streams)"),
            );
        }
        if t.has(b"XRefStm") {
            self.sink.push(
                "xref-stream",
                Finding::at(
                    "6.1.4",
                    "the trailer has XRefStm: hybrid cross-reference streams are not PDF 1.4",
                    "trailer",
                ),
            );
        }
    }

    /// §6.1.7 for streams whose `Length` is an indirect object.
    fn deferred_lengths(&mut self, raw: &RawScan) {
        for d in &raw.deferred {
            let value = self
                .doc
                .get_object(d.length_ref)
                .ok()
                .and_then(|o| o.as_i64().ok());
            let ok = value
                .and_then(|v| usize::try_from(v).ok())
                .and_then(|v| d.data_start.checked_add(v))
                .and_then(|end| super::syntax::endstream_after(self.bytes, end))
                .is_some();
            if !ok {
                self.at(
                    "stream-length",
                    "6.1.7",
                    "the stream Length does not match the bytes before endstream".to_owned(),
                    d.stream,
                );
            }
        }
    }

    fn catalog(&mut self, cat: &Dictionary) {
        let doc = self.doc;
        let root = doc
            .trailer
            .get(b"Root")
            .ok()
            .and_then(|o| o.as_reference().ok())
            .unwrap_or((0, 0));
        if cat.has(b"OCProperties") {
            self.at(
                "ocproperties",
                "6.1.13",
                "the catalog has OCProperties: optional content is not allowed".to_owned(),
                root,
            );
        }
        if cat.has(b"AA") {
            self.at(
                "catalog-aa",
                "6.6.2",
                "the catalog has an additional-actions (AA) entry".to_owned(),
                root,
            );
        }
        if let Some(names) = cat
            .get(b"Names")
            .ok()
            .and_then(|o| deref(doc, o))
            .and_then(|o| o.as_dict().ok())
            && names.has(b"EmbeddedFiles")
        {
            self.at(
                "embedded",
                "6.1.11",
                "the name dictionary has EmbeddedFiles".to_owned(),
                root,
            );
        }
        if let Some(form) = cat
            .get(b"AcroForm")
            .ok()
            .and_then(|o| deref(doc, o))
            .and_then(|o| o.as_dict().ok())
            && matches!(form.get(b"NeedAppearances"), Ok(Object::Boolean(true)))
        {
            self.at(
                "needappearances",
                "6.9",
                "the interactive form has NeedAppearances true".to_owned(),
                root,
            );
        }
        if self.level_a {
            let marked = cat
                .get(b"MarkInfo")
                .ok()
                .and_then(|o| deref(doc, o))
                .and_then(|o| o.as_dict().ok())
                .and_then(|m| m.get(b"Marked").ok())
                .is_some_and(|m| matches!(m, Object::Boolean(true)));
            if !marked {
                self.at(
                    "markinfo",
                    "6.8.2.2",
                    "level A: the catalog's MarkInfo has no Marked true".to_owned(),
                    root,
                );
            }
            if !cat.has(b"StructTreeRoot") {
                self.at(
                    "structtree",
                    "6.8.3.3",
                    "level A: the catalog has no StructTreeRoot".to_owned(),
                    root,
                );
            }
        }
    }

    /// §6.2.2: the PDF/A-1 output intent and its ICC profile.
    fn output_intents(&mut self, cat: &Dictionary) {
        let doc = self.doc;
        let Some(Object::Array(intents)) =
            cat.get(b"OutputIntents").ok().and_then(|o| deref(doc, o))
        else {
            return;
        };
        let mut profile_ref: Option<ObjectId> = None;
        for entry in intents {
            let id = entry.as_reference().unwrap_or((0, 0));
            let Some(d) = deref(doc, entry).and_then(|o| o.as_dict().ok()) else {
                continue;
            };
            let dest = d.get(b"DestOutputProfile").ok();
            if let Some(dest) = dest {
                match (dest.as_reference().ok(), profile_ref) {
                    (Some(r), None) => profile_ref = Some(r),
                    (Some(r), Some(p)) if r != p => self.at(
                        "intent-profiles",
                        "6.2.2",
                        "output intents have DestOutputProfile entries that are not the same object".to_owned(),
                        id,
                    ),
                    _ => {}
                }
            }
            if name(d, b"S") != Some(b"GTS_PDFA1") {
                continue;
            }
            let Some(Object::Stream(s)) = dest.and_then(|o| deref(doc, o)) else {
                self.at(
                    "intent-profile",
                    "6.2.2",
                    "the GTS_PDFA1 output intent has no embedded DestOutputProfile".to_owned(),
                    id,
                );
                continue;
            };
            let pid = dest.and_then(|o| o.as_reference().ok()).unwrap_or(id);
            match self.src.plain(s, self.limits.max_stream_size) {
                Ok(data) => match icc_header(&data) {
                    Some((class, cs, major)) => {
                        let class_ok = matches!(&class, b"prtr" | b"mntr");
                        let cs_ok = matches!(&cs, b"RGB " | b"CMYK" | b"GRAY");
                        if !class_ok || !cs_ok || major >= 3 {
                            self.at(
                                "intent-icc",
                                "6.2.2",
                                format!(
                                    "the output intent profile is class '{}', colour space '{}', version {major}: it must be an output or display profile (prtr/mntr) for RGB, CMYK or GRAY, version 2",
                                    lossy(&class),
                                    lossy(&cs)
                                ),
                                pid,
                            );
                        }
                        if cs_ok && self.output_cs.is_none() {
                            self.output_cs = Some(cs);
                        }
                    }
                    None => self.at(
                        "intent-icc",
                        "6.2.2",
                        "the output intent profile is not a valid ICC profile".to_owned(),
                        pid,
                    ),
                },
                Err(_) => self.at(
                    "intent-icc",
                    "6.2.2",
                    "the output intent profile cannot be decoded".to_owned(),
                    pid,
                ),
            }
        }
    }

    /// §6.7: the catalog's Metadata stream, the claim and the Info dictionary.
    fn metadata(&mut self, cat: &Dictionary) -> Option<Claim> {
        let doc = self.doc;
        let root = doc
            .trailer
            .get(b"Root")
            .ok()
            .and_then(|o| o.as_reference().ok())
            .unwrap_or((0, 0));
        let Some(m) = cat.get(b"Metadata").ok() else {
            self.at(
                "metadata",
                "6.7.2",
                "the catalog has no Metadata stream".to_owned(),
                root,
            );
            return None;
        };
        let mid = m.as_reference().unwrap_or(root);
        let Some(Object::Stream(s)) = deref(doc, m) else {
            self.at(
                "metadata",
                "6.7.2",
                "the catalog's Metadata is not a stream".to_owned(),
                mid,
            );
            return None;
        };
        let data = match self.src.plain(s, self.limits.max_stream_size) {
            Ok(d) => d,
            Err(_) => {
                self.at(
                    "metadata",
                    "6.7.2",
                    "the Metadata stream cannot be decoded".to_owned(),
                    mid,
                );
                return None;
            }
        };
        let x = xmp::check(&data, &obj_ref(mid), self.sink)?;
        // §6.7.3 Info dictionary.
        let info_ref = doc.trailer.get(b"Info").ok();
        if let Some(info) = info_ref
            .and_then(|o| deref(doc, o))
            .and_then(|o| o.as_dict().ok())
        {
            let pairs: Vec<(String, String)> = info
                .iter()
                .filter_map(|(k, v)| match v {
                    Object::String(s, _) => Some((lossy(k), text_string(s))),
                    _ => None,
                })
                .collect();
            let where_ = info_ref
                .and_then(|o| o.as_reference().ok())
                .map(obj_ref)
                .unwrap_or_else(|| "Info".to_owned());
            xmp::compare_info(&pairs, &x, &where_, self.sink);
        }
        x.claim()
    }

    /// Visits an object and its direct children once.
    fn walk(&mut self, obj: &Object, id: ObjectId, depth: usize) {
        if depth > self.limits.nesting() {
            return;
        }
        match obj {
            Object::Array(items) => {
                for i in items {
                    self.walk(i, id, depth + 1);
                }
            }
            Object::Dictionary(d) => {
                self.dict(d, id, false);
                for (_, v) in d.iter() {
                    self.walk(v, id, depth + 1);
                }
            }
            Object::Stream(s) => {
                self.stream(&s.dict, id);
                self.dict(&s.dict, id, true);
                for (_, v) in s.dict.iter() {
                    self.walk(v, id, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// Rules for stream dictionaries: §6.1.4, §6.1.7, §6.1.10, §6.2.4–6.2.7, §6.4, §6.7.2.
    fn stream(&mut self, d: &Dictionary, id: ObjectId) {
        let filters: Vec<&[u8]> = match d.get(b"Filter") {
            Ok(Object::Name(n)) => vec![n.as_slice()],
            Ok(Object::Array(a)) => a.iter().filter_map(|o| o.as_name().ok()).collect(),
            _ => Vec::new(),
        };
        if filters.iter().any(|f| matches!(*f, b"LZWDecode" | b"LZW")) {
            self.at(
                "lzw",
                "6.1.10",
                "the stream uses the LZWDecode filter".to_owned(),
                id,
            );
        }
        for key in [&b"F"[..], b"FFilter", b"FDecodeParms"] {
            if d.has(key) {
                self.at(
                    "stream-external",
                    "6.1.7",
                    format!("the stream dictionary has the {} key", lossy(key)),
                    id,
                );
            }
        }
        match name(d, b"Type") {
            Some(b"XRef") => self.at(
                "xref-stream",
                "6.1.4",
                "the file uses a cross-reference stream (not PDF 1.4)".to_owned(),
                id,
            ),
            Some(b"ObjStm") => self.at(
                "objstm",
                "6.1.4",
                "the file uses an object stream (not PDF 1.4)".to_owned(),
                id,
            ),
            Some(b"Metadata") if d.has(b"Filter") => self.at(
                "metadata-filter",
                "6.7.2",
                "the Metadata stream dictionary has a Filter key".to_owned(),
                id,
            ),
            _ => {}
        }
        match name(d, b"Subtype") {
            Some(b"Image") => {
                if d.has(b"Alternates") {
                    self.at(
                        "alternates",
                        "6.2.4",
                        "the image has Alternates".to_owned(),
                        id,
                    );
                }
                if d.has(b"OPI") {
                    self.at("opi", "6.2.4", "the image has OPI".to_owned(), id);
                }
                if matches!(d.get(b"Interpolate"), Ok(Object::Boolean(true))) {
                    self.at(
                        "interpolate",
                        "6.2.4",
                        "the image has Interpolate true".to_owned(),
                        id,
                    );
                }
                if d.has(b"SMask") {
                    self.at(
                        "smask",
                        "6.4",
                        "the image has an SMask (soft mask transparency)".to_owned(),
                        id,
                    );
                }
                if let Some(i) = name(d, b"Intent")
                    && !valid_intent(i)
                {
                    let (k, c, m) = content::bad_intent(i);
                    self.at(k, c, m, id);
                }
                if let Ok(cs) = d.get(b"ColorSpace") {
                    self.colour_space(cs, id, 0);
                }
            }
            Some(b"Form") => {
                if d.has(b"OPI") {
                    self.at("opi", "6.2.5", "the form XObject has OPI".to_owned(), id);
                }
                if name(d, b"Subtype2") == Some(b"PS") || d.has(b"PS") {
                    self.at(
                        "ps",
                        "6.2.5",
                        "the form XObject has PostScript (Subtype2 PS or PS key)".to_owned(),
                        id,
                    );
                }
                if d.has(b"Ref") {
                    self.at(
                        "ref",
                        "6.2.6",
                        "the form XObject is a reference XObject (Ref key)".to_owned(),
                        id,
                    );
                }
                if d.has(b"SMask") {
                    self.at(
                        "smask",
                        "6.4",
                        "the form XObject has an SMask".to_owned(),
                        id,
                    );
                }
                self.contents.insert(id);
            }
            Some(b"PS") => self.at(
                "ps",
                "6.2.7",
                "the file contains a PostScript XObject".to_owned(),
                id,
            ),
            _ => {}
        }
        if matches!(d.get(b"PatternType"), Ok(Object::Integer(1))) {
            self.contents.insert(id);
        }
    }

    /// Rules for any dictionary, recognised by its keys.
    fn dict(&mut self, d: &Dictionary, id: ObjectId, is_stream: bool) {
        let doc = self.doc;
        let ty = name(d, b"Type");
        let subtype = name(d, b"Subtype");
        // §6.1.11 file specifications.
        if d.has(b"EF") && (ty == Some(b"Filespec") || d.has(b"F") || d.has(b"UF")) {
            self.at(
                "embedded",
                "6.1.11",
                "a file specification has an EF (embedded file) entry".to_owned(),
                id,
            );
        }
        // §6.4 transparency groups.
        if (ty == Some(b"Group") || d.has(b"S") && name(d, b"S") == Some(b"Transparency"))
            && name(d, b"S") == Some(b"Transparency")
        {
            self.at(
                "group",
                "6.4",
                "a transparency group (Group /S /Transparency) is used".to_owned(),
                id,
            );
        }
        // Resources: ExtGState and ColorSpace.
        if let Some(gs) = d
            .get(b"ExtGState")
            .ok()
            .and_then(|o| deref(doc, o))
            .and_then(|o| o.as_dict().ok())
        {
            for (_, v) in gs.iter() {
                match v {
                    Object::Reference(r) => {
                        self.ext_gstates.insert(*r);
                    }
                    Object::Dictionary(g) => self.ext_gstate(g, id),
                    _ => {}
                }
            }
        }
        let is_image = is_stream && subtype == Some(b"Image");
        if !is_image && let Ok(cs) = d.get(b"ColorSpace") {
            let is_shading = d.has(b"ShadingType");
            match deref(doc, cs) {
                Some(Object::Dictionary(res)) if !is_shading => {
                    for (_, v) in res.iter() {
                        self.colour_space(v, id, 0);
                    }
                }
                Some(_) => self.colour_space(cs, id, 0),
                None => {}
            }
        }
        if ty == Some(b"Group")
            && let Ok(cs) = d.get(b"CS")
        {
            self.colour_space(cs, id, 0);
        }
        // Pages.
        if ty == Some(b"Page") {
            match d.get(b"Contents") {
                Ok(Object::Reference(r)) => match doc.get_object(*r) {
                    Ok(Object::Array(items)) => {
                        for i in items {
                            if let Ok(r) = i.as_reference() {
                                self.contents.insert(r);
                            }
                        }
                    }
                    _ => {
                        self.contents.insert(*r);
                    }
                },
                Ok(Object::Array(items)) => {
                    for i in items {
                        if let Ok(r) = i.as_reference() {
                            self.contents.insert(r);
                        }
                    }
                }
                _ => {}
            }
        }
        // Fonts.
        if ty == Some(b"Font") {
            self.font(d, id);
        }
        // Actions.
        if let Some(s) = name(d, b"S")
            && (ty == Some(b"Action") || ACTIONS_OK.contains(&s) || ACTIONS_BAD.contains(&s))
        {
            self.action(d, s, id);
        }
        // Annotations.
        let is_annot = ty == Some(b"Annot")
            || (d.has(b"Rect")
                && subtype
                    .is_some_and(|s| ANNOTATIONS.contains(&s) || ANY_ANNOTATION.contains(&s)));
        if is_annot {
            self.annotation(d, subtype.unwrap_or(b""), id);
        } else if d.has(b"FT") && d.has(b"AA") {
            self.at(
                "field-aa",
                "6.6.2",
                "a form field has an additional-actions (AA) entry".to_owned(),
                id,
            );
        }
    }

    /// §6.2.8, §6.2.9, §6.4: one extended graphics state.
    fn ext_gstate(&mut self, g: &Dictionary, id: ObjectId) {
        if g.has(b"TR") {
            self.at(
                "tr",
                "6.2.8",
                "an ExtGState has a TR (transfer function) entry".to_owned(),
                id,
            );
        }
        if let Ok(tr2) = g.get(b"TR2")
            && tr2.as_name().ok() != Some(b"Default")
        {
            self.at(
                "tr2",
                "6.2.8",
                "an ExtGState has TR2 other than Default".to_owned(),
                id,
            );
        }
        if let Some(ri) = name(g, b"RI")
            && !valid_intent(ri)
        {
            let (k, c, m) = content::bad_intent(ri);
            self.at(k, c, m, id);
        }
        if let Ok(sm) = g.get(b"SMask")
            && sm.as_name().ok() != Some(b"None")
        {
            self.at(
                "smask",
                "6.4",
                "an ExtGState has SMask other than None".to_owned(),
                id,
            );
        }
        if let Ok(bm) = g.get(b"BM") {
            let ok = match bm {
                Object::Name(n) => matches!(n.as_slice(), b"Normal" | b"Compatible"),
                Object::Array(a) => a
                    .iter()
                    .all(|x| matches!(x.as_name(), Ok(b"Normal" | b"Compatible"))),
                _ => false,
            };
            if !ok {
                self.at(
                    "bm",
                    "6.4",
                    "an ExtGState has a blend mode (BM) other than Normal or Compatible".to_owned(),
                    id,
                );
            }
        }
        for key in [&b"CA"[..], b"ca"] {
            if let Some(v) = g.get(key).ok().and_then(number)
                && (v - 1.0).abs() > 1e-6
            {
                self.at(
                    "alpha",
                    "6.4",
                    format!("an ExtGState has {} = {v}, not 1.0", lossy(key)),
                    id,
                );
            }
        }
    }

    /// §6.2.3: a colour space; device spaces are recorded for the output intent check.
    fn colour_space(&mut self, cs: &Object, id: ObjectId, depth: usize) {
        if depth > 8 {
            return;
        }
        let doc = self.doc;
        if let Object::Reference(r) = cs {
            if !self.colour_spaces.insert(*r) {
                return;
            }
            if let Ok(o) = doc.get_object(*r) {
                self.colour_space(o, *r, depth + 1);
            }
            return;
        }
        match cs {
            Object::Name(n) => {
                let mut u = DeviceUse::default();
                match n.as_slice() {
                    b"DeviceRGB" => u.rgb = true,
                    b"DeviceCMYK" => u.cmyk = true,
                    b"DeviceGray" => u.gray = true,
                    _ => return,
                }
                self.direct_use.push((u, obj_ref(id)));
            }
            Object::Array(a) => {
                let family = a.first().and_then(|o| o.as_name().ok()).unwrap_or(b"");
                match family {
                    b"ICCBased" => {
                        if let Some(r) = a.get(1) {
                            self.icc_based(r, id);
                        }
                    }
                    b"Indexed" | b"Pattern" => {
                        if let Some(base) = a.get(1) {
                            self.colour_space(base, id, depth + 1);
                        }
                    }
                    b"Separation" => {
                        if let Some(alt) = a.get(2) {
                            self.colour_space(alt, id, depth + 1);
                        }
                    }
                    b"DeviceN" => {
                        if let Some(Object::Array(names)) = a.get(1).and_then(|o| deref(doc, o))
                            && names.len() > 8
                        {
                            self.at("devicen", "6.1.12", format!("a DeviceN colour space has {} components; at most 8 are allowed", names.len()), id);
                        }
                        if let Some(alt) = a.get(2) {
                            self.colour_space(alt, id, depth + 1);
                        }
                    }
                    _ => {
                        if a.len() == 1 {
                            self.colour_space(&a[0], id, depth + 1);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// §6.2.3: an ICC-based colour space: valid profile, version 2, `N` matching.
    fn icc_based(&mut self, r: &Object, id: ObjectId) {
        let doc = self.doc;
        let sid = r.as_reference().unwrap_or(id);
        if !self.icc_checked.insert(sid) {
            return;
        }
        let Some(Object::Stream(s)) = deref(doc, r) else {
            self.at(
                "icc",
                "6.2.3",
                "an ICCBased colour space has no embedded profile stream".to_owned(),
                id,
            );
            return;
        };
        let Ok(data) = self.src.plain(s, self.limits.max_stream_size) else {
            self.at(
                "icc",
                "6.2.3",
                "an ICC profile stream cannot be decoded".to_owned(),
                sid,
            );
            return;
        };
        let Some((_, cs, major)) = icc_header(&data) else {
            self.at(
                "icc",
                "6.2.3",
                "an ICCBased colour space's profile is not a valid ICC profile".to_owned(),
                sid,
            );
            return;
        };
        if major >= 3 {
            self.at(
                "icc",
                "6.2.3",
                format!("an ICC profile has version {major}; PDF 1.4 allows version 2"),
                sid,
            );
        }
        let n = s.dict.get(b"N").ok().and_then(|o| o.as_i64().ok());
        let expected = match &cs {
            b"GRAY" => Some(1),
            b"RGB " | b"LAB " => Some(3),
            b"CMYK" => Some(4),
            _ => None,
        };
        if n.is_none() || n != expected {
            self.at(
                "icc-n",
                "6.2.3.2",
                format!(
                    "the ICC profile's N is {n:?} but its colour space is '{}'",
                    lossy(&cs)
                ),
                sid,
            );
        }
    }

    /// §6.3: font dictionaries.
    fn font(&mut self, f: &Dictionary, id: ObjectId) {
        let doc = self.doc;
        let subtype = name(f, b"Subtype").unwrap_or(b"");
        let allowed = [
            &b"Type1"[..],
            b"MMType1",
            b"TrueType",
            b"Type3",
            b"Type0",
            b"CIDFontType0",
            b"CIDFontType2",
        ];
        if !allowed.contains(&subtype) {
            self.at(
                "font-subtype",
                "6.3.2",
                format!("a font has the Subtype '{}'", lossy(subtype)),
                id,
            );
            return;
        }
        let base = name(f, b"BaseFont");
        if base.is_none() && subtype != b"Type3" {
            self.at(
                "font-basefont",
                "6.3.2",
                "a font has no BaseFont".to_owned(),
                id,
            );
        }
        let base = base.unwrap_or(b"");
        let subset =
            base.len() > 7 && base[6] == b'+' && base[..6].iter().all(u8::is_ascii_uppercase);
        let descriptor = f
            .get(b"FontDescriptor")
            .ok()
            .and_then(|o| deref(doc, o))
            .and_then(|o| o.as_dict().ok());
        let simple = matches!(subtype, b"Type1" | b"MMType1" | b"TrueType" | b"Type3");
        let embedded = descriptor
            .is_some_and(|d| d.has(b"FontFile") || d.has(b"FontFile2") || d.has(b"FontFile3"));
        if simple {
            let standard = STANDARD_14.contains(&base) && !embedded;
            if !standard {
                let first = f.get(b"FirstChar").ok().and_then(|o| o.as_i64().ok());
                let last = f.get(b"LastChar").ok().and_then(|o| o.as_i64().ok());
                let widths = match f.get(b"Widths").ok().and_then(|o| deref(doc, o)) {
                    Some(Object::Array(a)) => Some(a.len() as i64),
                    _ => None,
                };
                match (first, last, widths) {
                    (Some(a), Some(b), Some(w)) if w == b - a + 1 => {}
                    _ => self.at(
                        "font-widths",
                        "6.3.2",
                        "a simple font lacks FirstChar, LastChar or a Widths array of LastChar − FirstChar + 1 entries".to_owned(),
                        id,
                    ),
                }
            }
        }
        if subtype != b"Type3" && subtype != b"Type0" && !embedded {
            self.at(
                "font-embed",
                "6.3.4",
                format!("the font program of '{}' is not embedded", lossy(base)),
                id,
            );
        }
        if subset {
            if matches!(subtype, b"Type1" | b"MMType1")
                && !descriptor.is_some_and(|d| d.has(b"CharSet"))
            {
                self.at(
                    "charset",
                    "6.3.5",
                    "a Type 1 font subset has no CharSet in its descriptor".to_owned(),
                    id,
                );
            }
            if matches!(subtype, b"CIDFontType0" | b"CIDFontType2")
                && !descriptor.is_some_and(|d| d.has(b"CIDSet"))
            {
                self.at(
                    "cidset",
                    "6.3.5",
                    "a CIDFont subset has no CIDSet in its descriptor".to_owned(),
                    id,
                );
            }
        }
        if subtype == b"CIDFontType2" && !f.has(b"CIDToGIDMap") {
            self.at(
                "cidtogid",
                "6.3.3.2",
                "a Type 2 CIDFont has no CIDToGIDMap".to_owned(),
                id,
            );
        }
        if subtype == b"Type0" {
            match f.get(b"Encoding").ok().and_then(|o| deref(doc, o)) {
                Some(Object::Name(n)) if matches!(n.as_slice(), b"Identity-H" | b"Identity-V") => {}
                Some(Object::Stream(cmap)) => {
                    let desc = f
                        .get(b"DescendantFonts")
                        .ok()
                        .and_then(|o| deref(doc, o))
                        .and_then(|o| o.as_array().ok())
                        .and_then(|a| a.first())
                        .and_then(|o| deref(doc, o))
                        .and_then(|o| o.as_dict().ok());
                    let info = |d: &Dictionary| -> Option<(Vec<u8>, Vec<u8>)> {
                        let i = d
                            .get(b"CIDSystemInfo")
                            .ok()
                            .and_then(|o| deref(doc, o))?
                            .as_dict()
                            .ok()?;
                        Some((
                            i.get(b"Registry").ok()?.as_str().ok()?.to_vec(),
                            i.get(b"Ordering").ok()?.as_str().ok()?.to_vec(),
                        ))
                    };
                    if let (Some(a), Some(b)) = (info(&cmap.dict), desc.and_then(info))
                        && a != b
                    {
                        self.at(
                            "cidsysteminfo",
                            "6.3.3.1",
                            "the CIDSystemInfo of a Type 0 font's CMap and CIDFont differ"
                                .to_owned(),
                            id,
                        );
                    }
                }
                _ => self.at(
                    "cmap-embed",
                    "6.3.3.3",
                    "a Type 0 font uses a CMap that is neither Identity nor embedded".to_owned(),
                    id,
                ),
            }
        }
        if subtype == b"TrueType" {
            let flags = descriptor
                .and_then(|d| d.get(b"Flags").ok())
                .and_then(|o| o.as_i64().ok())
                .unwrap_or(0);
            let symbolic = flags & 4 != 0;
            let enc = f.get(b"Encoding").ok().and_then(|o| deref(doc, o));
            if symbolic {
                if enc.is_some() {
                    self.at(
                        "tt-encoding",
                        "6.3.7",
                        "a symbolic TrueType font has an Encoding entry".to_owned(),
                        id,
                    );
                }
            } else {
                let ok = match enc {
                    Some(Object::Name(n)) => {
                        matches!(n.as_slice(), b"MacRomanEncoding" | b"WinAnsiEncoding")
                    }
                    Some(Object::Dictionary(e)) => {
                        matches!(
                            name(e, b"BaseEncoding"),
                            Some(b"MacRomanEncoding" | b"WinAnsiEncoding")
                        ) && !e.has(b"Differences")
                    }
                    _ => false,
                };
                if !ok {
                    self.at(
                        "tt-encoding",
                        "6.3.7",
                        "a non-symbolic TrueType font does not use MacRomanEncoding or WinAnsiEncoding".to_owned(),
                        id,
                    );
                }
            }
        }
        if subtype == b"Type3"
            && let Some(procs) = f
                .get(b"CharProcs")
                .ok()
                .and_then(|o| deref(doc, o))
                .and_then(|o| o.as_dict().ok())
        {
            for (_, v) in procs.iter() {
                if let Ok(r) = v.as_reference() {
                    self.contents.insert(r);
                }
            }
        }
        if self.level_a
            && matches!(
                subtype,
                b"Type0" | b"Type3" | b"TrueType" | b"Type1" | b"MMType1"
            )
            && !f.has(b"ToUnicode")
        {
            let symbolic_or_composite = subtype == b"Type0"
                || subtype == b"Type3"
                || descriptor
                    .and_then(|d| d.get(b"Flags").ok())
                    .and_then(|o| o.as_i64().ok())
                    .is_some_and(|fl| fl & 4 != 0);
            if symbolic_or_composite {
                self.at(
                    "tounicode",
                    "6.3.8",
                    "level A: a font has no ToUnicode map".to_owned(),
                    id,
                );
            }
        }
    }

    /// §6.6.1: one action dictionary.
    fn action(&mut self, a: &Dictionary, s: &[u8], id: ObjectId) {
        if !ACTIONS_OK.contains(&s) {
            self.at(
                "action",
                "6.6.1",
                format!("the action type '{}' is not allowed", lossy(s)),
                id,
            );
            return;
        }
        if s == b"Named" {
            let n = name(a, b"N").unwrap_or(b"");
            if !matches!(n, b"NextPage" | b"PrevPage" | b"FirstPage" | b"LastPage") {
                self.at(
                    "named-action",
                    "6.6.1",
                    format!("the named action '{}' is not allowed", lossy(n)),
                    id,
                );
            }
        }
    }

    /// §6.5, §6.6, §6.9: one annotation dictionary.
    fn annotation(&mut self, a: &Dictionary, subtype: &[u8], id: ObjectId) {
        let doc = self.doc;
        if !ANNOTATIONS.contains(&subtype) {
            self.at(
                "annot-type",
                "6.5.2",
                format!("the annotation type '{}' is not allowed", lossy(subtype)),
                id,
            );
        }
        if let Some(ca) = a.get(b"CA").ok().and_then(number)
            && (ca - 1.0).abs() > 1e-6
        {
            self.at(
                "annot-ca",
                "6.5.3",
                format!("an annotation has CA = {ca}, not 1.0"),
                id,
            );
        }
        let flags = a.get(b"F").ok().and_then(|o| o.as_i64().ok());
        match flags {
            Some(f) if f & 4 != 0 && f & (1 | 2 | 32) == 0 => {}
            Some(f) => self.at(
                "annot-flags",
                "6.5.3",
                format!("an annotation has flags F = {f}: Print must be set and Hidden, Invisible, NoView clear"),
                id,
            ),
            None => self.at("annot-flags", "6.5.3", "an annotation has no F (flags) entry".to_owned(), id),
        }
        if (a.has(b"C") || a.has(b"IC")) && self.output_cs != Some(*b"RGB ") {
            self.at(
                "annot-colour",
                "6.5.3",
                "an annotation has a C or IC colour without an RGB output intent".to_owned(),
                id,
            );
        }
        if let Some(ap) = a
            .get(b"AP")
            .ok()
            .and_then(|o| deref(doc, o))
            .and_then(|o| o.as_dict().ok())
        {
            let only_n = ap.len() == 1 && ap.has(b"N");
            let ft = a
                .get(b"FT")
                .ok()
                .or_else(|| {
                    a.get(b"Parent")
                        .ok()
                        .and_then(|p| deref(doc, p))
                        .and_then(|p| p.as_dict().ok())
                        .and_then(|p| p.get(b"FT").ok())
                })
                .and_then(|o| o.as_name().ok());
            let n = ap.get(b"N").ok();
            let n_obj = n.and_then(|o| deref(doc, o));
            let n_ok = match n_obj {
                Some(Object::Stream(_)) => true,
                Some(Object::Dictionary(_)) => subtype == b"Widget" && ft == Some(b"Btn"),
                _ => false,
            };
            if !only_n || !n_ok {
                self.at(
                    "annot-ap",
                    "6.5.3",
                    "an annotation's appearance dictionary must hold only N, a stream (a dictionary for buttons)".to_owned(),
                    id,
                );
            }
            if let Some(n) = n {
                match n_obj {
                    Some(Object::Stream(_)) => {
                        if let Ok(r) = n.as_reference() {
                            self.contents.insert(r);
                        }
                    }
                    Some(Object::Dictionary(states)) => {
                        for (_, v) in states.iter() {
                            if let Ok(r) = v.as_reference() {
                                self.contents.insert(r);
                            }
                        }
                    }
                    _ => {}
                }
            }
        } else if subtype == b"Widget" {
            self.at(
                "widget-ap",
                "6.9",
                "a widget annotation has no appearance (AP) dictionary".to_owned(),
                id,
            );
        }
        if subtype == b"Widget" {
            if a.has(b"A") {
                self.at(
                    "widget-a",
                    "6.6.1",
                    "a widget annotation has an action (A entry)".to_owned(),
                    id,
                );
            }
            if a.has(b"AA") {
                self.at(
                    "widget-aa",
                    "6.6.2",
                    "a widget annotation has an additional-actions (AA) entry".to_owned(),
                    id,
                );
            }
        }
    }

    /// Checks collected ExtGStates, colour spaces and content streams.
    fn finish(&mut self) {
        let doc = self.doc;
        for id in std::mem::take(&mut self.ext_gstates) {
            if let Ok(Object::Dictionary(g)) = doc.get_object(id) {
                self.ext_gstate(g, id);
            }
        }
        for id in std::mem::take(&mut self.contents) {
            let Ok(Object::Stream(s)) = doc.get_object(id) else {
                continue;
            };
            let data = match self.src.plain(s, self.limits.max_stream_size) {
                Ok(d) => d,
                Err(_) => {
                    self.at(
                        "content-decode",
                        "6.1",
                        "a content stream cannot be decoded within the checker's limits".to_owned(),
                        id,
                    );
                    continue;
                }
            };
            let mut out = Vec::new();
            let used = content::check(&data, self.limits.nesting(), &mut out);
            for (kind, clause, message) in out {
                self.at(kind, clause, message, id);
            }
            self.direct_use.push((used, obj_ref(id)));
        }
        for (u, at) in std::mem::take(&mut self.direct_use) {
            let cs = self.output_cs;
            if u.rgb && cs != Some(*b"RGB ") {
                self.sink.push(
                    "device-rgb",
                    Finding::at(
                        "6.2.3.3",
                        "DeviceRGB is used without an RGB PDF/A-1 output intent",
                        at.clone(),
                    ),
                );
            }
            if u.cmyk && cs != Some(*b"CMYK") {
                self.sink.push(
                    "device-cmyk",
                    Finding::at(
                        "6.2.3.3",
                        "DeviceCMYK is used without a CMYK PDF/A-1 output intent",
                        at.clone(),
                    ),
                );
            }
            if u.gray && cs.is_none() {
                self.sink.push(
                    "device-gray",
                    Finding::at(
                        "6.2.3.3",
                        "DeviceGray is used without a PDF/A-1 output intent",
                        at,
                    ),
                );
            }
        }
    }
}

/// ICC profile header: device class, colour space, major version.
fn icc_header(data: &[u8]) -> Option<([u8; 4], [u8; 4], u8)> {
    if data.len() < 128 || &data[36..40] != b"acsp" {
        return None;
    }
    let class: [u8; 4] = data[12..16].try_into().ok()?;
    let cs: [u8; 4] = data[16..20].try_into().ok()?;
    Some((class, cs, data[8]))
}
