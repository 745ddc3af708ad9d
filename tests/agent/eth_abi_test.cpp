// ABI codec and contract ABI against the vectors (tests/data/codex-abi-vectors.json)
// and the selectors/topics of spec/marketplace.md §5–§7.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "agent/eth/abi_codec.h"
#include "agent/eth/contract_abi.h"
#include "agent/eth/keccak.h"
#include "tests/agent/support/marketplace_abi.h"

namespace codex::eth {
namespace {

using nlohmann::json;

json vectors() {
  std::ifstream in(std::string(CODEX_SOURCE_DIR) + "/tests/data/codex-abi-vectors.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

const AbiType& request_type() {
  static const AbiType t = AbiType::parse(
      "(address,(uint256,uint256,uint256,uint64,uint64,uint64,uint64),(bytes,bytes32),uint64,"
      "bytes32)");
  return t;
}

AbiValue u(const json& j) {
  return AbiValue(Uint256::from_string(j.get<std::string>()));
}
AbiValue b(const json& j) {
  return AbiValue(from_hex(j.get<std::string>()));
}

AbiValue request_value(const json& r) {
  const json& a = r["ask"];
  return AbiValue(
      AbiValue::List{Address::parse(r["client"].get<std::string>()),
                     AbiValue::List{u(a["proofProbability"]), u(a["pricePerBytePerSecond"]),
                                    u(a["collateralPerByte"]), u(a["slots"]), u(a["slotSize"]),
                                    u(a["duration"]), u(a["maxSlotLoss"])},
                     AbiValue::List{b(r["content"]["cid"]), b(r["content"]["merkleRoot"])},
                     u(r["expiry"]), b(r["nonce"])});
}

AbiValue proof_1_to_8() {
  using L = AbiValue::List;
  return AbiValue(L{L{uint64_t{1}, uint64_t{2}},
                    L{L{uint64_t{3}, uint64_t{4}}, L{uint64_t{5}, uint64_t{6}}},
                    L{uint64_t{7}, uint64_t{8}}});
}

Bytes h(const json& j) {
  return from_hex(j.get<std::string>());
}

TEST(AbiVectors, RequestEncodingRequestIdAndSlotIds) {
  json v = vectors();
  Bytes enc = abi::encode(request_type(), request_value(v["request"]));
  EXPECT_EQ(to_hex(enc), v["abiEncodeRequest"].get<std::string>());
  auto id = keccak256(enc);
  EXPECT_EQ(to_hex(id), v["requestId"].get<std::string>());
  for (uint64_t i = 0; i < 4; ++i) {
    Bytes pre(id.begin(), id.end());
    auto w = Uint256(i).to_be_bytes();
    pre.insert(pre.end(), w.begin(), w.end());
    if (i == 0) {
      EXPECT_EQ(to_hex(pre), v["slotIdPreimage0"].get<std::string>());
    }
    EXPECT_EQ(to_hex(keccak256(pre)), v["slotIds"][i].get<std::string>());
  }
}

TEST(AbiVectors, CalldataOfEveryMarketplaceCall) {
  json v = vectors();
  ContractAbi abi = ContractAbi::parse(test::marketplace_abi_json());
  Bytes id = h(v["requestId"]), slot0 = h(v["slotIds"][0]);
  Address client = Address::parse(v["request"]["client"].get<std::string>());
  const json& cd = v["calldata"];
  EXPECT_EQ(to_hex(abi.encode_call("requestStorage", {request_value(v["request"])})),
            cd["requestStorage"]);
  EXPECT_EQ(to_hex(abi.encode_call("reserveSlot", {id, uint64_t{0}})), cd["reserveSlot"]);
  EXPECT_EQ(to_hex(abi.encode_call("fillSlot", {id, uint64_t{0}, proof_1_to_8()})), cd["fillSlot"]);
  EXPECT_EQ(to_hex(abi.encode_call("submitProof", {slot0, proof_1_to_8()})), cd["submitProof"]);
  EXPECT_EQ(to_hex(abi.encode_call("markProofAsMissing", {slot0, uint64_t{12345}})),
            cd["markProofAsMissing"]);
  EXPECT_EQ(to_hex(abi.encode_call("freeSlot(bytes32)", {slot0})), cd["freeSlot(bytes32)"]);
  EXPECT_EQ(to_hex(abi.encode_call("freeSlot(bytes32,address,address)", {slot0, client, client})),
            cd["freeSlot(bytes32,address,address)"]);
  EXPECT_EQ(to_hex(abi.encode_call("withdrawFunds(bytes32)", {id})), cd["withdrawFunds(bytes32)"]);
  EXPECT_EQ(to_hex(abi.encode_call("getRequest", {id})), cd["getRequest"]);
  // An overloaded bare name is refused rather than guessed.
  EXPECT_THROW(abi.encode_call("freeSlot", {slot0}), AbiError);
}

TEST(AbiVectors, GetRequestReturnDataDecodes) {
  json v = vectors();
  ContractAbi abi = ContractAbi::parse(test::marketplace_abi_json());
  auto out = abi.decode_output("getRequest", h(v["getRequestReturnData"]));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], request_value(v["request"]));
  const AbiValue& req = out[0];
  EXPECT_EQ(req[0].as_address().checksummed(), v["request"]["client"].get<std::string>());
  EXPECT_EQ(req[1][4].as_uint(), Uint256(1024));
  EXPECT_EQ(std::string(req[2][0].as_bytes().begin(), req[2][0].as_bytes().end()), "example-cid");
}

TEST(AbiVectors, ConfigurationWithNestedDynamicTuple) {
  json v = vectors();
  // The vector's type carries member names; strip them to the canonical form.
  std::string t =
      std::regex_replace(v["configurationType"].get<std::string>(), std::regex(", "), ",");
  t = std::regex_replace(t, std::regex(" [A-Za-z_][A-Za-z0-9_]*"), "");
  AbiType type = AbiType::parse(t);
  EXPECT_EQ(type.canonical(),
            "((uint8,uint8,uint8,uint8),(uint64,uint64,uint8,uint8,string),(uint8),uint64)");
  Bytes data = h(v["configurationReturnData"]);
  AbiValue c = abi::decode(type, data);
  EXPECT_EQ(c[0][0].as_uint(), Uint256(10));
  EXPECT_EQ(c[0][1].as_uint(), Uint256(2));
  EXPECT_EQ(c[0][2].as_uint(), Uint256(20));
  EXPECT_EQ(c[0][3].as_uint(), Uint256(20));
  EXPECT_EQ(c[1][0].as_uint(), Uint256(120));
  EXPECT_EQ(c[1][1].as_uint(), Uint256(30));
  EXPECT_EQ(c[1][2].as_uint(), Uint256(64));
  EXPECT_EQ(c[1][3].as_uint(), Uint256(67));
  EXPECT_EQ(c[1][4].as_string(),
            "65dfa139e1c6dae5f50102cca2a856b759723c6ec6029343c2c6e926b855a6ca");
  EXPECT_EQ(c[2][0].as_uint(), Uint256(3));
  EXPECT_EQ(c[3].as_uint(), Uint256(2592000));
  EXPECT_EQ(abi::encode(type, c), data);  // and back, byte for byte
}

TEST(AbiVectors, EventTopicsMatchSpec) {
  ContractAbi abi = ContractAbi::parse(test::marketplace_abi_json());
  const std::pair<const char*, const char*> expected[] = {
      {"StorageRequested", "0x1bf9c457accf8703dbf7cdf1b58c2f74ddf2e525f98155c70b3d318d74609bd8"},
      {"RequestFulfilled", "0x85e1543bf2f84fe80c6badbce3648c8539ad1df4d2b3d822938ca0538be727e6"},
      {"RequestFailed", "0x4769361a442504ecaf038f35e119bcccdd5e42096b24c09e3c17fd17c6684c02"},
      {"RequestCancelled", "0xf903f4774c7bd27355f9d7fcbc382b079b164a697a44ac5d95267a4c3cb3bb22"},
      {"SlotFilled", "0x8f301470a994578b52323d625dfbf827ca5208c81747d3459be7b8867baec3ec"},
      {"SlotFreed", "0x33ba8f7627565d89f7ada2a6b81ea532b7aa9b11e91a78312d6e1fca0bfcd1dc"},
      {"SlotReservationsFull",
       "0xc8e6c955744189a19222ec226b72ac1435d88d5745252dac56e6f679f64c037a"},
      {"ProofSubmitted", "0x3b989d183b84b02259d7c14b34a9c9eb0fccb4c355a920d25e581e25aef4993d"},
      {"Transfer", "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"},
  };
  for (auto [name, topic] : expected)
    EXPECT_EQ(to_hex(abi.event(name).topic0), topic) << name;
}

TEST(AbiVectors, StorageRequestedAndSlotFilledLogsDecode) {
  json v = vectors();
  ContractAbi abi = ContractAbi::parse(test::marketplace_abi_json());
  const AbiEvent& ev = abi.event("StorageRequested");
  AbiValue ask = request_value(v["request"])[1];
  Bytes id = h(v["requestId"]);
  // Data as the contract emits it: 9 words, requestId, the Ask inline, absolute expiry.
  Bytes data = abi::encode_tuple(ev.data_tuple, {id, ask, uint64_t{1700000600}});
  ASSERT_EQ(data.size(), 9u * 32);
  std::vector<Topic> topics{ev.topic0};
  auto log = abi.decode_log(topics, data);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->event->name, "StorageRequested");
  EXPECT_EQ(log->values[0].as_bytes(), id);
  EXPECT_EQ(log->values[1], ask);
  EXPECT_EQ((*log)["expiry"].as_uint(), Uint256(1700000600));

  // SlotFilled: requestId indexed (topic1), slotIndex in data.
  Topic t1;
  std::copy(id.begin(), id.end(), t1.begin());
  std::vector<Topic> st{abi.event("SlotFilled").topic0, t1};
  Bytes sd = abi::encode(AbiType::parse("uint64"), uint64_t{3});
  auto filled = abi.decode_log(st, sd);
  ASSERT_TRUE(filled);
  EXPECT_EQ((*filled)["requestId"].as_bytes(), id);
  EXPECT_EQ((*filled)["slotIndex"].as_uint(), Uint256(3));
  // Wrong topic count is an error; an unknown topic0 is simply not ours.
  std::vector<Topic> missing{abi.event("SlotFilled").topic0};
  EXPECT_THROW(abi.decode_log(missing, sd), AbiError);
  std::vector<Topic> other{Topic{}};
  EXPECT_FALSE(abi.decode_log(other, sd));
}

TEST(AbiSpec, ErrorSelectorsOfSection7) {
  const std::pair<const char*, const char*> errs[] = {
      {"Marketplace_AlreadyPaid()", "c2cbf777"},
      {"Marketplace_SlotNotFree()", "ff556acf"},
      {"Marketplace_UnknownRequest()", "bdd64a7a"},
      {"Proofs_InvalidProof()", "fcd03a47"},
      {"SlotReservations_ReservationNotAllowed()", "424a04ab"},
      {"Proofs_ValidationTimedOut()", "de55698e"},
      {"ERC20InsufficientBalance(address,uint256,uint256)", "e450d38c"},
      {"Panic(uint256)", "4e487b71"}};
  for (auto [sig, sel] : errs)
    EXPECT_EQ(to_hex(selector_of(sig), false), sel) << sig;
}

TEST(AbiCodec, RoundTripsNestedDynamicTypes) {
  AbiType t = AbiType::parse("(string,(bytes,uint8[])[],int32,bytes3[2],bool,address)");
  using L = AbiValue::List;
  AbiValue val(L{std::string("héllo"),
                 L{L{Bytes{1, 2, 3}, L{uint64_t{7}, uint64_t{255}}}, L{Bytes(40, 9), L{}}},
                 AbiValue::from_int(-5), L{Bytes{1, 2, 3}, Bytes{4, 5, 6}}, true,
                 Address::parse("0x5FbDB2315678afecb367f032d93F642f64180aa3")});
  Bytes enc = abi::encode(t, val);
  EXPECT_EQ(abi::decode(t, enc), val);
  EXPECT_EQ(abi::decode(t, enc)[2].as_int64(), -5);
}

TEST(AbiCodec, EncoderRejectsMismatchedValues) {
  EXPECT_THROW(abi::encode(AbiType::parse("uint8"), uint64_t{256}), AbiError);
  EXPECT_THROW(abi::encode(AbiType::parse("int8"), AbiValue::from_int(-129)), AbiError);
  EXPECT_NO_THROW(abi::encode(AbiType::parse("int8"), AbiValue::from_int(-128)));
  EXPECT_THROW(abi::encode(AbiType::parse("bytes32"), Bytes(31)), AbiError);
  EXPECT_THROW(abi::encode(AbiType::parse("(uint256,bool)"), AbiValue::List{uint64_t{1}}),
               AbiError);
  EXPECT_THROW(abi::encode(AbiType::parse("address"), uint64_t{1}), AbiError);
}

TEST(AbiType, ParsesAndRejects) {
  EXPECT_EQ(AbiType::parse("uint").canonical(), "uint256");
  EXPECT_EQ(AbiType::parse("(uint64,(bytes,bytes32))[2][]").canonical(),
            "(uint64,(bytes,bytes32))[2][]");
  EXPECT_TRUE(AbiType::parse("(uint64,(bytes,bytes32))").is_dynamic());
  EXPECT_EQ(AbiType::parse("(uint256,(uint256,uint256)[2])").head_size(), 5u * 32);
  for (const char* bad : {"uint7", "uint264", "bytes33", "bytes0", "foo", "(uint256", "uint256)",
                          "uint256[0]", "uint256[01]", "", "(,)", "int08"})
    EXPECT_THROW(AbiType::parse(bad), AbiError) << bad;
}

TEST(AbiDecode, RejectsMalformedData) {
  json v = vectors();
  Bytes good = h(v["abiEncodeRequest"]);
  // Truncation anywhere before the end of the cid bytes fails cleanly (the cid's
  // zero padding in the last word is not needed to decode).
  for (size_t n = 0; n < good.size() - 21; n += 7)
    EXPECT_THROW(abi::decode(request_type(), std::span<const uint8_t>(good).first(n)), AbiError)
        << n;
  auto corrupt = [&](size_t byte, uint8_t val) {
    Bytes c = good;
    c[byte] = val;
    return c;
  };
  EXPECT_THROW(abi::decode(request_type(), corrupt(31, 0xff)),
               AbiError);  // outer offset beyond data
  EXPECT_THROW(abi::decode(request_type(), corrupt(0, 0x01)), AbiError);        // offset of 2^248
  EXPECT_THROW(abi::decode(request_type(), corrupt(32 + 11, 0x01)), AbiError);  // address padding
  EXPECT_THROW(abi::decode(request_type(), corrupt(32 * 5 + 23, 0x01)),
               AbiError);  // uint64 slots too wide
  EXPECT_THROW(abi::decode(request_type(), corrupt(32 * 14 + 31, 0xff)),
               AbiError);  // cid length too big
  Bytes two(32, 0);
  two[31] = 2;
  EXPECT_THROW(abi::decode(AbiType::parse("bool"), two), AbiError);
  Bytes fb(32, 0);
  fb[5] = 1;
  EXPECT_THROW(abi::decode(AbiType::parse("bytes4"), fb), AbiError);
  // A huge array length claim is refused before allocating.
  Bytes arr(64, 0);
  arr[31] = 0x20;
  arr[32 + 23] = 0xff;
  EXPECT_THROW(abi::decode(AbiType::parse("uint256[]"), arr), AbiError);
  // Many array elements pointing at one large tail are bounded, not amplified.
  Bytes amp;
  const size_t n = 2000, big = 20000;
  auto word = [&](uint64_t x) {
    auto w = Uint256(x).to_be_bytes();
    amp.insert(amp.end(), w.begin(), w.end());
  };
  word(0x20);
  word(n);
  for (size_t i = 0; i < n; ++i)
    word(n * 32);  // every element -> same bytes
  word(big);
  amp.resize(amp.size() + big, 0xab);
  EXPECT_THROW(abi::decode(AbiType::parse("bytes[]"), amp), AbiError);
}

TEST(ContractAbiJson, RejectsMalformedAbi) {
  EXPECT_THROW(ContractAbi::parse("not json"), AbiError);
  EXPECT_THROW(ContractAbi::parse("{\"x\":1}"), AbiError);
  EXPECT_THROW(ContractAbi::parse("[1]"), AbiError);
  EXPECT_THROW(
      ContractAbi::parse(R"([{"type":"function","name":"f","inputs":[{"type":"uint7"}]}])"),
      AbiError);
  EXPECT_THROW(
      ContractAbi::parse(R"([{"type":"function","name":"f","inputs":[{"type":"tuple"}]}])"),
      AbiError);
  EXPECT_THROW(ContractAbi::parse(R"([{"type":"function","name":"f","inputs":{}}])"), AbiError);
  auto abi = ContractAbi::parse(
      R"({"abi":[{"type":"function","name":"f","inputs":[{"type":"tuple[2][]","components":[{"type":"uint8"}]}]}]})");
  EXPECT_EQ(abi.function("f").signature, "f((uint8)[2][])");
}

}  // namespace
}  // namespace codex::eth
