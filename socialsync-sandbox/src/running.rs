//! A serving sandbox and the URLs to point adapters at.

use crate::{GRAPH_VERSION, Sandbox};
use std::net::SocketAddr;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A serving sandbox. Dropping it stops the server.
#[derive(Debug)]
pub struct RunningSandbox {
    sandbox: Sandbox,
    addr: SocketAddr,
    base_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningSandbox {
    pub(crate) fn new(
        sandbox: Sandbox,
        addr: SocketAddr,
        base_url: String,
        shutdown: oneshot::Sender<()>,
        task: JoinHandle<()>,
    ) -> RunningSandbox {
        RunningSandbox {
            sandbox,
            addr,
            base_url,
            shutdown: Some(shutdown),
            task: Some(task),
        }
    }

    /// The sandbox it serves.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:port`: the stand-in for every platform host
    /// (`graph.instagram.com`, `graph.facebook.com`, `api.instagram.com`,
    /// `open.tiktokapis.com`, `www.googleapis.com`, `oauth2.googleapis.com`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The Instagram Graph base with version: `{base}/v25.0`.
    pub fn instagram_graph_url(&self) -> String {
        format!("{}/{GRAPH_VERSION}", self.base_url)
    }

    /// The YouTube Data API base: `{base}/youtube/v3`.
    pub fn youtube_url(&self) -> String {
        format!("{}/youtube/v3", self.base_url)
    }

    /// Google's token endpoint: `{base}/token`.
    pub fn google_token_url(&self) -> String {
        format!("{}/token", self.base_url)
    }

    /// The admin API base: `{base}/sandbox`.
    pub fn admin_url(&self) -> String {
        format!("{}/sandbox", self.base_url)
    }

    /// Stops serving and waits for the server to finish.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
