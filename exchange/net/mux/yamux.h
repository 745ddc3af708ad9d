#pragma once
// yamux (/yamux/1.0.0, hashicorp/yamux spec.md), as js-libp2p
// (@chainsafe/libp2p-yamux) and go-libp2p speak it. Headers are in
// yamux_header.h.
//
// The dialer opens odd stream ids, the listener even ones. Flow control per
// stream: we never send beyond the window the peer granted (256 KiB at
// first), and we grant MuxerLimits::stream_buffer at once with the SYN or
// ACK (a window update; js and go yamux accept windows beyond 256 KiB), then
// grant again as the reader takes bytes, so at most stream_buffer bytes of a
// stream are ever buffered. A peer that sends beyond its window, a data frame
// above both max_frame_size and the window we grant (js-libp2p's yamux sends
// frames as large as the window, so the window is the frame limit when it is
// the larger), a SYN with an id of the wrong side or one already in use ends
// the connection with ProtocolError (after a GoAway with the
// protocol error code, when it can be written at once). Pings are answered;
// a GoAway from the peer ends the session (run() returns at code 0, else
// throws NetError). A new inbound stream beyond max_streams is reset. Data
// goes out in frames of at most 64 KiB (and the window), streams interleaved
// fairly.
//
// Streams: read_some, write, close_write (FIN: half-close) and reset (RST) as
// Stream says. Destroying a Stream whose writing half is still open resets
// it; after close_write, destroying it only stops reading (later input is
// dropped and its window granted back). A Stream may outlive its connection:
// its operations then throw NetError. close() is abrupt: streams are reset
// and the socket closed without a GoAway.
//
// Everything runs on the network thread (not thread-safe).
#include <memory>

#include "exchange/net/muxer.h"
#include "exchange/net/stream.h"

namespace codex::net {

inline constexpr char kYamuxProtocolId[] = "/yamux/1.0.0";

// `initiator`: this side dialled the connection (it opens odd stream ids).
std::unique_ptr<MuxedConnection> make_yamux(std::unique_ptr<Stream> conn, bool initiator,
                                            MuxerLimits limits = {});

}  // namespace codex::net
