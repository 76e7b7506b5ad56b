//! Salesforce Metadata API files (`<name>.connectedApp-meta.xml`, `reference/salesforce-oauth.md`
//! §9): reading one into the JSON shape of [`super::input::AppInput`], and writing an app back in
//! the form Salesforce retrieves (elements in alphabetical order, four-space indentation), so that
//! a file round-trips with every field.
//!
//! XML is read with `quick-xml`, which never resolves DTDs or external entities; nesting depth and
//! size are bounded by the caller's upload limit and [`MAX_DEPTH`].

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer};
use serde_json::{Map, Value};

use super::AppSettings;

/// The Metadata API namespace of every metadata file.
pub const METADATA_NS: &str = "http://soap.sforce.com/2006/04/metadata";
/// The suffix of a connected app's metadata file in a package.
pub const FILE_SUFFIX: &str = ".connectedApp-meta.xml";
/// Deeper nesting than any connected app has is refused.
const MAX_DEPTH: usize = 16;

/// Elements that are lists even when they occur once.
const LISTS: &[&str] = &[
    "attributes",
    "customPermissions",
    "ipRanges",
    "oauthConfig.scopes",
    "permissionSetName",
    "profileName",
];
/// Elements whose text is a number.
const NUMBERS: &[&str] = &[
    "oauthConfig.assetTokenConfig.assetValidityPeriod",
    "oauthConfig.idTokenConfig.idTokenValidity",
    "sessionPolicy.sessionTimeout",
];
/// Sections whose booleans are typed: every `is…`, `idTokenInclude…` and `assetInclude…` leaf.
const TYPED_SECTIONS: &[&str] = &[
    "oauthConfig",
    "oauthConfig.idTokenConfig",
    "oauthConfig.assetTokenConfig",
];

/// The app's API name from a metadata file name (`My_App.connectedApp-meta.xml`, or the
/// `.connectedApp` form of the Metadata API's own format).
pub fn full_name_from_file_name(path: &str) -> Option<&str> {
    let file = path.rsplit(['/', '\\']).next()?;
    file.strip_suffix(FILE_SUFFIX)
        .or_else(|| file.strip_suffix(".connectedApp"))
        .filter(|n| !n.is_empty())
}

/// Reads a `ConnectedApp` file into JSON for [`super::validate::validate_json`]. `fullName`
/// comes from the file's `<fullName>` element or, failing that, from `default_full_name` (the
/// file name).
pub fn read_connected_app(xml: &str, default_full_name: Option<&str>) -> Result<Value, String> {
    let root = parse_tree(xml)?;
    if root.name != "ConnectedApp" {
        return Err(format!(
            "the root element is <{}>; a connected app file has <ConnectedApp>",
            root.name
        ));
    }
    let Value::Object(mut map) = to_json(&root, "") else {
        return Err("the <ConnectedApp> element is empty".to_owned());
    };
    if !map.contains_key("fullName")
        && let Some(name) = default_full_name
    {
        map.insert("fullName".to_owned(), Value::String(name.to_owned()));
    }
    Ok(Value::Object(map))
}

/// Writes an app as a `ConnectedApp` file. `fullName` is not written: as in files Salesforce
/// retrieves, it is the file's name. The consumer key is written; the secret never is.
pub fn write_connected_app(
    settings: &AppSettings,
    consumer_key: Option<&str>,
) -> anyhow::Result<String> {
    let mut value = serde_json::to_value(settings)?;
    if let Value::Object(map) = &mut value {
        map.remove("fullName");
        if let (Some(key), Some(Value::Object(oauth))) = (consumer_key, map.get_mut("oauthConfig"))
        {
            oauth.insert("consumerKey".to_owned(), Value::String(key.to_owned()));
        }
    }
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 4);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let mut root = BytesStart::new("ConnectedApp");
    root.push_attribute(("xmlns", METADATA_NS));
    w.write_event(Event::Start(root))?;
    if let Value::Object(map) = &value {
        write_fields(&mut w, map)?;
    }
    w.write_event(Event::End(BytesEnd::new("ConnectedApp")))?;
    let mut out = String::from_utf8(w.into_inner())?;
    out.push('\n');
    Ok(out)
}

fn write_fields(w: &mut Writer<Vec<u8>>, map: &Map<String, Value>) -> anyhow::Result<()> {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    for key in keys {
        match &map[key] {
            Value::Array(items) => {
                for item in items {
                    write_element(w, key, item)?;
                }
            }
            other => write_element(w, key, other)?,
        }
    }
    Ok(())
}

fn write_element(w: &mut Writer<Vec<u8>>, name: &str, value: &Value) -> anyhow::Result<()> {
    let text = match value {
        Value::Null => return Ok(()),
        Value::Object(map) if map.is_empty() => return Ok(()),
        Value::Object(map) => {
            w.write_event(Event::Start(BytesStart::new(name)))?;
            write_fields(w, map)?;
            w.write_event(Event::End(BytesEnd::new(name)))?;
            return Ok(());
        }
        Value::String(s) if s.is_empty() => return Ok(()),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            for item in items {
                write_element(w, name, item)?;
            }
            return Ok(());
        }
        other => other.to_string(),
    };
    w.write_event(Event::Start(BytesStart::new(name)))?;
    w.write_event(Event::Text(BytesText::from_escaped(
        quick_xml::escape::partial_escape(&text),
    )))?;
    w.write_event(Event::End(BytesEnd::new(name)))?;
    Ok(())
}

/// An element: its local name, its child elements, and its text.
#[derive(Debug, Default)]
struct Node {
    name: String,
    children: Vec<Self>,
    text: String,
}

fn parse_tree(xml: &str) -> Result<Node, String> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Node> = Vec::new();
    let bad = |e: quick_xml::Error, r: &Reader<&[u8]>| {
        format!("the XML is malformed at byte {}: {e}", r.buffer_position())
    };
    loop {
        match reader.read_event().map_err(|e| bad(e, &reader))? {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err("the XML nests too deeply".to_owned());
                }
                stack.push(Node {
                    name: local_name(e.local_name().as_ref()),
                    ..Node::default()
                });
            }
            Event::Empty(e) => {
                let node = Node {
                    name: local_name(e.local_name().as_ref()),
                    ..Node::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return Ok(node),
                }
            }
            Event::Text(t) => {
                let text = t.unescape().map_err(|e| bad(e, &reader))?;
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&text);
                }
            }
            Event::CData(c) => {
                let text = String::from_utf8(c.into_inner().into_owned())
                    .map_err(|_| "the XML holds CDATA that is not UTF-8".to_owned())?;
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&text);
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err("the XML closes an element it never opened".to_owned());
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
            Event::DocType(_) => {
                return Err("DOCTYPE declarations are not allowed in metadata files".to_owned());
            }
            Event::Eof => return Err("the XML ends before its root element is closed".to_owned()),
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
        }
    }
}

fn local_name(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).into_owned()
}

/// Converts an element to JSON: children grouped by name (repeated or listed names become arrays),
/// leaves to strings, or to booleans and numbers where the Metadata API types them.
fn to_json(node: &Node, path: &str) -> Value {
    if node.children.is_empty() {
        return typed_leaf(path, &node.text);
    }
    let mut map = Map::new();
    for child in &node.children {
        let child_path = if path.is_empty() {
            child.name.clone()
        } else {
            format!("{path}.{}", child.name)
        };
        let value = to_json(child, &child_path);
        match map.get_mut(&child.name) {
            Some(Value::Array(items))
                if LISTS.contains(&child_path.as_str()) || items.len() > 1 =>
            {
                items.push(value);
            }
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None if LISTS.contains(&child_path.as_str()) => {
                map.insert(child.name.clone(), Value::Array(vec![value]));
            }
            None => {
                map.insert(child.name.clone(), value);
            }
        }
    }
    Value::Object(map)
}

fn typed_leaf(path: &str, text: &str) -> Value {
    let (section, name) = path.rsplit_once('.').unwrap_or(("", path));
    let boolean = TYPED_SECTIONS.contains(&section)
        && (name.starts_with("is")
            || name.starts_with("idTokenInclude")
            || name.starts_with("assetInclude"));
    if boolean {
        match text {
            "true" => return Value::Bool(true),
            "false" => return Value::Bool(false),
            _ => {}
        }
    }
    if NUMBERS.contains(&path)
        && let Ok(n) = text.parse::<i64>()
    {
        return Value::from(n);
    }
    // A value of the wrong type stays text, so that validation names the field.
    Value::String(text.to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn lists_booleans_and_numbers_are_typed() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
    <contactEmail>a@example.com</contactEmail>
    <label>A &amp; B</label>
    <oauthConfig>
        <callbackUrl>https://a.test/cb</callbackUrl>
        <isAdminApproved>true</isAdminApproved>
        <scopes>Api</scopes>
        <idTokenConfig><idTokenValidity>5</idTokenValidity><idTokenIncludeStandardClaims>false</idTokenIncludeStandardClaims></idTokenConfig>
    </oauthConfig>
    <profileName>System Administrator</profileName>
    <samlConfig><acsUrl>https://sp.test/acs</acsUrl></samlConfig>
</ConnectedApp>"#;
        let v = read_connected_app(xml, Some("My_App")).unwrap();
        assert_eq!(
            v,
            json!({
                "fullName": "My_App",
                "contactEmail": "a@example.com",
                "label": "A & B",
                "oauthConfig": {
                    "callbackUrl": "https://a.test/cb",
                    "isAdminApproved": true,
                    "scopes": ["Api"],
                    "idTokenConfig": {"idTokenValidity": 5, "idTokenIncludeStandardClaims": false},
                },
                "profileName": ["System Administrator"],
                "samlConfig": {"acsUrl": "https://sp.test/acs"},
            })
        );
    }

    #[test]
    fn hostile_or_foreign_xml_is_refused() {
        let doctype = r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><ConnectedApp>&e;</ConnectedApp>"#;
        assert!(
            read_connected_app(doctype, None)
                .unwrap_err()
                .contains("DOCTYPE")
        );
        assert!(
            read_connected_app("<Profile><x>1</x></Profile>", None)
                .unwrap_err()
                .contains("<Profile>")
        );
        assert!(read_connected_app("<ConnectedApp><label>x</ConnectedApp>", None).is_err());
        let deep = format!(
            "<ConnectedApp>{}{}</ConnectedApp>",
            "<a>".repeat(40),
            "</a>".repeat(40)
        );
        assert!(
            read_connected_app(&deep, None)
                .unwrap_err()
                .contains("deeply")
        );
    }

    #[test]
    fn file_names_give_the_full_name() {
        assert_eq!(
            full_name_from_file_name("connectedApps/My_App.connectedApp-meta.xml"),
            Some("My_App")
        );
        assert_eq!(
            full_name_from_file_name("My_App.connectedApp"),
            Some("My_App")
        );
        assert_eq!(full_name_from_file_name("package.xml"), None);
    }
}
