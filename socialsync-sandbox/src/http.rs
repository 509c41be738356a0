//! The request as the platform handlers see it, and their reply.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// An incoming request, read whole.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
    /// The sandbox's own base URL (`http://127.0.0.1:port`), for links.
    pub(crate) base_url: String,
}

impl Incoming {
    /// The first value of a query parameter.
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The bearer token of the `Authorization` header.
    pub(crate) fn bearer(&self) -> Option<&str> {
        let value = self.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
        let (scheme, token) = value.split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then_some(token.trim())
    }

    /// The body read as an `application/x-www-form-urlencoded` form.
    pub(crate) fn form(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(&self.body).into_owned().collect()
    }
}

/// The first value of a form field.
pub(crate) fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// What a handler answers.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: ReplyBody,
    /// The answer is the platform's rate-limit or quota refusal.
    pub(crate) rate_limited: bool,
}

/// A reply body.
#[derive(Debug, Clone)]
pub(crate) enum ReplyBody {
    Json(Value),
    Raw(String),
}

impl Reply {
    /// A JSON reply.
    pub(crate) fn json(status: u16, body: Value) -> Reply {
        Reply {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            headers: Vec::new(),
            body: ReplyBody::Json(body),
            rate_limited: false,
        }
    }

    /// A 200 JSON reply.
    pub(crate) fn ok(body: Value) -> Reply {
        Reply::json(200, body)
    }

    /// A reply whose body is raw text (declared as JSON).
    pub(crate) fn raw(status: u16, body: String) -> Reply {
        Reply {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            headers: Vec::new(),
            body: ReplyBody::Raw(body),
            rate_limited: false,
        }
    }

    /// Marks the reply as a rate-limit or quota refusal.
    pub(crate) fn limiting(mut self) -> Reply {
        self.rate_limited = true;
        self
    }

    /// Adds a header.
    pub(crate) fn with_header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }
}

/// Marks a JSON string that stands for a raw number literal (see [`raw_number`]).
const RAW_OPEN: &str = "\u{1}raw\u{1}";
/// The same mark as `serde_json` writes it, with the string's opening quote.
const RAW_OPEN_TEXT: &str = "\"\\u0001raw\\u0001";
/// The end of the mark as written, with the string's closing quote.
const RAW_CLOSE_TEXT: &str = "\\u0001\"";

/// A JSON value that [`render`] writes as the number literal `literal`
/// itself: numbers `serde_json` cannot hold (`18446744073709551621`) or
/// spellings it would not choose (`1e18`). `literal` must be made of
/// digits, `-`, `+`, `.`, `e` and `E`.
pub(crate) fn raw_number(literal: &str) -> Value {
    Value::String(format!("{RAW_OPEN}{literal}\u{1}"))
}

fn is_number_literal(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
}

/// The JSON text of `v`, with the values made by [`raw_number`] written as bare
/// number literals.
pub(crate) fn render(v: &Value) -> String {
    let text = v.to_string();
    if !text.contains(RAW_OPEN_TEXT) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find(RAW_OPEN_TEXT) {
        let (before, from) = rest.split_at(i);
        out.push_str(before);
        let inside = &from[RAW_OPEN_TEXT.len()..];
        match inside.find(RAW_CLOSE_TEXT) {
            Some(j) if is_number_literal(&inside[..j]) => {
                out.push_str(&inside[..j]);
                rest = &inside[j + RAW_CLOSE_TEXT.len()..];
            }
            _ => {
                out.push_str(&from[..RAW_OPEN_TEXT.len()]);
                rest = inside;
            }
        }
    }
    out.push_str(rest);
    out
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let text = match self.body {
            ReplyBody::Json(v) => render(&v),
            ReplyBody::Raw(s) => s,
        };
        let mut response = Response::new(Body::from(text));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=UTF-8"),
        );
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(name, v);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn raw_values_are_written_as_bare_literals() {
        let v =
            json!({"a": raw_number("18446744073709551621"), "b": [raw_number("1e300")], "c": "x"});
        assert_eq!(
            render(&v),
            r#"{"a":18446744073709551621,"b":[1e300],"c":"x"}"#
        );
        let plain = json!({"caption": "\u{1}raw\u{1}not a number\u{1}"});
        assert_eq!(render(&plain), plain.to_string(), "only number literals");
    }
}
