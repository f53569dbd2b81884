//! The Cloudflare Worker adapter: `GET|HEAD /cdn-cgi/image/<options>/<source>`.
//!
//! It only translates HTTP to the core and back. An image request goes through named steps
//! (`image::steps`), each in its own module: route (parse and check the URL) -> resolve and key
//! (the options for this client, the variant's name) -> lookup (Cache API, then KV, then the
//! turn to make it) -> source (cached source bytes, then the origin) -> transform -> variant,
//! answered in one place (`served::answer`) with one write-back path after the response. What
//! an answer says (content type, Vary, quality) is the core's (`crate::answer`). The layers
//! and their trade-offs are described in docs/CACHING.md.

mod allow;
mod coalesce;
mod config;
mod events;
mod failure;
mod faults;
mod fetch;
mod freshness;
mod held;
mod image;
mod inflight;
mod key;
mod lookup;
mod memo;
mod origin;
mod purge;
mod respond;
mod route;
mod served;
mod source;
mod stages;
mod store;
mod transform;
mod trip;
mod variant;
mod writeback;

use crate::answer::Vary;
use config::Config;
use respond::Reply;
use route::{ImageRequest, Refusal};
use std::cell::RefCell;
use std::rc::Rc;
use trip::Trip;
use wasm_bindgen::JsCast;
use worker::{event, Context, Env, Method, Request, Response, ResponseBuilder, Url};

#[event(fetch)]
pub async fn main(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    // No panic hook of our own: worker's (installed at start) marks the instance for
    // re-instantiation after a trap, and a hook set here would displace it.
    if let Some(r) = stages::exit_after(&env, "entry") {
        return Ok(r);
    }
    let url = req.url()?;
    if let Some(options_json) = bound_options(&env) {
        // A request from another Worker through the service binding: the JSON option form.
        let route = |cfg: &Config| route::parse_bound(&req, &url, cfg, &options_json);
        return Ok(serve(&url, &env, &ctx, route).await);
    }
    let path = url.path();
    if path == purge::PATH {
        return purge(&req, &url, &env).await;
    }
    if path.starts_with(route::PREFIX) {
        let now_secs = (js_sys::Date::now() / 1000.0) as u64;
        let route = |cfg: &Config| route::parse(&req, &url, cfg, now_secs);
        return Ok(serve(&url, &env, &ctx, route).await);
    }
    // Anything else is a static asset (run_worker_first only sends us /cdn-cgi/*, but a
    // misconfiguration must still serve the site).
    match env.assets(config::ASSETS_BINDING) {
        Ok(assets) => assets.fetch_request(req).await,
        Err(_) => Ok(respond::error(
            &Refusal::new(404, "not_found", "no such route"),
            &Config::default(),
        )),
    }
}

/// Both entry points' image requests: routed by `route`, through the steps, answered, and
/// reported as one event.
async fn serve(
    url: &Url,
    env: &Env,
    ctx: &Context,
    route: impl FnOnce(&Config) -> Result<ImageRequest, Refusal>,
) -> Response {
    let cfg = match config(env) {
        Ok(c) => c,
        Err(r) => return respond::error(&r, &Config::default()),
    };
    let ir = match route(&cfg) {
        Ok(ir) => ir,
        Err(r) => return respond::error(&r, &cfg),
    };
    if let Some(r) = stages::exit_after(env, "route") {
        return r;
    }
    let mut trip = Trip {
        env,
        cfg: &cfg,
        url,
        ir: &ir,
        timing: Default::default(),
        outcome: Default::default(),
    };
    let served = image::steps(&mut trip).await;
    let arms = ir.experiments.label();
    let reply = Reply {
        cfg: &cfg,
        head: ir.head,
        vary: Vary::of(&ir.options).header(&ir.experiments.vary),
        private: !ir.experiments.vary.is_empty(),
        if_none_match: ir.if_none_match.as_deref(),
        arms: &arms,
        timing: trip.timing,
    };
    let resp = served::answer(served, &reply, ctx, env);
    events::emit(env, &cfg, &ir, &resp, &trip.outcome);
    resp
}

/// `POST /cdn-cgi/edgepix/purge`: a signed request moves a source's generation on.
async fn purge(req: &Request, url: &Url, env: &Env) -> worker::Result<Response> {
    let cfg = match config(env) {
        Ok(c) => c,
        Err(r) => return Ok(respond::error(&r, &Config::default())),
    };
    if req.method() != Method::Post {
        return Ok(respond::error(
            &Refusal::new(405, "method_not_allowed", "purge is a POST"),
            &cfg,
        ));
    }
    let now_secs = (js_sys::Date::now() / 1000.0) as u64;
    Ok(match purge::handle(url, env, &cfg, now_secs).await {
        Ok(body) => ResponseBuilder::new()
            .with_header("content-type", "application/json")?
            .with_header("cache-control", "no-store")?
            .fixed(body.into_bytes()),
        Err(r) => respond::error(&r, &cfg),
    })
}

/// The property `Bound` (src/edge/entry.mjs) adds to the env it hands to `main`: a function
/// returning the caller's `cf.image` as JSON. Only that entrypoint, which only service
/// bindings reach, creates it; no configuration can (vars, secrets and bindings are never
/// functions), and nothing of a public request (URL, headers, body) can reach the env.
const BOUND_OPTIONS: &str = "__edgepixBoundOptions";

fn bound_options(env: &Env) -> Option<String> {
    let f = js_sys::Reflect::get(env, &wasm_bindgen::JsValue::from_str(BOUND_OPTIONS)).ok()?;
    let f: &js_sys::Function = f.dyn_ref()?;
    f.call0(&wasm_bindgen::JsValue::UNDEFINED).ok()?.as_string()
}

thread_local! {
    static CONFIG: RefCell<Option<Rc<Config>>> = const { RefCell::new(None) };
}

/// The settings, read once per isolate: vars and secrets do not change during its life, and
/// parsing VARIANTS and the allowlist on every request would cost CPU on every hit. A bad
/// configuration is answered 500 `bad_config` on every request until it is fixed.
fn config(env: &Env) -> Result<Rc<Config>, Refusal> {
    if let Some(c) = CONFIG.with(|c| c.borrow().clone()) {
        return Ok(c);
    }
    let c = Rc::new(Config::from_env(env).map_err(|m| Refusal::new(500, "bad_config", m))?);
    faults::set(
        env.var("TEST_FAULTS")
            .ok()
            .map(|v| v.to_string())
            .as_deref(),
    );
    CONFIG.with(|slot| *slot.borrow_mut() = Some(c.clone()));
    Ok(c)
}
