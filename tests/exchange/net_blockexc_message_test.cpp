// Block-exchange wire messages (spec node.md §8.2): byte-exact against the
// layout nim-codex's minprotobuf encoder writes (every field it sets, zeros
// and empty byte strings included), decoding of present-zero and absent
// fields, and refusal of malformed or oversized input.
#include <gtest/gtest.h>

#include <string>

#include "base/hex.h"
#include "exchange/crypto/sha256.h"
#include "exchange/multiformats/cid.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/net/blockexc/message.h"
#include "exchange/net/blockexc/message_reader.h"
#include "exchange/net/blockexc/verify.h"
#include "exchange/net/error.h"
#include "exchange/net/socket_stream.h"
#include "exchange/tree/sha256_tree.h"
#include "tests/exchange/support/net_io.h"

namespace codex::net::blockexc {
namespace {

std::string hex(const std::string& s) {
  return base::to_hex({reinterpret_cast<const uint8_t*>(s.data()), s.size()}, false);
}

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string unhex(std::string_view h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(char(base::hex_digit_value(h[i]) * 16 + base::hex_digit_value(h[i + 1])));
  return out;
}

// CIDv1(codex-block, sha2-256("")): 01 829a03 1220 <digest>.
const std::string kEmptyCidHex =
    "01829a031220e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(BlockexcMessage, WantHaveIsByteExactWithTheReference) {
  ASSERT_EQ(hex(Cid::empty_block().bytes()), kEmptyCidHex);
  Message m;
  WantEntry e;
  e.address = BlockAddress::of_cid(Cid::empty_block());
  e.type = WantType::kWantHave;
  e.send_dont_have = true;
  m.want_list.entries.push_back(e);
  // address {1: 0, 4: cid}; entry {1: address, 2: 0, 3: 0, 4: 1, 5: 1};
  // wantList {1: entry, 2: 0}; message {1: wantList, 5: 0, 6: {1: ""}, 7: {1: ""}}.
  const std::string address =
      "0800"
      "2226" +
      kEmptyCidHex;
  const std::string entry = "0a2a" + address +
                            "1000"
                            "1800"
                            "2001"
                            "2801";
  const std::string wl = "0a34" + entry + "1000";
  const std::string expected = "0a38" + wl +
                               "2800"
                               "32020a00"
                               "3a020a00";
  EXPECT_EQ(hex(encode(m)), expected);
  EXPECT_EQ(decode(bytes(unhex(expected))), m);
}

TEST(BlockexcMessage, EmptyMessageWritesEveryField) {
  EXPECT_EQ(hex(encode(Message{})),
            "0a021000"
            "2800"
            "32020a00"
            "3a020a00");
  EXPECT_EQ(decode(bytes(unhex("0a0210002800"))), Message{});
  EXPECT_EQ(decode({}), Message{});  // all absent
}

TEST(BlockexcMessage, LeafDeliveryAndPresenceAreByteExact) {
  const Cid tree(multicodec::kRoot, Multihash(multicodec::kSha2_256, std::string(32, '\x07')));
  Message m;
  BlockDelivery d;
  d.cid = Cid::empty_block();
  d.data = "";
  d.address = BlockAddress::of_leaf(tree, 300);
  d.proof = "PRF";
  m.deliveries.push_back(d);
  BlockPresence p;
  p.address = BlockAddress::of_leaf(tree, 0);  // index 0 is written: 18 00
  m.presences.push_back(p);
  const std::string tree_hex = hex(tree.bytes());
  ASSERT_EQ(tree.bytes().size(), 38u);
  const std::string leaf300 =
      "0801"
      "1226" +
      tree_hex + "18ac02";  // 45 bytes
  const std::string leaf0 =
      "0801"
      "1226" +
      tree_hex + "1800";  // 44 bytes
  const std::string delivery = "0a26" + kEmptyCidHex +
                               "1200"
                               "1a2d" +
                               leaf300 + "2203505246";
  const std::string presence = "0a2c" + leaf0 +
                               "1000"
                               "1a00";
  ASSERT_EQ(delivery.size() / 2, 40u + 2 + 47 + 5);
  const std::string expected =
      "0a021000"
      "1a5e" +
      delivery + "2232" + presence +
      "2800"
      "32020a00"
      "3a020a00";
  EXPECT_EQ(hex(encode(m)), expected);
  EXPECT_EQ(decode(bytes(unhex(expected))), m);
}

TEST(BlockexcMessage, AbsentZeroFieldsAndUnknownFieldsDecode) {
  // entry {1: {4: cid}} only, an unknown varint field 9 and fixed64 field 10.
  const std::string address = "2226" + kEmptyCidHex;
  const std::string entry = "0a28" + address +
                            "4801"
                            "510102030405060708";
  const std::string wl = "0a35" + entry;
  const Message m = decode(bytes(unhex("0a37" + wl)));
  ASSERT_EQ(m.want_list.entries.size(), 1u);
  const WantEntry& e = m.want_list.entries[0];
  EXPECT_FALSE(e.address.leaf);
  EXPECT_EQ(e.address.cid, Cid::empty_block());
  EXPECT_EQ(e.type, WantType::kWantBlock);
  EXPECT_FALSE(e.cancel);
  EXPECT_FALSE(e.send_dont_have);
}

TEST(BlockexcMessage, MalformedInputIsAProtocolError) {
  const std::string address =
      "0800"
      "2226" +
      kEmptyCidHex;
  const std::vector<std::string> bad = {
      "0a",    // truncated tag payload
      "0a05",  // length beyond the end
      "0b00",  // wire type 3 (group)
      "0a02"
      "0a00",  // entry without an address
      "0a2e"
      "0a2c"
      "0a2a" +
          address,  // ok, see below (valid)
      "0a30"
      "0a2e"
      "0a2a" +
          address + "2002",  // wantType 2
      "1a02"
      "0a00",  // delivery without CID
      "0a0a"
      "0a08"
      "0a06"
      "0801"
      "1202"
      "0102",                    // leaf with a bad tree CID
      "28ffffffffffffffffff7f",  // varint over 64 bits
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    if (i == 4) {
      EXPECT_NO_THROW(decode(bytes(unhex(bad[i]))));
      continue;
    }
    EXPECT_THROW(decode(bytes(unhex(bad[i]))), ProtocolError) << i << " " << bad[i];
  }
}

TEST(BlockexcMessage, LimitsAreEnforced) {
  Message m;
  for (size_t i = 0; i <= kMaxDeliveries; ++i) {
    BlockDelivery d;
    d.cid = Cid::empty_block();
    d.address = BlockAddress::of_cid(d.cid);
    m.deliveries.push_back(d);
  }
  EXPECT_THROW(decode(bytes(encode(m))), ProtocolError);
  m.deliveries.resize(1);
  m.deliveries[0].data.assign(kMaxBlockSize + 1, 'x');
  EXPECT_THROW(decode(bytes(encode(m))), ProtocolError);
  m.deliveries[0].data.assign(kMaxBlockSize, 'x');
  EXPECT_NO_THROW(decode(bytes(encode(m))));
  Message w;
  w.want_list.entries.resize(kMaxWantEntries + 1,
                             WantEntry{BlockAddress::of_cid(Cid::empty_block())});
  EXPECT_THROW(decode(bytes(encode(w))), ProtocolError);
}

TEST(BlockexcVerify, ChecksCidsAndTreeProofs) {
  std::vector<std::string> blocks;
  std::vector<Cid> cids;
  for (int i = 0; i < 5; ++i) {
    blocks.push_back(std::string(64, char('a' + i)));
    cids.push_back(Cid::sha256_of(multicodec::kBlock, bytes(blocks.back())));
  }
  const Sha256Tree tree = Sha256Tree::from_cids(cids);
  const Cid root = tree.root_cid();

  BlockDelivery d{cids[1], blocks[1], BlockAddress::of_cid(cids[1]), std::nullopt};
  EXPECT_EQ(verify_delivery(d), "");
  d.data[0] ^= 1;
  EXPECT_NE(verify_delivery(d), "");
  d = {cids[1], blocks[1], BlockAddress::of_cid(cids[2]), std::nullopt};
  EXPECT_NE(verify_delivery(d), "");  // another block than asked

  d = {cids[3], blocks[3], BlockAddress::of_leaf(root, 3), tree.proof(3).encode()};
  EXPECT_EQ(verify_delivery(d), "");
  d.proof = tree.proof(2).encode();  // proof of another index
  EXPECT_NE(verify_delivery(d), "");
  d.proof.reset();
  EXPECT_NE(verify_delivery(d), "");
  d = {cids[2], blocks[2], BlockAddress::of_leaf(root, 3), tree.proof(3).encode()};
  EXPECT_NE(verify_delivery(d), "");  // a valid block, but not the leaf
  d.proof = "garbage";
  EXPECT_NE(verify_delivery(d), "");
}

// encode_framed is varint(size) ‖ encode: the same bytes, into a reused buffer.
TEST(BlockexcMessage, FramedEncodingIsTheLengthPrefixedEncoding) {
  Message m;
  m.deliveries.push_back({Cid::sha256_of(multicodec::kBlock, bytes("abc")), "abc",
                          BlockAddress::of_cid(Cid::sha256_of(multicodec::kBlock, bytes("abc"))),
                          std::nullopt});
  m.deliveries.back().data.assign(200, 'x');
  const std::string body = encode(m);
  std::string framed = "left over from the last message";
  encode_framed(m, framed);
  ASSERT_GT(framed.size(), body.size());
  EXPECT_EQ(framed.substr(framed.size() - body.size()), body);
  EXPECT_EQ(uint8_t(framed[0]), 0x80 | (body.size() & 0x7f));
  EXPECT_EQ(decode(bytes(body)), m);
}

// Messages come out whole however the stream cuts them: several in one read,
// one over many reads, prefixes split; then end of stream between messages.
TEST(BlockexcMessageReader, ReadsMessagesAcrossAnyCuts) {
  testing::IoRunner r;
  auto [a, b] = local_stream_pair(r.executor());
  std::vector<std::string> sent = {"one", std::string(300 << 10, 'b'), "", std::string(70, 'c')};
  for (size_t i = 0; i < sent[1].size(); ++i)
    sent[1][i] = char(i * 7);
  std::string wire;
  for (const auto& m : sent) {
    std::string v;
    for (uint64_t n = m.size();; n >>= 7) {
      v.push_back(char((n & 0x7f) | (n >= 0x80 ? 0x80 : 0)));
      if (n < 0x80) break;
    }
    wire += v + m;
  }
  auto writer = r.spawn([](Stream& s, std::string w) -> asio::awaitable<void> {
    // Cuts of 1, 2, 3, ... bytes, then large ones.
    size_t at = 0;
    for (size_t cut = 1; at < w.size(); cut = cut < 16 ? cut + 1 : cut * 3) {
      const size_t n = std::min(cut, w.size() - at);
      co_await s.write({reinterpret_cast<const uint8_t*>(w.data() + at), n});
      at += n;
    }
    co_await s.close_write();
  }(*a, wire));
  auto reader = r.spawn([](Stream& s) -> asio::awaitable<std::vector<std::string>> {
    MessageReader reader(s);
    std::vector<std::string> got;
    while (auto m = co_await reader.next())
      got.emplace_back(reinterpret_cast<const char*>(m->data()), m->size());
    co_return got;
  }(*b));
  r.run();
  writer.get();
  EXPECT_EQ(reader.get(), sent);
}

TEST(BlockexcMessageReader, RefusesOversizedAndCutMessages) {
  const auto read_all = [](std::string wire) {
    testing::IoRunner r;
    auto [a, b] = local_stream_pair(r.executor());
    auto writer = r.spawn([](Stream& s, std::string w) -> asio::awaitable<void> {
      co_await s.write({reinterpret_cast<const uint8_t*>(w.data()), w.size()});
      co_await s.close_write();
    }(*a, std::move(wire)));
    auto reader = r.spawn([](Stream& s) -> asio::awaitable<void> {
      MessageReader reader(s);
      while (co_await reader.next()) {
      }
    }(*b));
    r.run();
    writer.get();
    reader.get();
  };
  EXPECT_NO_THROW(read_all(""));
  EXPECT_THROW(read_all("\x05abc"), NetError);                        // cut inside a message
  EXPECT_THROW(read_all("\x85"), NetError);                           // cut inside a prefix
  EXPECT_THROW(read_all(std::string("\x80\x00", 2)), ProtocolError);  // not minimal
  EXPECT_THROW(read_all(std::string(10, '\xff')), ProtocolError);     // over 9 bytes
  EXPECT_THROW(read_all("\xff\xff\xff\xff\x0f"), ProtocolError);      // over kMaxMessageSize
}

}  // namespace
}  // namespace codex::net::blockexc
