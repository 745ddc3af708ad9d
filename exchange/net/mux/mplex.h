#pragma once
// mplex (/mplex/6.7.0), the muxer of the reference node (nim-libp2p) and of
// js-libp2p's @libp2p/mplex. Frames are in mplex_frame.h.
//
// mplex has no flow control. Each stream buffers at most
// MuxerLimits::stream_buffer received bytes its reader has not taken; a peer
// that sends more gets the stream reset (as js-libp2p does). A frame above
// max_frame_size (js and nim send at most 1 MiB) ends the connection with
// ProtocolError; a new inbound stream beyond max_streams is reset. Data goes
// out in frames of at most 64 KiB, the streams' frames interleaved fairly.
//
// Streams: read_some, write, close_write (mplex Close: half-close) and reset
// (mplex Reset) as Stream says. Destroying a Stream whose writing half is
// still open resets it; after close_write, destroying it only stops reading
// (later input is dropped). A Stream may outlive its connection: its
// operations then throw NetError.
//
// Everything runs on the network thread (not thread-safe).
#include <memory>

#include "exchange/net/muxer.h"
#include "exchange/net/stream.h"

namespace codex::net {

inline constexpr char kMplexProtocolId[] = "/mplex/6.7.0";

// `initiator`: this side dialled the connection (mplex itself does not care;
// kept for symmetry with yamux).
std::unique_ptr<MuxedConnection> make_mplex(std::unique_ptr<Stream> conn, bool initiator,
                                            MuxerLimits limits = {});

}  // namespace codex::net
