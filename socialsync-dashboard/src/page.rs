//! The page frame: head, tabs, panel, and the error page.

use crate::base::Viewer;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

/// The dashboard's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tab {
    Monitor,
    Active,
    Disabled,
    Reports,
}

impl Tab {
    const ALL: [Tab; 4] = [Tab::Monitor, Tab::Active, Tab::Disabled, Tab::Reports];

    fn label(self) -> &'static str {
        match self {
            Tab::Monitor => "Scan monitor",
            Tab::Active => "Active connections",
            Tab::Disabled => "Disabled connections",
            Tab::Reports => "Reports",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Tab::Monitor => "/monitor",
            Tab::Active => "/active",
            Tab::Disabled => "/disabled",
            Tab::Reports => "/reports",
        }
    }

    fn id(self) -> &'static str {
        match self {
            Tab::Monitor => "tab-monitor",
            Tab::Active => "tab-active",
            Tab::Disabled => "tab-disabled",
            Tab::Reports => "tab-reports",
        }
    }
}

/// A full page: the brand's name, the tab list with `selected` current, and
/// `panel` as the selected tab's panel.
pub(crate) fn layout(viewer: &Viewer, selected: Tab, title: &str, panel: Markup) -> Html<String> {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (viewer.brand.name) " · socialsync" }
                link rel="stylesheet" href=(viewer.url("/assets/dashboard.css"));
                script src=(viewer.url("/assets/dashboard.js")) defer {}
            }
            body {
                header.top {
                    h1 { "socialsync " span.brand { "· " (viewer.brand.name) } }
                }
                nav aria-label="Dashboard sections" {
                    div.tabs role="tablist" aria-label="Dashboard sections" {
                        @for tab in Tab::ALL {
                            a role="tab" id=(tab.id()) href=(viewer.url(tab.path()))
                                aria-selected=(if tab == selected { "true" } else { "false" })
                                aria-controls="panel" {
                                (tab.label())
                            }
                        }
                    }
                }
                main #panel role="tabpanel" aria-labelledby=(selected.id()) tabindex="0" {
                    (panel)
                }
            }
        }
    };
    Html(markup.into_string())
}

/// A small page for an error.
pub(crate) fn error_page(status: StatusCode, message: &str) -> Html<String> {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (status.as_u16()) " · socialsync" }
            }
            body {
                h1 { (status.as_u16()) " " (status.canonical_reason().unwrap_or("")) }
                p role="alert" { (message) }
            }
        }
    };
    Html(markup.into_string())
}

/// Headers on every answer: no framing by other sites, no sniffing, and a
/// content security policy that allows only the dashboard's own assets.
pub(crate) async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await.into_response();
    let h = response.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'",
    );
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "same-origin");
    set(h, header::X_FRAME_OPTIONS, "SAMEORIGIN");
    // Every answer but the static assets (which declare themselves public)
    // shows one brand's data: no shared cache or back-forward cache may keep
    // it. A weaker policy set on the way (the event stream's `no-cache`) is
    // replaced.
    let public = h
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("public"));
    if !public {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
