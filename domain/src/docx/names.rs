//! ZIP item names, OPC part names and relationship targets.

use super::clause;

/// A problem with one ZIP item name: the clause and what is wrong.
pub(crate) type NameProblem = (&'static str, String);

/// Checks a ZIP item name against the path-safety rules and OPC §7.2.3.
pub(crate) fn check_item_name(name: &str) -> Vec<NameProblem> {
    let mut problems = Vec::new();
    if name.contains('\0') {
        problems.push((
            clause::SEC_PATH,
            "the name contains a NUL character".to_owned(),
        ));
    }
    if name.contains('\\') {
        problems.push((clause::SEC_PATH, "the name contains a backslash".to_owned()));
    }
    if name.starts_with('/') {
        problems.push((clause::SEC_PATH, "the name is an absolute path".to_owned()));
    }
    let bytes = name.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        problems.push((
            clause::SEC_PATH,
            "the name starts with a drive letter".to_owned(),
        ));
    }
    let segments: Vec<&str> = name.split(['/', '\\']).collect();
    if segments.contains(&"..") {
        problems.push((
            clause::SEC_PATH,
            "the name climbs out of the package with `..`".to_owned(),
        ));
    }
    if problems.is_empty() {
        let trimmed = name.strip_suffix('/').unwrap_or(name);
        if trimmed.is_empty() {
            problems.push((clause::OPC_PART_NAME, "the name is empty".to_owned()));
        } else if trimmed.split('/').any(str::is_empty) {
            problems.push((
                clause::OPC_PART_NAME,
                "the name has an empty segment".to_owned(),
            ));
        } else if trimmed.split('/').any(|s| s.ends_with('.')) {
            problems.push((
                clause::OPC_PART_NAME,
                "a segment of the name is `.` or ends with a dot".to_owned(),
            ));
        }
    }
    problems
}

/// The key under which part names compare: percent-decoded where possible,
/// without a leading slash, lower-cased (OPC §7.2.3: names are equivalent
/// when they differ only in case).
pub(crate) fn part_key(name: &str) -> String {
    let name = name.strip_prefix('/').unwrap_or(name);
    percent_decode(name)
        .unwrap_or_else(|| name.to_owned())
        .to_lowercase()
}

/// The lower-cased extension of a part name's last segment, for the
/// `Default` content types.
pub(crate) fn extension_key(key: &str) -> Option<&str> {
    let last = key.rsplit('/').next()?;
    let (_, ext) = last.rsplit_once('.')?;
    Some(ext)
}

/// Decodes `%XX` escapes as UTF-8; `None` when an escape is bad or the
/// result is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_owned());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Resolves an internal relationship target against the folder of its
/// source part (`""` for the package root), as RFC 3986 §5.2 and OPC §7.3.3
/// say, and returns the part key ([`part_key`]) it names.
///
/// # Errors
///
/// A message when the target is not a relative reference to a part inside
/// the package.
pub(crate) fn resolve_target(base_folder: &str, target: &str) -> Result<String, String> {
    let target = target.split('#').next().unwrap_or_default();
    if target.is_empty() {
        return Err("the target is empty".to_owned());
    }
    if target.contains('\\') {
        return Err(format!("the target `{target}` contains a backslash"));
    }
    if let Some(colon) = target.find(':')
        && !target[..colon].contains('/')
    {
        return Err(format!(
            "the target `{target}` is an absolute URI, not a part"
        ));
    }
    let decoded = percent_decode(target)
        .ok_or_else(|| format!("the target `{target}` has a bad %-escape"))?;
    let joined = match decoded.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None if base_folder.is_empty() => decoded,
        None => format!("{base_folder}/{decoded}"),
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if segments.pop().is_none() {
                    return Err(format!("the target `{target}` climbs out of the package"));
                }
            }
            other => segments.push(other),
        }
    }
    if segments.is_empty() {
        return Err(format!("the target `{target}` names no part"));
    }
    Ok(segments.join("/").to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(check_item_name("word/document.xml").is_empty());
        assert_eq!(check_item_name("../evil")[0].0, clause::SEC_PATH);
        assert_eq!(check_item_name("/etc/passwd")[0].0, clause::SEC_PATH);
        assert_eq!(check_item_name("C:/x")[0].0, clause::SEC_PATH);
        assert_eq!(check_item_name("word\\x.xml")[0].0, clause::SEC_PATH);
        assert_eq!(check_item_name("word//x.xml")[0].0, clause::OPC_PART_NAME);
        assert_eq!(check_item_name("word/x.")[0].0, clause::OPC_PART_NAME);
    }

    #[test]
    fn targets() {
        assert_eq!(
            resolve_target("", "word/document.xml"),
            Ok("word/document.xml".into())
        );
        assert_eq!(
            resolve_target("", "/word/Document.xml"),
            Ok("word/document.xml".into())
        );
        assert_eq!(
            resolve_target("", "./word/../word/a%20b.xml"),
            Ok("word/a b.xml".into())
        );
        assert_eq!(
            resolve_target("word", "media/x.png"),
            Ok("word/media/x.png".into())
        );
        assert!(resolve_target("", "../x.xml").is_err());
        assert!(resolve_target("", "http://evil/x.xml").is_err());
        assert!(resolve_target("", "").is_err());
    }
}
