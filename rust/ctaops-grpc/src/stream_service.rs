//! `cta.xrd.CtaRpcStream` served with a codec that takes records already encoded. The generated
//! server would need a prost `StreamResponse` per record, i.e. every string of a million-record
//! listing copied into a message, encoded, then freed; a backend that can write a record's
//! protobuf bytes straight from its rows ([`crate::tapefile_writer`]) hands those bytes over
//! instead ([`Record::Encoded`]), and the codec only frames them. Requests are still decoded by
//! prost, and the path, status codes and framing are those of the generated service.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{BufMut as _, Bytes};
use prost::Message as _;
use prost::encoding::{WireType, encode_key, encode_varint};
use tokio_stream::Stream;
use tonic::body::Body;
use tonic::codec::{BufferSettings, Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::{Service, StdError, http};
use tonic::server::{Grpc, NamedService, ServerStreamingService};
use tonic::{Request, Response, Status};

use crate::pb::cta::xrd::{Data, StreamResponse};

/// One record of a listing, as a backend produces it.
#[derive(Debug, Clone)]
pub enum Record {
    /// A message for the server to encode (boxed: `Data` is as large as its largest record type,
    /// and records are moved through batches and queues a million times a listing).
    Message(Box<Data>),
    /// A `cta.xrd.Data` message already encoded (e.g. by [`crate::tapefile_writer::write_data`]).
    Encoded(Bytes),
}

impl From<Data> for Record {
    fn from(d: Data) -> Self {
        Self::Message(Box::new(d))
    }
}

/// One message of the reply stream.
#[derive(Debug)]
pub enum Reply {
    /// The header or any other whole message (boxed, so a record's reply stays small).
    Message(Box<StreamResponse>),
    /// A record: sent as `StreamResponse.data`.
    Record(Record),
}

/// `StreamResponse.data`.
const STREAM_RESPONSE_DATA: u32 = 2;

// Records are ~100-200 bytes: start each frame buffer big enough for a whole yield's worth, so
// it is never grown (and copied) on the way, and hand HTTP/2 larger chunks.
const BUFFER_BYTES: usize = 160 * 1024;
const YIELD_BYTES: usize = 128 * 1024;

#[derive(Debug, Default)]
struct ReplyEncoder;

impl Encoder for ReplyEncoder {
    type Item = Reply;
    type Error = Status;

    fn encode(&mut self, item: Reply, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        match item {
            Reply::Message(m) => m.encode(dst),
            Reply::Record(Record::Message(d)) => {
                encode_key(STREAM_RESPONSE_DATA, WireType::LengthDelimited, dst);
                d.encode_length_delimited(dst)
            }
            Reply::Record(Record::Encoded(b)) => {
                encode_key(STREAM_RESPONSE_DATA, WireType::LengthDelimited, dst);
                encode_varint(b.len() as u64, dst);
                dst.put(b);
                Ok(())
            }
        }
        .map_err(|e| Status::internal(format!("encoding a reply: {e}")))
    }

    fn buffer_settings(&self) -> BufferSettings {
        BufferSettings::new(BUFFER_BYTES, YIELD_BYTES)
    }
}

struct RequestDecoder;

impl Decoder for RequestDecoder {
    type Item = crate::pb::cta::xrd::Request;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Self::Item>, Status> {
        Self::Item::decode(src)
            .map(Some)
            .map_err(|e| Status::internal(format!("decoding the request: {e}")))
    }
}

struct ReplyCodec;

impl Codec for ReplyCodec {
    type Encode = Reply;
    type Decode = crate::pb::cta::xrd::Request;
    type Encoder = ReplyEncoder;
    type Decoder = RequestDecoder;

    fn encoder(&mut self) -> ReplyEncoder {
        ReplyEncoder
    }

    fn decoder(&mut self) -> RequestDecoder {
        RequestDecoder
    }
}

/// The replies of one `GenericAdminStream` call.
pub type ReplyStream = Pin<Box<dyn Stream<Item = Result<Reply, Status>> + Send>>;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// What answers `GenericAdminStream`.
pub trait GenericAdminStream: Send + Sync + 'static {
    fn call(
        &self,
        req: Request<crate::pb::cta::xrd::Request>,
    ) -> impl Future<Output = Result<Response<ReplyStream>, Status>> + Send;
}

struct Method<H>(Arc<H>);

impl<H: GenericAdminStream> ServerStreamingService<crate::pb::cta::xrd::Request> for Method<H> {
    type Response = Reply;
    type ResponseStream = ReplyStream;
    type Future = BoxFuture<Result<Response<ReplyStream>, Status>>;

    fn call(&mut self, req: Request<crate::pb::cta::xrd::Request>) -> Self::Future {
        let handler = Arc::clone(&self.0);
        Box::pin(async move { handler.call(req).await })
    }
}

/// The `cta.xrd.CtaRpcStream` service: `GenericAdminStream` through `H`; `TapeLs` (which CTA's
/// own frontend leaves unimplemented too) and unknown methods get `UNIMPLEMENTED`.
pub struct CtaRpcStreamService<H>(Arc<H>);

impl<H> CtaRpcStreamService<H> {
    pub fn new(handler: Arc<H>) -> Self {
        Self(handler)
    }
}

impl<H> Clone for CtaRpcStreamService<H> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<H> NamedService for CtaRpcStreamService<H> {
    const NAME: &'static str = crate::pb::cta::xrd::cta_rpc_stream_server::SERVICE_NAME;
}

impl<H, B> Service<http::Request<B>> for CtaRpcStreamService<H>
where
    H: GenericAdminStream,
    B: tonic::codegen::Body + Send + 'static,
    B::Error: Into<StdError> + Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Result<http::Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let handler = Arc::clone(&self.0);
        Box::pin(async move {
            Ok(match req.uri().path() {
                "/cta.xrd.CtaRpcStream/GenericAdminStream" => {
                    Grpc::new(ReplyCodec).server_streaming(Method(handler), req).await
                }
                "/cta.xrd.CtaRpcStream/TapeLs" => {
                    Status::unimplemented("TapeLs is not served by this frontend").into_http()
                }
                _ => Status::unimplemented("").into_http(),
            })
        })
    }
}
