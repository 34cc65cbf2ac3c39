//! Every route, registered once. A documented operation is registered from its `#[utoipa::path]`
//! item: the path is written there only, the route answers GET (with HEAD), and the same
//! registration adds the operation and the schemas it names to the OpenAPI document
//! ([`crate::openapi::document`] registers the routes without a server to collect them). The
//! routes kept out of the spec (operators', the docs UI, the explorer) are registered as such,
//! and a test holds both lists against the served document.

use actix_web::web::ServiceConfig;
use actix_web::{FromRequest, Handler, Responder};
use utoipa::openapi::path::{Paths, PathsBuilder};
use utoipa::openapi::{RefOr, Schema};

use crate::http::immutable::get_versioned;
use crate::http::problems::get;

/// A documented route: the spec's path and the method the spec gives it (lower case, as the
/// document writes it). The route itself always answers GET and HEAD.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Documented {
    pub path: String,
    pub method: String,
}

type Schemas = Vec<(String, RefOr<Schema>)>;

/// What `#[utoipa::path]` generates for a handler (`__path_<handler>`): its path, methods and
/// operation, its tags, and the schemas it names. The last two are utoipa's hidden traits,
/// the ones its `#[derive(OpenApi)]` reads, so the document comes out as the derive made it.
pub trait Operation:
    utoipa::Path + utoipa::__dev::SchemaReferences + utoipa::__dev::Tags<'static>
{
}

impl<P> Operation for P where
    P: utoipa::Path + utoipa::__dev::SchemaReferences + utoipa::__dev::Tags<'static>
{
}

/// An operation with its `tag = ..` put into it, as the derive does.
struct Tagged<P>(std::marker::PhantomData<P>);

impl<P: Operation> utoipa::__dev::PathConfig for Tagged<P> {
    fn path() -> String {
        P::path()
    }

    fn methods() -> Vec<utoipa::openapi::path::HttpMethod> {
        P::methods()
    }

    fn tags_and_operation() -> (Vec<&'static str>, utoipa::openapi::path::Operation) {
        (<P as utoipa::__dev::Tags<'static>>::tags(), P::operation())
    }
}

/// What the service registers, as it registers it.
pub struct Routes<'a> {
    /// `None` when only the document is wanted.
    cfg: Option<&'a mut ServiceConfig>,
    paths: Paths,
    schemas: Schemas,
    documented: Vec<Documented>,
    undocumented: Vec<&'static str>,
}

impl<'a> Routes<'a> {
    /// Registers routes on a service.
    pub fn new(cfg: &'a mut ServiceConfig) -> Routes<'a> {
        Routes {
            cfg: Some(cfg),
            ..Routes::spec_only()
        }
    }

    /// Collects the operations without serving them.
    pub fn spec_only() -> Routes<'static> {
        Routes {
            cfg: None,
            paths: Paths::new(),
            schemas: Vec::new(),
            documented: Vec::new(),
            undocumented: Vec::new(),
        }
    }

    /// The operations registered, in order, and the schemas they name.
    pub fn into_spec(self) -> (Paths, Schemas) {
        (self.paths, self.schemas)
    }

    /// A documented operation that serves the current data and takes `v=` (see
    /// [`crate::http::version`]). `operation` is the item `#[utoipa::path]` made for `handler`
    /// (`__path_<handler>`), the one `#[openapi(paths(..))]` reads too.
    pub fn versioned<P, F, Args>(&mut self, operation: P, handler: F) -> &mut Self
    where
        P: Operation,
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.operation(operation, true, handler)
    }

    /// A documented operation whose answer does not depend on the data version.
    pub fn plain<P, F, Args>(&mut self, operation: P, handler: F) -> &mut Self
    where
        P: Operation,
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.operation(operation, false, handler)
    }

    fn operation<P, F, Args>(&mut self, operation: P, versioned: bool, handler: F) -> &mut Self
    where
        P: Operation,
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        let path = self.document(operation);
        match self.cfg.as_deref_mut() {
            Some(cfg) if versioned => cfg.service(get_versioned(&path, handler)),
            Some(cfg) => cfg.service(get(&path, handler)),
            None => return self,
        };
        self
    }

    /// A GET route kept out of the public spec, on purpose: say why where it is registered.
    pub fn undocumented<F, Args>(&mut self, path: &'static str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.undocumented.push(path);
        if let Some(cfg) = self.cfg.as_deref_mut() {
            cfg.service(get(path, handler));
        }
        self
    }

    /// Any other service (the docs UI's files), kept out of the spec under `path`.
    pub fn undocumented_service<S>(&mut self, path: &'static str, service: S) -> &mut Self
    where
        S: actix_web::dev::HttpServiceFactory + 'static,
    {
        self.undocumented.push(path);
        if let Some(cfg) = self.cfg.as_deref_mut() {
            cfg.service(service);
        }
        self
    }

    fn document<P>(&mut self, _operation: P) -> String
    where
        P: Operation,
    {
        let path = P::path();
        // What `#[openapi(paths(..))]` does for each operation (the operation with its tags,
        // and the schemas it names), done here so that this is the one list.
        let paths = std::mem::take(&mut self.paths);
        self.paths = PathsBuilder::from(paths).path_from::<Tagged<P>>().build();
        P::schemas(&mut self.schemas);
        for method in P::methods() {
            let method = serde_json::to_value(method)
                .ok()
                .and_then(|m| m.as_str().map(str::to_owned))
                .unwrap_or_default();
            self.documented.push(Documented {
                path: path.clone(),
                method,
            });
        }
        path
    }

    /// The documented routes registered, sorted.
    pub fn documented(&self) -> Vec<Documented> {
        let mut d = self.documented.clone();
        d.sort();
        d
    }

    /// The paths registered outside the spec, sorted.
    pub fn undocumented_paths(&self) -> Vec<&'static str> {
        let mut u = self.undocumented.clone();
        u.sort_unstable();
        u
    }
}
